/**
 * Stops a consumer that dead-letters too much: a bad deploy or a schema mismatch would otherwise
 * quietly move the whole stream to the DLQ. Counts over a sliding window of recent messages.
 */
export class InvalidRatioGuard {
  private readonly outcomes: boolean[] = [];
  private invalidInWindow = 0;

  constructor(
    private readonly maxInvalidRatio: number,
    private readonly windowSize: number,
    /** Below this many messages seen the ratio is not judged (one bad message out of three is not a trend). */
    private readonly minMessages: number,
  ) {}

  record(invalid: boolean): void {
    this.outcomes.push(invalid);
    if (invalid) this.invalidInWindow++;
    if (this.outcomes.length > this.windowSize && this.outcomes.shift()) this.invalidInWindow--;
  }

  /** The ratio as a message when it exceeds the limit, otherwise null. */
  violation(): string | null {
    if (this.outcomes.length < this.minMessages) return null;
    const ratio = this.invalidInWindow / this.outcomes.length;
    if (ratio <= this.maxInvalidRatio) return null;
    return `${this.invalidInWindow} of the last ${this.outcomes.length} messages were invalid (limit ${this.maxInvalidRatio})`;
  }
}

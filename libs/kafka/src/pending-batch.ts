/** A consumed message after decoding, with its position so the runtime can commit it. */
export interface ConsumedMessage<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  raw: Buffer;
}

/** A message that can never be processed, with why; it goes to the dead-letter topic with its original bytes. */
export interface RejectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  raw: Buffer;
  reason: string;
}

export interface TakenBatch<T> {
  valid: ConsumedMessage<T>[];
  rejected: RejectedMessage[];
  /** Offsets to commit once the batch is written: per topic-partition, the last offset taken + 1. */
  commitOffsets: { topic: string; partition: number; offset: string }[];
}

/**
 * Messages buffered since the last flush. Offsets are tracked for valid and rejected messages alike,
 * because both are done once the write (and the dead-letter produce) succeeded.
 */
export class PendingBatch<T> {
  private valid: ConsumedMessage<T>[] = [];
  private rejected: RejectedMessage[] = [];
  private lastOffsets = new Map<string, { topic: string; partition: number; offset: bigint }>();

  get size(): number {
    return this.valid.length + this.rejected.length;
  }

  addValid(message: ConsumedMessage<T>): void {
    this.valid.push(message);
    this.track(message.topic, message.partition, message.offset);
  }

  addRejected(message: RejectedMessage): void {
    this.rejected.push(message);
    this.track(message.topic, message.partition, message.offset);
  }

  take(): TakenBatch<T> {
    const taken: TakenBatch<T> = {
      valid: this.valid,
      rejected: this.rejected,
      commitOffsets: [...this.lastOffsets.values()].map(({ topic, partition, offset }) => ({
        topic,
        partition,
        offset: (offset + 1n).toString(),
      })),
    };
    this.valid = [];
    this.rejected = [];
    this.lastOffsets = new Map();
    return taken;
  }

  private track(topic: string, partition: number, offset: string): void {
    const key = `${topic}\u0000${partition}`;
    const value = BigInt(offset);
    const previous = this.lastOffsets.get(key);
    if (!previous || value > previous.offset) this.lastOffsets.set(key, { topic, partition, offset: value });
  }
}

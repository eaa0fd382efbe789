import type { ErrorSpanMessage } from '@faultline/contracts';
import { SpanPublisher } from '../publishing/span-publisher';

/** Test double: remembers every publish call; `failWith` makes the next calls reject. */
export class RecordingSpanPublisher extends SpanPublisher {
  readonly batches: ErrorSpanMessage[][] = [];
  failWith: Error | undefined;

  async publish(messages: ErrorSpanMessage[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.batches.push(messages);
  }

  get messages(): ErrorSpanMessage[] {
    return this.batches.flat();
  }
}

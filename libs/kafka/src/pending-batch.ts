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
  /** In arrival order, valid and rejected alike, so a partial take commits a prefix of each partition. */
  private entries: ({ valid: ConsumedMessage<T> } | { rejected: RejectedMessage })[] = [];

  get size(): number {
    return this.entries.length;
  }

  addValid(message: ConsumedMessage<T>): void {
    this.entries.push({ valid: message });
  }

  addRejected(message: RejectedMessage): void {
    this.entries.push({ rejected: message });
  }

  /** The oldest `max` messages (all by default) and the offsets that commit exactly them. */
  take(max = Number.POSITIVE_INFINITY): TakenBatch<T> {
    const taken = this.entries.splice(0, max);
    const valid: ConsumedMessage<T>[] = [];
    const rejected: RejectedMessage[] = [];
    const lastOffsets = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const entry of taken) {
      const message = 'valid' in entry ? entry.valid : entry.rejected;
      if ('valid' in entry) valid.push(entry.valid);
      else rejected.push(entry.rejected);
      const key = `${message.topic}\u0000${message.partition}`;
      const offset = BigInt(message.offset);
      const previous = lastOffsets.get(key);
      if (!previous || offset > previous.offset) lastOffsets.set(key, { topic: message.topic, partition: message.partition, offset });
    }
    return {
      valid,
      rejected,
      commitOffsets: [...lastOffsets.values()].map(({ topic, partition, offset }) => ({ topic, partition, offset: (offset + 1n).toString() })),
    };
  }
}

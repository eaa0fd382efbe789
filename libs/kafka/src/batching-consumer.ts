import { MessageCodec, InvalidMessageError, deadLetterTopicFor } from '@faultline/contracts';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { InvalidRatioGuard } from './invalid-ratio.guard';
import { KafkaProducer } from './kafka.producer';
import { ConsumedMessage, PendingBatch, RejectedMessage } from './pending-batch';
import { DEFAULT_RETRY_POLICY, RetryPolicy, retryWithBackoff } from './retry';

/** What a handler may say about its batch: messages that can never succeed go to the DLQ. */
export interface BatchOutcome {
  rejected?: { message: ConsumedMessage<unknown>; reason: string }[];
}
/** Longest a worker waits to leave its group after a fatal error before it reports the error (and exits). */
const LEAVE_GROUP_TIMEOUT_MS = 5000;

export type BatchHandler<T> = (messages: ConsumedMessage<T>[]) => Promise<BatchOutcome | void>;

export interface ConsumerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface BatchingConsumerOptions<T> {
  groupId: string;
  topic: string;
  codec: MessageCodec<T>;
  /** Flush when this many messages are buffered... */
  batchSize: number;
  /** ...or this long after the first message of a batch arrived. */
  maxWaitMs: number;
  /** Fetching waits while this many messages are buffered (bounded memory when writes are slow). */
  maxBufferedMessages?: number;
  retry?: RetryPolicy;
  /** Where undecodable or rejected messages go, with the reason; the producer must be connected. */
  deadLetterProducer: KafkaProducer;
  maxInvalidRatio?: number;
  log: ConsumerLog;
  /** Called once when the consumer cannot go on (write failed past the retry policy, too many invalid messages). */
  onFatal: (error: Error) => void;
}

/**
 * The consumer runtime both workers share: decode -> buffer -> batch by size or time -> write through
 * the handler -> dead-letter rejects -> commit offsets. Offsets are resolved as messages are buffered, so
 * the fetch loop keeps going while a write is in flight (blocking it starves fetching: the broker returns
 * one message set per partition per fetch), and they are committed only after the write that holds them
 * succeeded: a crash before the commit redelivers, it never loses.
 */
export class BatchingConsumer<T> {
  private readonly consumer: Consumer;
  private readonly pending = new PendingBatch<T>();
  private readonly guard: InvalidRatioGuard;
  private readonly maxBuffered: number;
  private flushChain: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private fatalError: Error | null = null;
  private retryingSince: number | null = null;
  private lastRetryError: string | null = null;
  private crashed = false;
  private joined = false;
  private running = false;

  constructor(
    kafka: Kafka,
    private readonly options: BatchingConsumerOptions<T>,
    private readonly handler: BatchHandler<T>,
  ) {
    this.consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
    this.maxBuffered = options.maxBufferedMessages ?? options.batchSize * 4;
    this.guard = new InvalidRatioGuard(options.maxInvalidRatio ?? 0.5, 1000, 100);
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.options.log.error({ error: event.payload.error?.message, restart: event.payload.restart }, 'kafka consumer crashed');
      if (!event.payload.restart) this.crashed = true;
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.buffer(payload),
    });
    this.running = true;
  }

  /**
   * Stops taking new work, writes and commits what is buffered, then leaves the group (SIGTERM).
   * Whatever a fetch already in flight brings is dropped unresolved (`buffer` checks `stopping`): it
   * stays uncommitted for the next member. Safe to call before `start` finished.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const started = Date.now();
    // kafkajs refuses pause() before run() set the group up; then there is nothing fetched to stop.
    if (this.running) this.consumer.pause([{ topic: this.options.topic }]);
    const buffered = this.pending.size;
    this.options.log.info({ topic: this.options.topic, buffered }, 'stopping: fetching paused; writing and committing what is buffered');
    this.scheduleFlush();
    await this.flushChain;
    await this.consumer.disconnect();
    this.options.log.info(
      { topic: this.options.topic, written: buffered - this.pending.size, ms: Date.now() - started, failed: this.fatalError?.message },
      'stopped: left the consumer group',
    );
  }

  /** Liveness: false when the loop is dead and will not come back by itself. */
  liveness(): { ok: boolean; detail?: string } {
    if (this.fatalError) return { ok: false, detail: this.fatalError.message };
    if (this.crashed) return { ok: false, detail: 'consumer crashed without restart' };
    return { ok: true };
  }

  /** Readiness: false while not in the group yet, or while writes are failing and being retried. */
  readiness(): { ok: boolean; detail?: string } {
    if (!this.joined) return { ok: false, detail: 'not joined to the consumer group yet' };
    if (this.retryingSince !== null) {
      return { ok: false, detail: `writes failing since ${new Date(this.retryingSince).toISOString()}: ${this.lastRetryError}` };
    }
    return this.liveness();
  }

  private async buffer({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (this.stopping || this.fatalError || !isRunning() || isStale()) return;
      this.accept(batch.topic, batch.partition, message);
      resolveOffset(message.offset);
      if (this.pending.size >= this.options.batchSize) this.scheduleFlush();
      if (this.pending.size >= this.maxBuffered) await this.flushChain;
    }
    await heartbeat();
    if (this.pending.size > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => this.scheduleFlush(), this.options.maxWaitMs);
    }
  }

  private accept(topic: string, partition: number, message: KafkaMessage): void {
    const raw = message.value ?? Buffer.alloc(0);
    const key = message.key ? message.key.toString() : null;
    try {
      const value = this.options.codec.decode(raw);
      this.pending.addValid({ topic, partition, offset: message.offset, key, value, raw });
      this.guard.record(false);
    } catch (error) {
      const reason = error instanceof InvalidMessageError ? error.reason : `decode failed: ${(error as Error).message}`;
      this.pending.addRejected({ topic, partition, offset: message.offset, key, raw, reason });
      this.guard.record(true);
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushChain = this.flushChain.then(() => this.flush());
  }

  /** Writes what is buffered in batches of at most `batchSize`, each committed after its write. */
  private async flush(): Promise<void> {
    while (!this.fatalError && this.pending.size > 0) {
      const violation = this.guard.violation();
      if (violation) return this.fail(new Error(`too many invalid messages on ${this.options.topic}: ${violation}`));
      const batch = this.pending.take(this.options.batchSize);
      try {
        await this.withRetry('write', async () => {
          const outcome = batch.valid.length > 0 ? await this.handler(batch.valid) : undefined;
          const rejected = [...batch.rejected, ...(outcome?.rejected ?? []).map(({ message, reason }) => toRejected(message, reason))];
          await this.deadLetter(rejected);
        });
        await this.withRetry('commit', () => this.commit(batch.commitOffsets));
      } catch (error) {
        return this.fail(error as Error);
      }
    }
  }

  private async deadLetter(rejected: RejectedMessage[]): Promise<void> {
    if (rejected.length === 0) return;
    this.options.log.warn({ topic: this.options.topic, count: rejected.length, firstReason: rejected[0].reason }, 'sending messages to the dead-letter topic');
    await this.options.deadLetterProducer.send(
      deadLetterTopicFor(this.options.topic),
      rejected.map((message) => ({
        key: message.key ?? `${message.partition}:${message.offset}`,
        value: message.raw,
        headers: {
          'x-faultline-reason': message.reason,
          'x-faultline-source': `${message.topic}/${message.partition}/${message.offset}`,
        },
      })),
    );
  }

  private async commit(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // After a rebalance the partition belongs to another member, which will redeliver from the last
      // commit; the writes are idempotent (deterministic ids), so this costs work, not correctness.
      if (isRebalanceError(error)) {
        this.options.log.warn({ error: (error as Error).message }, 'offset commit lost to a rebalance; messages will be redelivered');
        return;
      }
      throw error;
    }
  }

  private async withRetry(what: string, attempt: () => Promise<void>): Promise<void> {
    await retryWithBackoff(attempt, this.options.retry ?? DEFAULT_RETRY_POLICY, (error, attemptNumber, delayMs) => {
      this.retryingSince ??= Date.now();
      this.lastRetryError = error.message;
      this.options.log.warn({ topic: this.options.topic, attempt: attemptNumber, delayMs, error: error.message }, `${what} failed; retrying`);
    });
    this.retryingSince = null;
    this.lastRetryError = null;
  }

  private fail(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.options.log.error({ topic: this.options.topic, error: error.message }, 'consumer stopped: fatal error');
    void this.leaveGroup().then(() => this.options.onFatal(error));
  }

  /**
   * After a fatal error, before the process exits: leave the group, so its partitions go to another
   * member at once. A member that just vanishes holds them until its session times out, and a member
   * joining meanwhile waits for it through a whole rebalance timeout (a minute, measured on restart).
   * Nothing more is committed, so leaving cannot lose anything. Bounded: the exit must not hang on it.
   */
  private async leaveGroup(): Promise<void> {
    this.running = false;
    const left = this.consumer.disconnect().then(
      () => this.options.log.info({ topic: this.options.topic }, 'left the consumer group after the fatal error'),
      (error: Error) => this.options.log.warn({ topic: this.options.topic, error: error.message }, 'could not leave the consumer group'),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([left, new Promise<void>((resolve) => (timer = setTimeout(resolve, LEAVE_GROUP_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
}

function toRejected(message: ConsumedMessage<unknown>, reason: string): RejectedMessage {
  const { topic, partition, offset, key, raw } = message;
  return { topic, partition, offset, key, raw, reason };
}

function isRebalanceError(error: unknown): boolean {
  const type = (error as { type?: string }).type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'NOT_COORDINATOR';
}

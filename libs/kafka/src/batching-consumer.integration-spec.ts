import { deadLetterTopicFor, jsonCodec } from '@faultline/contracts';
import { Admin, ConsumerConfig, Kafka, Partitioners, Producer } from 'kafkajs';
import { z } from 'zod';
import { committedOffsets, createTestTopics, logEndOffsets, readWholeTopic, waitUntil } from '../test/broker-fixtures';
import { requireEnv, uniqueName } from '../test/integration-env';
import { BatchHandler, BatchingConsumer, BatchingConsumerOptions, ConsumerLog } from './batching-consumer';
import { createKafka } from './kafka.factory';
import { KafkaProducer } from './kafka.producer';
import { ConsumedMessage } from './pending-batch';
import { RetryPolicy } from './retry';

/*
 * The consumer runtime against the run's real broker. Each test gets its own topic (and `.dlq`) and
 * consumer group, so tests and test files never share offsets or messages.
 */

// The integration project's `testTimeout` in jest.config.js does not apply (jest-circus reads only the
// global one), so the bound is set here; every test finishes in a few seconds when things work.
jest.setTimeout(30_000);

const orderEvent = z.object({ n: z.number().int().nonnegative(), orderId: z.string() });
type OrderEvent = z.infer<typeof orderEvent>;
const codec = jsonCodec(orderEvent);

/** Appended to every partition by {@link newMemberReceives}; never produced by a test itself. */
const SENTINEL_BASE = 1_000_000;
/** Partitions asked of a real cluster; the mock creates 4 whatever is asked. */
const PARTITIONS = 6;

const kafka = createKafka({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'batching-consumer-it' });
/**
 * The same client, except that consumers use a 6 s session timeout (the least a real broker accepts,
 * group.min.session.timeout.ms) instead of kafkajs' 30 s. librdkafka's mock cluster holds the
 * rebalance after a member leaves for the session timeout less a second, where a real broker
 * rebalances at once; with the default, the next member of a group would wait 29 s to join.
 */
const kafkaWithShortSessions = new Proxy(kafka, {
  get: (target, property) =>
    property === 'consumer'
      ? (config: ConsumerConfig) => target.consumer({ ...config, sessionTimeout: 6000, heartbeatInterval: 1000 })
      : Reflect.get(target, property),
}) as Kafka;
let admin: Admin;
let producer: Producer;
let deadLetterProducer: KafkaProducer;
const running = new Set<BatchingConsumer<OrderEvent>>();

beforeAll(async () => {
  admin = kafka.admin();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  deadLetterProducer = new KafkaProducer(kafka, { idempotent: false });
  await Promise.all([admin.connect(), producer.connect(), deadLetterProducer.connect()]);
});

afterEach(async () => {
  await Promise.all([...running].map((consumer) => stopConsumer(consumer)));
});

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect(), deadLetterProducer.disconnect()]);
});

interface TestTopic {
  topic: string;
  deadLetterTopic: string;
  partitions: number;
  deadLetterPartitions: number;
  groupId: string;
}

async function newTopic(label: string): Promise<TestTopic> {
  const topic = uniqueName(`bc_${label}`);
  const deadLetterTopic = deadLetterTopicFor(topic);
  const counts = await createTestTopics(admin, [topic, deadLetterTopic], PARTITIONS);
  return {
    topic,
    deadLetterTopic,
    partitions: counts.get(topic) ?? 0,
    deadLetterPartitions: counts.get(deadLetterTopic) ?? 0,
    groupId: uniqueName(`bc_${label}_group`),
  };
}

function orderEvents(count: number): OrderEvent[] {
  return Array.from({ length: count }, (_, n) => ({ n, orderId: `ord_${n.toString(16).padStart(6, '0')}` }));
}

/** Keyed by order id, so the Java-compatible partitioner spreads them over every partition. */
async function produce(topic: string, messages: { key: string; value: Buffer | string }[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(start, start + 500) });
  }
}

async function produceEvents(topic: string, events: OrderEvent[]): Promise<void> {
  await produce(
    topic,
    events.map((event) => ({ key: event.orderId, value: codec.encode(event) })),
  );
}

interface LogLine {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function recordingLog(lines: LogLine[]): ConsumerLog {
  return {
    info: (fields, message) => lines.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message }),
    error: (fields, message) => lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
  };
}

interface Harness {
  consumer: BatchingConsumer<OrderEvent>;
  fatalErrors: Error[];
  log: LogLine[];
}

async function startConsumer(
  target: TestTopic,
  handler: BatchHandler<OrderEvent>,
  options: Partial<Pick<BatchingConsumerOptions<OrderEvent>, 'batchSize' | 'maxWaitMs' | 'maxInvalidRatio'>> & { retry?: RetryPolicy } = {},
): Promise<Harness> {
  const fatalErrors: Error[] = [];
  const log: LogLine[] = [];
  const consumer = new BatchingConsumer(
    kafkaWithShortSessions,
    {
      groupId: target.groupId,
      topic: target.topic,
      codec,
      batchSize: options.batchSize ?? 100,
      maxWaitMs: options.maxWaitMs ?? 100,
      maxInvalidRatio: options.maxInvalidRatio,
      retry: options.retry,
      deadLetterProducer,
      log: recordingLog(log),
      onFatal: (error) => fatalErrors.push(error),
    },
    handler,
  );
  running.add(consumer);
  await consumer.start();
  return { consumer, fatalErrors, log };
}

async function stopConsumer(consumer: BatchingConsumer<OrderEvent>): Promise<void> {
  running.delete(consumer);
  await consumer.stop();
}

/**
 * What a new member of the group receives after the previous one left: it starts from the group's
 * committed offsets. A sentinel appended to every partition marks the end of what was there before,
 * so once every sentinel arrived, everything before them that was not committed has arrived too.
 */
async function newMemberReceives(target: TestTopic): Promise<OrderEvent[]> {
  const received: OrderEvent[] = [];
  const sentinelsSeen = new Set<number>();
  const { consumer } = await startConsumer(target, async (messages) => {
    for (const { value } of messages) {
      if (value.n >= SENTINEL_BASE) sentinelsSeen.add(value.n);
      else received.push(value);
    }
  });
  await producer.send({
    topic: target.topic,
    acks: -1,
    messages: Array.from({ length: target.partitions }, (_, partition) => ({
      partition,
      key: `sentinel-${partition}`,
      value: codec.encode({ n: SENTINEL_BASE + partition, orderId: 'sentinel' }),
    })),
  });
  await waitUntil(() => sentinelsSeen.size === target.partitions, 'the new member received every sentinel');
  await stopConsumer(consumer);
  return received;
}

/** Committed offsets equal the log end on every partition: everything produced is done. */
async function expectEverythingCommitted(target: TestTopic): Promise<void> {
  const [committed, logEnd] = await Promise.all([committedOffsets(admin, target.groupId, target.topic), logEndOffsets(admin, target.topic)]);
  expect(committed).toEqual(logEnd);
}

async function expectNothingCommitted(target: TestTopic): Promise<void> {
  const committed = await committedOffsets(admin, target.groupId, target.topic);
  expect([...committed.values()].every((offset) => offset === -1n)).toBe(true);
}

const ns = (messages: ConsumedMessage<OrderEvent>[]) => messages.map((message) => message.value.n);
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const range = (count: number) => Array.from({ length: count }, (_, n) => n);

describe('BatchingConsumer (real broker)', () => {
  it('hands every message to the handler in batches of at most batchSize and commits them all on stop', async () => {
    const target = await newTopic('all');
    expect(target.partitions).toBeGreaterThanOrEqual(4);
    const batches: ConsumedMessage<OrderEvent>[][] = [];
    const { consumer, fatalErrors } = await startConsumer(
      target,
      async (messages) => {
        batches.push(messages);
      },
      { batchSize: 100, maxWaitMs: 100 },
    );

    await produceEvents(target.topic, orderEvents(2000));
    await waitUntil(() => batches.reduce((sum, batch) => sum + batch.length, 0) >= 2000, 'the handler saw 2000 messages');
    await stopConsumer(consumer);

    const handled = batches.flatMap(ns);
    expect(sorted(handled)).toEqual(range(2000)); // each once: no loss, no duplicate
    const partitionsSeen = new Set(batches.flat().map((message) => message.partition));
    expect(partitionsSeen.size).toBe(target.partitions);
    expect(fatalErrors).toEqual([]);

    await expectEverythingCommitted(target);
    expect(await newMemberReceives(target)).toEqual([]);

    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(100);
    expect(batches.length).toBeGreaterThanOrEqual(20);
  });

  it('retries a failing write with backoff, then handles and commits everything once it recovers', async () => {
    const target = await newTopic('transient');
    const calls: { at: number; ns: number[] }[] = [];
    const duringOutage: { readiness: { ok: boolean; detail?: string }; committed: Map<number, bigint> }[] = [];
    const FAILING_CALLS = 3;
    const underTest: { consumer?: BatchingConsumer<OrderEvent> } = {};
    const { consumer, fatalErrors, log } = await startConsumer(
      target,
      async (messages) => {
        calls.push({ at: Date.now(), ns: ns(messages) });
        if (calls.length <= FAILING_CALLS) {
          if (calls.length > 1 && underTest.consumer) {
            duringOutage.push({
              readiness: underTest.consumer.readiness(),
              committed: await committedOffsets(admin, target.groupId, target.topic),
            });
          }
          throw new Error('ClickHouse is unavailable (simulated)');
        }
      },
      { batchSize: 50, maxWaitMs: 100, retry: { initialDelayMs: 100, maxDelayMs: 1000, giveUpAfterMs: 20_000 } },
    );
    underTest.consumer = consumer;

    await produceEvents(target.topic, orderEvents(200));
    await waitUntil(() => new Set(calls.slice(FAILING_CALLS).flatMap((call) => call.ns)).size >= 200, 'every message was handled');
    expect(consumer.readiness()).toEqual({ ok: true });
    await stopConsumer(consumer);

    // The same batch came back on every retry until it went through; no other batch overtook it.
    for (const call of calls.slice(1, FAILING_CALLS + 1)) expect(call.ns).toEqual(calls[0].ns);
    expect(sorted([...new Set(calls.slice(FAILING_CALLS).flatMap((call) => call.ns))])).toEqual(range(200));

    // Capped exponential backoff with jitter: attempt k waits 50-100% of 100 ms * 2^(k-1).
    const retries = log.filter((line) => line.message === 'write failed; retrying');
    expect(retries.map((line) => line.fields['attempt'])).toEqual([1, 2, 3]);
    retries.forEach((line, index) => {
      const delayMs = line.fields['delayMs'] as number;
      expect(delayMs).toBeGreaterThanOrEqual(50 * 2 ** index);
      expect(delayMs).toBeLessThanOrEqual(100 * 2 ** index);
      // Timers may fire a millisecond early by Date.now()'s reckoning.
      expect(calls[index + 1].at - calls[index].at).toBeGreaterThanOrEqual(delayMs - 2);
    });

    // While the write failed: not ready (so a probe can see it), and nothing committed ahead of the write.
    expect(duringOutage).toHaveLength(FAILING_CALLS - 1);
    for (const { readiness, committed } of duringOutage) {
      expect(readiness).toEqual({ ok: false, detail: expect.stringContaining('ClickHouse is unavailable (simulated)') });
      expect([...committed.values()].every((offset) => offset === -1n)).toBe(true);
    }
    expect(fatalErrors).toEqual([]);
    await expectEverythingCommitted(target);
  });

  it('commits nothing when the write never succeeds: it gives up loudly and a new member gets every message again', async () => {
    const target = await newTopic('fatal');
    let calls = 0;
    const { consumer, fatalErrors, log } = await startConsumer(
      target,
      async () => {
        calls++;
        throw new Error('write refused (simulated)');
      },
      { batchSize: 100, maxWaitMs: 100, retry: { initialDelayMs: 20, maxDelayMs: 50, giveUpAfterMs: 300 } },
    );

    await produceEvents(target.topic, orderEvents(30));
    await waitUntil(() => fatalErrors.length > 0, 'onFatal was called');
    expect(calls).toBeGreaterThan(1);
    expect(fatalErrors.map((error) => error.message)).toEqual(['write refused (simulated)']);
    expect(consumer.liveness()).toEqual({ ok: false, detail: 'write refused (simulated)' });
    expect(consumer.readiness().ok).toBe(false);
    await expectNothingCommitted(target);

    // It left the group before reporting the error: a new member gets every partition at once (a
    // member that stayed would keep some, and the new one would never see their messages).
    expect(log.filter((line) => line.message === 'left the consumer group after the fatal error')).toHaveLength(1);
    expect(sorted((await newMemberReceives(target)).map((event) => event.n))).toEqual(range(30));
    await stopConsumer(consumer);
    expect(fatalErrors).toHaveLength(1);
  });

  it('dead-letters undecodable messages with the reason and their original bytes, and handles the valid ones around them', async () => {
    const target = await newTopic('invalid');
    const valid = orderEvents(100);
    const invalid = [
      { key: 'bad-truncated', value: '{"n": 7, "orderId": "ord_0', reason: /^not JSON: / },
      { key: 'bad-html', value: '<html><body>502 Bad Gateway</body></html>', reason: /^not JSON: / },
      { key: 'bad-n-type', value: '{"n":"7","orderId":"ord_000007"}', reason: /^invalid at n: / },
      { key: 'bad-missing', value: '{"orderId":"ord_000008"}', reason: /^invalid at n: / },
      { key: 'bad-root', value: '[1,2,3]', reason: /^invalid at \(root\): / },
    ];
    const messages = valid.map((event) => ({ key: event.orderId, value: codec.encode(event) as Buffer | string }));
    invalid.forEach((bad, index) => messages.splice(index * 20 + 10, 0, { key: bad.key, value: bad.value }));

    const handled: number[] = [];
    const { consumer, fatalErrors } = await startConsumer(target, async (batch) => {
      handled.push(...ns(batch));
    });
    await produce(target.topic, messages);
    await waitUntil(() => handled.length >= 100, 'every valid message was handled');
    await stopConsumer(consumer);

    expect(sorted(handled)).toEqual(range(100));
    expect(fatalErrors).toEqual([]);
    const deadLetters = await readWholeTopic(kafka, target.deadLetterTopic, target.deadLetterPartitions);
    expect(deadLetters).toHaveLength(invalid.length);
    for (const bad of invalid) {
      const deadLetter = deadLetters.find((message) => message.key === bad.key);
      expect(deadLetter).toBeDefined();
      expect(deadLetter?.value.toString('utf8')).toBe(bad.value);
      expect(deadLetter?.headers['x-faultline-reason']).toMatch(bad.reason);
      expect(deadLetter?.headers['x-faultline-source']).toMatch(new RegExp(`^${target.topic}/\\d+/\\d+$`));
    }
    await expectEverythingCommitted(target);
  });

  it('stops loudly on a burst of invalid messages above the ratio instead of dead-lettering the stream', async () => {
    const target = await newTopic('burst');
    // 40 valid among 300: a bad deploy upstream.
    const messages = orderEvents(300).map((event) =>
      event.n % 15 < 2 ? { key: event.orderId, value: codec.encode(event) as Buffer | string } : { key: event.orderId, value: `v2|${event.orderId}|${event.n}` },
    );
    const { consumer, fatalErrors } = await startConsumer(target, async () => undefined, { batchSize: 50, maxWaitMs: 100, maxInvalidRatio: 0.2 });

    await produce(target.topic, messages);
    await waitUntil(() => fatalErrors.length > 0, 'onFatal was called');
    expect(fatalErrors).toHaveLength(1);
    expect(fatalErrors[0].message).toMatch(new RegExp(`^too many invalid messages on ${target.topic}: \\d+ of the last \\d+ messages were invalid \\(limit 0.2\\)$`));
    expect(consumer.liveness().ok).toBe(false);
    await stopConsumer(consumer);

    // At most what was flushed before the ratio could be judged (fewer than 100 messages seen) went
    // to the DLQ; the rest stays uncommitted for a fixed consumer to read again.
    const deadLetters = await readWholeTopic(kafka, target.deadLetterTopic, target.deadLetterPartitions);
    expect(deadLetters.length).toBeLessThan(100);
    const committed = await committedOffsets(admin, target.groupId, target.topic);
    const committedCount = [...committed.values()].reduce((sum, offset) => sum + (offset > 0n ? offset : 0n), 0n);
    expect(committedCount).toBeLessThan(100n);
    expect(fatalErrors).toHaveLength(1);
  });

  it('dead-letters the messages the handler rejects, with the handler\'s reason, and commits the batch', async () => {
    const target = await newTopic('rejected');
    const events = orderEvents(60);
    const handled: number[] = [];
    const { consumer, fatalErrors } = await startConsumer(target, async (batch) => {
      handled.push(...ns(batch));
      return {
        rejected: batch
          .filter((message) => message.value.n % 10 === 3)
          .map((message) => ({ message, reason: `order ${message.value.orderId} belongs to no known tenant` })),
      };
    });
    await produceEvents(target.topic, events);
    await waitUntil(() => handled.length >= 60, 'every message was handled');
    await stopConsumer(consumer);

    expect(sorted(handled)).toEqual(range(60));
    expect(fatalErrors).toEqual([]);
    const deadLetters = await readWholeTopic(kafka, target.deadLetterTopic, target.deadLetterPartitions);
    const rejected = events.filter((event) => event.n % 10 === 3);
    expect(deadLetters.map((message) => message.key).sort()).toEqual(rejected.map((event) => event.orderId).sort());
    for (const event of rejected) {
      const deadLetter = deadLetters.find((message) => message.key === event.orderId);
      expect(deadLetter?.value).toEqual(codec.encode(event));
      expect(deadLetter?.headers['x-faultline-reason']).toBe(`order ${event.orderId} belongs to no known tenant`);
    }
    await expectEverythingCommitted(target);
  });
});

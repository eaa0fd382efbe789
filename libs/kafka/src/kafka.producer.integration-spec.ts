import type { Admin, Kafka, ProducerConfig } from 'kafkajs';
import { createTestTopics, readWholeTopic } from '../test/broker-fixtures';
import { requireEnv, uniqueName } from '../test/integration-env';
import { createKafka } from './kafka.factory';
import { KafkaProducer } from './kafka.producer';
import { DEFAULT_MAX_SEND_BYTES } from './produce-chunks';

jest.setTimeout(60_000);

const kafka = createKafka({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'kafka-producer-it' });
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

/**
 * One send of 3 MB for one key, so for one partition: the size of a request of ten thousand spans of
 * one trace. Raw kafkajs would put it in one record batch, which a broker with the default
 * `message.max.bytes` (1 MiB) refuses. (The librdkafka mock does not enforce that limit, so the spec
 * shows the split by counting produce requests, each under the budget.)
 */
describe('KafkaProducer.send of more than a broker takes in one batch', () => {
  const messages = Array.from({ length: 1200 }, (_, n) => ({ key: 'one-trace', value: Buffer.from(`${n}:`.padEnd(2500, 'x')) }));

  it('writes every message, in order, in produce requests under the budget', async () => {
    const topic = uniqueName('producer-chunked');
    const partitions = await createTestTopics(admin, [topic], 1);
    const produceRequestBytes: number[] = [];
    // The kafkajs producer KafkaProducer creates, watched through its instrumentation events.
    const watched = new Proxy(kafka, {
      get: (target, property) =>
        property === 'producer'
          ? (config: ProducerConfig) => {
              const producer = target.producer(config);
              producer.on(producer.events.REQUEST, ({ payload }) => {
                if (payload.apiName === 'Produce') produceRequestBytes.push(payload.size);
              });
              return producer;
            }
          : Reflect.get(target, property),
    }) as Kafka;
    const producer = new KafkaProducer(watched, { idempotent: false });
    await producer.connect();
    try {
      await producer.send(topic, messages);
    } finally {
      await producer.disconnect();
    }
    const totalBytes = messages.length * 2500;
    expect(produceRequestBytes.length).toBeGreaterThanOrEqual(Math.ceil(totalBytes / DEFAULT_MAX_SEND_BYTES));
    expect(Math.max(...produceRequestBytes)).toBeLessThan(1024 * 1024);

    const read = await readWholeTopic(kafka, topic, partitions.get(topic) as number);
    expect(read).toHaveLength(messages.length);
    // One key, one partition, the order of the send.
    expect(new Set(read.map((message) => message.partition)).size).toBe(1);
    expect(read.map((message) => message.value.toString().split(':')[0])).toEqual(messages.map((_, n) => String(n)));
  });
});

import type { Kafka } from 'kafkajs';
import { KafkaProducer } from './kafka.producer';

/** Records the options kafkajs receives; the producer itself is exercised against a broker in the integration specs. */
function recordingKafka() {
  const received: Record<string, unknown>[] = [];
  const kafka = {
    producer: (options: Record<string, unknown>) => {
      received.push(options);
      return { on: () => undefined, events: { CONNECT: 'connect', DISCONNECT: 'disconnect' } };
    },
  } as unknown as Kafka;
  return { kafka, received };
}

describe('KafkaProducer options', () => {
  it('asks kafkajs for an idempotent producer with one request in flight', () => {
    const { kafka, received } = recordingKafka();
    new KafkaProducer(kafka, { idempotent: true });
    expect(received[0]).toMatchObject({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  });

  it('leaves idempotence off for brokers without it (the local mock cluster)', () => {
    const { kafka, received } = recordingKafka();
    new KafkaProducer(kafka, { idempotent: false });
    expect(received[0]).toMatchObject({ idempotent: false });
    expect(received[0]).not.toHaveProperty('maxInFlightRequests');
  });
});

import { errorSpanCodec, type ErrorSpanMessage } from '@faultline/contracts';
import type { KafkaProducer, OutgoingMessage } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import { KafkaSpanPublisher } from './kafka-span-publisher';
import { SpanPublishError } from './span-publisher';

/** Stands in for the kafkajs-backed producer; real-Kafka behaviour is covered by the kafka lib's integration specs. */
class FakeProducer {
  readonly sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  isConnected = false;
  failure: Error | undefined;

  async connect(): Promise<void> {
    this.isConnected = true;
  }
  async disconnect(): Promise<void> {
    this.isConnected = false;
  }
  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push({ topic, messages });
  }
}

function message(traceId: string, service: string): ErrorSpanMessage {
  return {
    schema: 'error-span/v1',
    tenant: 'default',
    receivedAt: 1,
    protocol: 'datadog-v0.4',
    traceId,
    traceIdHex: null,
    spanId: traceId,
    parentId: '0',
    service,
    name: 'express.request',
    resource: 'GET /',
    startNs: '1795571501272004352',
    durationNs: 10,
    error: { type: 'TypeError', message: 'x', stack: 'TypeError: x' },
    env: null,
    version: null,
    host: null,
    container: null,
    tags: {},
  };
}

describe('KafkaSpanPublisher', () => {
  let producer: FakeProducer;
  let health: HealthRegistry;
  let publisher: KafkaSpanPublisher;

  beforeEach(() => {
    producer = new FakeProducer();
    health = new HealthRegistry();
    publisher = new KafkaSpanPublisher(producer as unknown as KafkaProducer, health);
  });

  it('produces to error-spans keyed by trace id, not by service', async () => {
    const messages = [message('3983546689382542143', 'checkout'), message('777891375745167655', 'checkout')];

    await publisher.publish(messages);

    expect(producer.sent).toHaveLength(1);
    expect(producer.sent[0].topic).toBe('error-spans');
    expect(producer.sent[0].messages.map((sent) => sent.key)).toEqual(['3983546689382542143', '777891375745167655']);
    expect(errorSpanCodec.decode(producer.sent[0].messages[0].value)).toEqual(messages[0]);
  });

  it('sends nothing for an empty batch', async () => {
    await publisher.publish([]);
    expect(producer.sent).toEqual([]);
  });

  it('wraps producer failures so the HTTP layer can answer 503', async () => {
    producer.failure = new Error('broker down');
    await expect(publisher.publish([message('1', 'checkout')])).rejects.toBeInstanceOf(SpanPublishError);
  });

  it('is ready only while the producer is connected', async () => {
    expect((await health.checkReadiness()).ok).toBe(false);
    await publisher.onModuleInit();
    expect(await health.checkReadiness()).toEqual({ ok: true, checks: { 'kafka-producer': { ok: true } } });
  });
});

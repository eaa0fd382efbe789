import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { errorSpanCodec, type ErrorSpanMessage, TOPICS } from '@faultline/contracts';
import { KafkaProducer } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import { SpanPublisher, SpanPublishError } from './span-publisher';

/**
 * Produces kept spans to `error-spans`, keyed by trace id: ids are random, so load spreads evenly over
 * partitions, where a service key would turn one noisy service into a hot partition.
 */
@Injectable()
export class KafkaSpanPublisher extends SpanPublisher implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly producer: KafkaProducer,
    health: HealthRegistry,
  ) {
    super();
    health.addReadinessCheck('kafka-producer', () =>
      producer.isConnected ? { ok: true } : { ok: false, detail: 'producer not connected' },
    );
  }

  /** Connect before listening: a process that cannot publish should not take traffic. */
  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  async publish(messages: ErrorSpanMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.producer.send(
        TOPICS.errorSpans,
        messages.map((message) => ({ key: message.traceId, value: errorSpanCodec.encode(message) })),
      );
    } catch (error) {
      throw new SpanPublishError(error);
    }
  }
}

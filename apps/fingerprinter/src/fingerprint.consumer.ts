import { errorSpanCodec, ErrorSpanMessage, TOPICS } from '@faultline/contracts';
import type { FingerprinterConfig } from '@faultline/config';
import { BatchingConsumer, KAFKA, KafkaProducer } from '@faultline/kafka';
import type { Kafka } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import type { Logger } from '@faultline/observability';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, FATAL_HANDLER } from './tokens';
import { FingerprintBatchHandler } from './fingerprint-batch.handler';

export const FINGERPRINTER_GROUP = 'faultline-fingerprinter';

/** Owns the consumer's life: starts after the app is wired, drains and commits on shutdown. */
@Injectable()
export class FingerprintConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: BatchingConsumer<ErrorSpanMessage>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly producer: KafkaProducer,
    @Inject(APP_CONFIG) config: FingerprinterConfig,
    @Inject(APP_LOGGER) log: Logger,
    @Inject(FATAL_HANDLER) onFatal: (error: Error) => void,
    health: HealthRegistry,
  ) {
    const handler = new FingerprintBatchHandler(producer);
    this.consumer = new BatchingConsumer(
      kafka,
      {
        groupId: FINGERPRINTER_GROUP,
        topic: TOPICS.errorSpans,
        codec: errorSpanCodec,
        batchSize: config.FINGERPRINTER_BATCH_SIZE,
        maxWaitMs: config.FINGERPRINTER_BATCH_MAX_WAIT_MS,
        deadLetterProducer: producer,
        log,
        onFatal,
      },
      (messages) => handler.handle(messages),
    );
    health.addLivenessCheck('consumer', () => this.consumer.liveness());
    health.addReadinessCheck('consumer', () => this.consumer.readiness());
    health.addReadinessCheck('producer', () => ({ ok: producer.isConnected, detail: producer.isConnected ? undefined : 'producer disconnected' }));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.producer.disconnect();
  }
}

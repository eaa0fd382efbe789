import { CONSUMER_GROUPS, errorSpanCodec, ErrorSpanMessage, TOPICS } from '@faultline/contracts';
import type { FingerprinterConfig } from '@faultline/config';
import { BatchingConsumer, KAFKA, KafkaProducer } from '@faultline/kafka';
import type { Kafka } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import type { Logger } from '@faultline/observability';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, FATAL_HANDLER } from './tokens';
import { FingerprintBatchHandler } from './fingerprint-batch.handler';
import { GroupingConfigCache } from './grouping-config.cache';


/**
 * Owns the consumer's life: starts after the app is wired, drains and commits on shutdown. The drain
 * runs in `beforeApplicationShutdown`: Nest calls the `onApplicationShutdown` hooks of one module all
 * at once, and the Redis client (closed there) must outlive the batch in flight.
 */
@Injectable()
export class FingerprintConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly consumer: BatchingConsumer<ErrorSpanMessage>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly producer: KafkaProducer,
    @Inject(APP_CONFIG) config: FingerprinterConfig,
    @Inject(APP_LOGGER) log: Logger,
    @Inject(FATAL_HANDLER) onFatal: (error: Error) => void,
    groupingConfigs: GroupingConfigCache,
    health: HealthRegistry,
  ) {
    const handler = new FingerprintBatchHandler(producer, groupingConfigs);
    this.consumer = new BatchingConsumer(
      kafka,
      {
        groupId: CONSUMER_GROUPS.fingerprinter,
        topic: TOPICS.errorSpans,
        codec: errorSpanCodec,
        batchSize: config.FINGERPRINTER_BATCH_SIZE,
        maxWaitMs: config.FINGERPRINTER_BATCH_MAX_WAIT_MS,
        maxInvalidRatio: config.FINGERPRINTER_MAX_INVALID_RATIO,
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

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

import { CONSUMER_GROUPS, occurrenceCodec, OccurrenceMessage, TOPICS } from '@faultline/contracts';
import type { AggregatorConfig } from '@faultline/config';
import { BatchingConsumer, KAFKA, KafkaProducer } from '@faultline/kafka';
import type { Kafka } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import type { Logger } from '@faultline/observability';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RecordOccurrencesUseCase } from './record-occurrences/record-occurrences.use-case';
import { APP_CONFIG, APP_LOGGER, FATAL_HANDLER } from './tokens';


/**
 * Owns the consumer's life: starts after the app is wired, drains and commits on shutdown. The drain
 * runs in `beforeApplicationShutdown`: Nest calls the `onApplicationShutdown` hooks of one module all
 * at once, and the ClickHouse and Redis clients (closed there) must outlive the batch in flight.
 */
@Injectable()
export class OccurrenceConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly consumer: BatchingConsumer<OccurrenceMessage>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    // The process's one producer: dead letters here, issue events in the use case (same instance).
    private readonly deadLetterProducer: KafkaProducer,
    useCase: RecordOccurrencesUseCase,
    @Inject(APP_CONFIG) config: AggregatorConfig,
    @Inject(APP_LOGGER) log: Logger,
    @Inject(FATAL_HANDLER) onFatal: (error: Error) => void,
    health: HealthRegistry,
  ) {
    this.consumer = new BatchingConsumer(
      kafka,
      {
        groupId: CONSUMER_GROUPS.aggregator,
        topic: TOPICS.occurrences,
        codec: occurrenceCodec,
        batchSize: config.AGGREGATOR_BATCH_SIZE,
        maxWaitMs: config.AGGREGATOR_BATCH_MAX_WAIT_MS,
        maxInvalidRatio: config.AGGREGATOR_MAX_INVALID_RATIO,
        deadLetterProducer,
        log,
        onFatal,
      },
      async (messages) => {
        await useCase.execute(messages.map((message) => message.value));
      },
    );
    health.addLivenessCheck('consumer', () => this.consumer.liveness());
    health.addReadinessCheck('consumer', () => this.consumer.readiness());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.deadLetterProducer.connect();
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.deadLetterProducer.disconnect();
  }
}

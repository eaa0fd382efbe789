import { AutoResolveQueries, CLICKHOUSE, ClickHouseModule, IssueHourlyCountsRepository, IssueRepository, OccurrenceRepository } from '@faultline/clickhouse';
import type { ClickHouseClient } from '@faultline/clickhouse';
import { AggregatorConfig } from '@faultline/config';
import { KafkaModule, KafkaProducer } from '@faultline/kafka';
import { createMetricsRegistry, HealthModule, Logger } from '@faultline/observability';
import { IssueStateStore, REDIS, RedisModule } from '@faultline/redis';
import type { RedisClient } from '@faultline/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { AutoResolveJob } from './auto-resolve/auto-resolve.job';
import { AutoResolveIssuesUseCase } from './auto-resolve/auto-resolve.use-case';
import { CounterRebuildBootstrap } from './counter-rebuild/counter-rebuild.bootstrap';
import { createRedisStateGuard } from './counter-rebuild/counter-rebuild.factory';
import { RedisStateGuard } from './counter-rebuild/redis-state.guard';
import { StateGuardedRecordOccurrencesUseCase } from './counter-rebuild/state-guarded-record-occurrences.use-case';
import { OccurrenceConsumer } from './occurrence.consumer';
import { KafkaIssueEventPublisher } from './record-occurrences/issue-event.publisher';
import { RecordOccurrencesUseCase } from './record-occurrences/record-occurrences.use-case';
import { APP_CONFIG, APP_LOGGER, FATAL_HANDLER } from './tokens';

@Module({})
export class AppModule {
  static register(config: AggregatorConfig, log: Logger, onFatal: (error: Error) => void): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ metrics: createMetricsRegistry('aggregator') }),
        KafkaModule.register({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-aggregator`,
          security: config,
          log: (level, message, extra) => log[level](extra, message),
          producer: { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER },
        }),
        ClickHouseModule.register({
          url: config.CLICKHOUSE_URL,
          username: config.CLICKHOUSE_USER,
          password: config.CLICKHOUSE_PASSWORD,
          cluster: config.CLICKHOUSE_CLUSTER,
        }),
        RedisModule.register(config),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: log },
        { provide: FATAL_HANDLER, useValue: onFatal },
        {
          // Rebuilds Redis from ClickHouse when it came back empty (README, Delivery and deduplication).
          provide: RedisStateGuard,
          useFactory: (clickhouse: ClickHouseClient, redis: RedisClient) => createRedisStateGuard(clickhouse, redis, config, log),
          inject: [CLICKHOUSE, REDIS],
        },
        { provide: CounterRebuildBootstrap, useFactory: (guard: RedisStateGuard) => new CounterRebuildBootstrap(guard, log), inject: [RedisStateGuard] },
        {
          provide: RecordOccurrencesUseCase,
          // The one producer of the process: dead letters and issue events (OccurrenceConsumer connects it).
          // Every batch first checks that Redis still holds the issue state (StateGuardedRecordOccurrencesUseCase).
          useFactory: (clickhouse: ClickHouseClient, redis: RedisClient, producer: KafkaProducer, stateGuard: RedisStateGuard) =>
            new StateGuardedRecordOccurrencesUseCase(
              stateGuard,
              new OccurrenceRepository(clickhouse, config.CLICKHOUSE_DATABASE),
              new IssueStateStore(redis, undefined, { hourlyRetentionHours: config.REDIS_HOURLY_COUNTS_RETENTION_HOURS }),
              new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE),
              new KafkaIssueEventPublisher(producer),
              new IssueHourlyCountsRepository(clickhouse, config.CLICKHOUSE_DATABASE),
              config.AGGREGATOR_DEDUPE_WINDOW_HOURS,
            ),
          inject: [CLICKHOUSE, REDIS, KafkaProducer, RedisStateGuard],
        },
        OccurrenceConsumer,
        {
          provide: AutoResolveJob,
          // Same producer as the consumer's (connected by it); the job's first run comes after that.
          useFactory: (clickhouse: ClickHouseClient, redis: RedisClient, producer: KafkaProducer) =>
            new AutoResolveJob(
              new AutoResolveIssuesUseCase(
                new AutoResolveQueries(clickhouse, config.CLICKHOUSE_DATABASE),
                new IssueStateStore(redis, undefined, { hourlyRetentionHours: config.REDIS_HOURLY_COUNTS_RETENTION_HOURS }),
                new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE),
                new KafkaIssueEventPublisher(producer),
                { inactiveDays: config.AGGREGATOR_AUTO_RESOLVE_INACTIVE_DAYS, versionGraceMs: config.AGGREGATOR_AUTO_RESOLVE_VERSION_GRACE_HOURS * 3_600_000 },
              ),
              config.AGGREGATOR_AUTO_RESOLVE_INTERVAL_MS,
              log,
            ),
          inject: [CLICKHOUSE, REDIS, KafkaProducer],
        },
      ],
    };
  }
}

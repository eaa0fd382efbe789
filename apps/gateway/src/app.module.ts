import { CLICKHOUSE, ClickHouseModule, IssueHourlyCountsRepository, IssueListQueries, IssueRepository, OccurrenceRepository } from '@faultline/clickhouse';
import type { ClickHouseClient } from '@faultline/clickhouse';
import { GatewayConfig } from '@faultline/config';
import { KafkaModule } from '@faultline/kafka';
import { createMetricsRegistry, HealthModule, Logger } from '@faultline/observability';
import { GroupingConfigStore, IssueStateStore, ListSnapshotStore, REDIS, RedisModule } from '@faultline/redis';
import type { RedisClient } from '@faultline/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { GROUPING_CONFIG } from './graphql/grouping-config.port';
import { GraphqlServer } from './graphql/graphql.server';
import { ClickHouseIssueReader } from './graphql/issue-reader.adapter';
import { ISSUE_READER } from './graphql/issue-reader.port';
import type { IssueReader } from './graphql/issue-reader.port';
import { ISSUE_EVENT_PUBLISHER, ISSUE_PROJECTION, ISSUE_STATE } from './issue-workflow/issue-workflow.port';
import type { IssueEventPublisher, IssueProjectionWriter, IssueStateAdmin } from './issue-workflow/issue-workflow.port';
import { IssueWorkflow } from './issue-workflow/issue-workflow.service';
import { KafkaIssueEventPublisher } from './issue-workflow/kafka-issue-event.publisher';
import { CountSeriesSource } from './issue-detail/count-series.loader';
import { IssueListService } from './issue-list/issue-list.service';
import { COUNT_SERIES, GATEWAY_OPTIONS, ISSUE_LIST, TRACKED_VALUES } from './tokens';
import type { GatewayOptions } from './tokens';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, log: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ metrics: createMetricsRegistry('gateway') }),
        ClickHouseModule.register({
          url: config.CLICKHOUSE_URL,
          username: config.CLICKHOUSE_USER,
          password: config.CLICKHOUSE_PASSWORD,
          cluster: config.CLICKHOUSE_CLUSTER,
        }),
        RedisModule.register(config),
        KafkaModule.register({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-gateway`,
          security: config,
          log: (level, message, extra) => log[level](extra, message),
          producer: { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER },
        }),
      ],
      providers: [
        {
          provide: GATEWAY_OPTIONS,
          useValue: {
            introspection: config.GATEWAY_INTROSPECTION,
            limits: { maxDepth: config.GATEWAY_MAX_QUERY_DEPTH, maxCost: config.GATEWAY_MAX_QUERY_COST },
            ide: config.GATEWAY_GRAPHQL_IDE,
          } satisfies GatewayOptions,
        },
        {
          provide: ISSUE_READER,
          useFactory: (clickhouse: ClickHouseClient) =>
            new ClickHouseIssueReader({
              issues: new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE),
              lists: new IssueListQueries(clickhouse, config.CLICKHOUSE_DATABASE),
              occurrences: new OccurrenceRepository(clickhouse, config.CLICKHOUSE_DATABASE),
              hourlyCounts: new IssueHourlyCountsRepository(clickhouse, config.CLICKHOUSE_DATABASE),
            }),
          inject: [CLICKHOUSE],
        },
        {
          provide: ISSUE_LIST,
          useFactory: (reader: IssueReader, redis: RedisClient) =>
            new IssueListService(reader, new ListSnapshotStore(redis, config.GATEWAY_LIST_SNAPSHOT_TTL_SECONDS), config.GATEWAY_LIST_SNAPSHOT_MAX_ISSUES),
          inject: [ISSUE_READER, REDIS],
        },
        {
          provide: COUNT_SERIES,
          useFactory: (reader: IssueReader, redis: RedisClient) =>
            new CountSeriesSource(reader, new IssueStateStore(redis), config.REDIS_HOURLY_COUNTS_RETENTION_HOURS, Date.now),
          inject: [ISSUE_READER, REDIS],
        },
        { provide: TRACKED_VALUES, useFactory: (redis: RedisClient) => new IssueStateStore(redis), inject: [REDIS] },
        { provide: GROUPING_CONFIG, useFactory: (redis: RedisClient) => new GroupingConfigStore(redis), inject: [REDIS] },
        { provide: ISSUE_STATE, useFactory: (redis: RedisClient): IssueStateAdmin => new IssueStateStore(redis), inject: [REDIS] },
        {
          provide: ISSUE_PROJECTION,
          useFactory: (clickhouse: ClickHouseClient): IssueProjectionWriter => new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE),
          inject: [CLICKHOUSE],
        },
        { provide: ISSUE_EVENT_PUBLISHER, useClass: KafkaIssueEventPublisher },
        {
          provide: IssueWorkflow,
          useFactory: (state: IssueStateAdmin, projection: IssueProjectionWriter, reader: IssueReader, events: IssueEventPublisher) =>
            new IssueWorkflow(state, projection, reader, events),
          inject: [ISSUE_STATE, ISSUE_PROJECTION, ISSUE_READER, ISSUE_EVENT_PUBLISHER],
        },
        GraphqlServer,
      ],
    };
  }
}

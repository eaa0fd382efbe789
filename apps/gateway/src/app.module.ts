import { clickhouseReadiness, createClickHouseClient, IssueRepository, OccurrenceRepository } from '@faultline/clickhouse';
import type { ClickHouseClient } from '@faultline/clickhouse';
import { GatewayConfig } from '@faultline/config';
import { createMetricsRegistry, HealthModule, HealthRegistry } from '@faultline/observability';
import { createRedisClient, GroupingConfigStore, redisReadiness } from '@faultline/redis';
import type { Redis } from '@faultline/redis';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { GROUPING_CONFIG } from './graphql/grouping-config.port';
import { GraphqlServer } from './graphql/graphql.server';
import { ClickHouseIssueReader } from './graphql/issue-reader.adapter';
import { ISSUE_READER } from './graphql/issue-reader.port';
import { GATEWAY_OPTIONS } from './tokens';

const CLICKHOUSE = Symbol('CLICKHOUSE');
const REDIS = Symbol('REDIS');

/** Readiness of both stores, and their clients closed after Apollo has stopped (Nest calls shutdown hooks in reverse order). */
@Injectable()
class StorageLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
    @Inject(REDIS) private readonly redis: Redis,
    health: HealthRegistry,
  ) {
    health.addReadinessCheck('clickhouse', () => clickhouseReadiness(clickhouse));
    health.addReadinessCheck('redis', () => redisReadiness(redis));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
    this.redis.disconnect();
  }
}

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [HealthModule.forRoot({ metrics: createMetricsRegistry('gateway') })],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: { introspection: config.GATEWAY_INTROSPECTION } },
        {
          provide: CLICKHOUSE,
          useFactory: () =>
            createClickHouseClient({ url: config.CLICKHOUSE_URL, username: config.CLICKHOUSE_USER, password: config.CLICKHOUSE_PASSWORD }),
        },
        { provide: REDIS, useFactory: () => createRedisClient(config.REDIS_URL) },
        {
          provide: ISSUE_READER,
          useFactory: (clickhouse: ClickHouseClient) =>
            new ClickHouseIssueReader(new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE), new OccurrenceRepository(clickhouse, config.CLICKHOUSE_DATABASE)),
          inject: [CLICKHOUSE],
        },
        { provide: GROUPING_CONFIG, useFactory: (redis: Redis) => new GroupingConfigStore(redis), inject: [REDIS] },
        StorageLifecycle,
        GraphqlServer,
      ],
    };
  }
}

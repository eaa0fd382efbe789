import { CLICKHOUSE, ClickHouseModule, IssueRepository, OccurrenceRepository } from '@faultline/clickhouse';
import type { ClickHouseClient } from '@faultline/clickhouse';
import { GatewayConfig } from '@faultline/config';
import { createMetricsRegistry, HealthModule } from '@faultline/observability';
import { GroupingConfigStore, REDIS, RedisModule } from '@faultline/redis';
import type { Redis } from '@faultline/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { GROUPING_CONFIG } from './graphql/grouping-config.port';
import { GraphqlServer } from './graphql/graphql.server';
import { ClickHouseIssueReader } from './graphql/issue-reader.adapter';
import { ISSUE_READER } from './graphql/issue-reader.port';
import { GATEWAY_OPTIONS } from './tokens';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ metrics: createMetricsRegistry('gateway') }),
        ClickHouseModule.register({ url: config.CLICKHOUSE_URL, username: config.CLICKHOUSE_USER, password: config.CLICKHOUSE_PASSWORD }),
        RedisModule.register({ url: config.REDIS_URL }),
      ],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: { introspection: config.GATEWAY_INTROSPECTION } },
        {
          provide: ISSUE_READER,
          useFactory: (clickhouse: ClickHouseClient) =>
            new ClickHouseIssueReader(new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE), new OccurrenceRepository(clickhouse, config.CLICKHOUSE_DATABASE)),
          inject: [CLICKHOUSE],
        },
        { provide: GROUPING_CONFIG, useFactory: (redis: Redis) => new GroupingConfigStore(redis), inject: [REDIS] },
        GraphqlServer,
      ],
    };
  }
}

import { createClickHouseClient, IssueRepository, OccurrenceRepository } from '@faultline/clickhouse';
import type { ClickHouseClient } from '@faultline/clickhouse';
import { GatewayConfig } from '@faultline/config';
import { createMetricsRegistry, HealthModule, HealthRegistry } from '@faultline/observability';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { GraphqlServer } from './graphql/graphql.server';
import { ClickHouseIssueReader } from './graphql/issue-reader.adapter';
import { ISSUE_READER } from './graphql/issue-reader.port';
import { GATEWAY_OPTIONS } from './tokens';

const CLICKHOUSE = Symbol('CLICKHOUSE');

@Injectable()
class ClickHouseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient, health: HealthRegistry) {
    health.addReadinessCheck('clickhouse', async () => ((await clickhouse.ping()).success ? { ok: true } : { ok: false, detail: 'ping failed' }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
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
        {
          provide: ISSUE_READER,
          useFactory: (clickhouse: ClickHouseClient) =>
            new ClickHouseIssueReader(new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE), new OccurrenceRepository(clickhouse, config.CLICKHOUSE_DATABASE)),
          inject: [CLICKHOUSE],
        },
        ClickHouseLifecycle,
        GraphqlServer,
      ],
    };
  }
}

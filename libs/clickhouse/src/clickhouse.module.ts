import { HealthRegistry } from '@faultline/observability';
import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { clickhouseReadiness, createClickHouseClient } from './clickhouse.client';
import type { ClickHouseClient, ClickHouseClientOptions } from './clickhouse.client';

/** Injection token of a service's ClickHouse client. */
export const CLICKHOUSE = Symbol('CLICKHOUSE');

/**
 * Reports ClickHouse in readiness and closes the client at shutdown. Components that still write drain
 * in `beforeApplicationShutdown`, which Nest runs before every `onApplicationShutdown` hook.
 */
@Injectable()
class ClickHouseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient, health: HealthRegistry) {
    health.addReadinessCheck('clickhouse', () => clickhouseReadiness(clickhouse));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
  }
}

/** One ClickHouse client per service. Needs HealthModule (global) for its readiness check. */
@Global()
@Module({})
export class ClickHouseModule {
  static register(options: ClickHouseClientOptions): DynamicModule {
    return {
      module: ClickHouseModule,
      providers: [{ provide: CLICKHOUSE, useFactory: () => createClickHouseClient(options) }, ClickHouseLifecycle],
      exports: [CLICKHOUSE],
    };
  }
}

import { CounterRebuildQueries, IssueHourlyCountsRepository, IssueRepository, type ClickHouseClient } from '@faultline/clickhouse';
import type { AggregatorConfig } from '@faultline/config';
import type { Logger } from '@faultline/observability';
import { IssueStateMeta, IssueStateRebuildStore, type RedisClient } from '@faultline/redis';
import { RebuildCountersUseCase } from './rebuild-counters.use-case';
import { RedisStateGuard } from './redis-state.guard';

/** What the rebuild reads of the aggregator's configuration. */
export type CounterRebuildConfig = Pick<AggregatorConfig, 'CLICKHOUSE_DATABASE' | 'AGGREGATOR_DEDUPE_WINDOW_HOURS' | 'REDIS_HOURLY_COUNTS_RETENTION_HOURS'>;

/** The rebuild and its guard as the aggregator and `npm run rebuild-counters` use them (default key prefix). */
export function createRedisStateGuard(clickhouse: ClickHouseClient, redis: RedisClient, config: CounterRebuildConfig, log: Logger): RedisStateGuard {
  const rebuild = new RebuildCountersUseCase(
    new CounterRebuildQueries(clickhouse, config.CLICKHOUSE_DATABASE),
    new IssueStateRebuildStore(redis),
    new IssueRepository(clickhouse, config.CLICKHOUSE_DATABASE),
    new IssueHourlyCountsRepository(clickhouse, config.CLICKHOUSE_DATABASE),
    { dedupeWindowHours: config.AGGREGATOR_DEDUPE_WINDOW_HOURS, hourlyRetentionHours: config.REDIS_HOURLY_COUNTS_RETENTION_HOURS },
  );
  return new RedisStateGuard(new IssueStateMeta(redis), rebuild, log);
}

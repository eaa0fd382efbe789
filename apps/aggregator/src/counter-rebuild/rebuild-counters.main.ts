/**
 * `npm run rebuild-counters`: rebuilds the aggregator's Redis issue state (counts, first/last seen,
 * envs, hourly counters, dedupe sets) from ClickHouse and re-projects it, then marks the state
 * complete. Reads the aggregator's own variables (CLICKHOUSE_*, REDIS_URL, REDIS_SENTINEL*,
 * REDIS_CLUSTER_NODES, AGGREGATOR_DEDUPE_WINDOW_HOURS, REDIS_HOURLY_COUNTS_RETENTION_HOURS, LOG_LEVEL) with the same
 * defaults, and takes the same lock as the aggregators' automatic rebuild, so it can run while they
 * do. It lives in the aggregator app (not infra/) because it is the aggregator's code: the tooling
 * project may not import an app, and the aggregator image can run it as a one-off job.
 */
import 'reflect-metadata';
import { createClickHouseClient } from '@faultline/clickhouse';
import { aggregatorConfigSchema, loadConfig, redisEnvRules } from '@faultline/config';
import { z } from 'zod';
import { createLogger, runMain } from '@faultline/observability';
import { createRedisClient } from '@faultline/redis';
import { createRedisStateGuard } from './counter-rebuild.factory';

// zod cannot pick from a schema with cross-variable rules: pick from its fields, then add the Redis rules back.
const rebuildConfigSchema = z
  .object(aggregatorConfigSchema.shape)
  .pick({
  LOG_LEVEL: true,
  CLICKHOUSE_URL: true,
  CLICKHOUSE_USER: true,
  CLICKHOUSE_PASSWORD: true,
  CLICKHOUSE_DATABASE: true,
  CLICKHOUSE_CLUSTER: true,
  REDIS_URL: true,
  REDIS_SENTINELS: true,
  REDIS_SENTINEL_NAME: true,
  REDIS_CLUSTER_NODES: true,
  AGGREGATOR_DEDUPE_WINDOW_HOURS: true,
  REDIS_HOURLY_COUNTS_RETENTION_HOURS: true,
  })
  .check(redisEnvRules);

runMain(async () => {
  const config = loadConfig(rebuildConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'rebuild-counters');
  const clickhouse = createClickHouseClient({
    url: config.CLICKHOUSE_URL,
    username: config.CLICKHOUSE_USER,
    password: config.CLICKHOUSE_PASSWORD,
    cluster: config.CLICKHOUSE_CLUSTER,
    requestTimeoutMs: 10 * 60_000,
  });
  const redis = createRedisClient(config);
  try {
    const result = await createRedisStateGuard(clickhouse, redis, config, log).rebuildNow();
    console.log(
      `rebuilt ${result.issues} issue(s) of ${result.tenants} tenant(s) from ${config.CLICKHOUSE_DATABASE}: ` +
        `${result.seenIds} occurrence id(s) in dedupe sets, ${result.retried} re-read, ${(result.elapsedMs / 1000).toFixed(1)} s`,
    );
  } finally {
    redis.disconnect();
    await clickhouse.close();
  }
});

import type { ClickHouseCluster, LocalStackConfig, RedisClusterHandle } from '@faultline/local-stack';

/*
 * Jest runs globalSetup and globalTeardown in the same process, and globals set by the one are
 * visible to the other (and to no test). The integration stack's config travels that way.
 */
const KEY = Symbol.for('faultline.integration-stack');

type WithHandle = typeof globalThis & { [KEY]?: LocalStackConfig };

export function rememberIntegrationStack(config: LocalStackConfig): void {
  (globalThis as WithHandle)[KEY] = config;
}

export function takeIntegrationStack(): LocalStackConfig | undefined {
  const config = (globalThis as WithHandle)[KEY];
  delete (globalThis as WithHandle)[KEY];
  return config;
}

const CLUSTER_KEY = Symbol.for('faultline.integration-redis-cluster');

type WithClusterHandle = typeof globalThis & { [CLUSTER_KEY]?: RedisClusterHandle };

export function rememberRedisCluster(cluster: RedisClusterHandle): void {
  (globalThis as WithClusterHandle)[CLUSTER_KEY] = cluster;
}

export function takeRedisCluster(): RedisClusterHandle | undefined {
  const cluster = (globalThis as WithClusterHandle)[CLUSTER_KEY];
  delete (globalThis as WithClusterHandle)[CLUSTER_KEY];
  return cluster;
}

const CLICKHOUSE_CLUSTER_KEY = Symbol.for('faultline.integration-clickhouse-cluster');

type WithClickHouseClusterHandle = typeof globalThis & { [CLICKHOUSE_CLUSTER_KEY]?: ClickHouseCluster };

export function rememberClickHouseCluster(cluster: ClickHouseCluster): void {
  (globalThis as WithClickHouseClusterHandle)[CLICKHOUSE_CLUSTER_KEY] = cluster;
}

export function takeClickHouseCluster(): ClickHouseCluster | undefined {
  const cluster = (globalThis as WithClickHouseClusterHandle)[CLICKHOUSE_CLUSTER_KEY];
  delete (globalThis as WithClickHouseClusterHandle)[CLICKHOUSE_CLUSTER_KEY];
  return cluster;
}

import type { ClickHouseCluster, LocalStackConfig, RedisClusterHandle } from '@faultline/local-stack';

/*
 * Jest runs globalSetup and globalTeardown in the same process, and globals set by the one are
 * visible to the other (and to no test). What the setup started travels to the teardown that way.
 */
interface Handover<T> {
  remember(value: T): void;
  /** The remembered value, once: it is forgotten as it is taken. */
  take(): T | undefined;
}

function handover<T>(name: string): Handover<T> {
  const key = Symbol.for(`faultline.${name}`);
  const slots = globalThis as unknown as Record<symbol, T | undefined>;
  return {
    remember: (value) => {
      slots[key] = value;
    },
    take: () => {
      const value = slots[key];
      delete slots[key];
      return value;
    },
  };
}

const stack = handover<LocalStackConfig>('integration-stack');
const redisCluster = handover<RedisClusterHandle>('integration-redis-cluster');
const clickhouseCluster = handover<ClickHouseCluster>('integration-clickhouse-cluster');

export const rememberIntegrationStack = stack.remember;
export const takeIntegrationStack = stack.take;
export const rememberRedisCluster = redisCluster.remember;
export const takeRedisCluster = redisCluster.take;
export const rememberClickHouseCluster = clickhouseCluster.remember;
export const takeClickHouseCluster = clickhouseCluster.take;

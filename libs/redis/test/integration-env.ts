import { createRedisClient, isRedisCluster, type RedisClient } from '../src/redis.client';

/**
 * Integration specs get Redis from the integration jest project's global setup (libs/testing). A
 * missing variable fails the suite: silently skipping would let the test command pass untested.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run integration specs through the jest "integration" project, whose global setup starts the dependencies`);
  }
  return value;
}

/** A Redis the store specs run against: the run's standalone server, or its 3-master Redis Cluster. */
export interface RedisTarget {
  name: 'standalone' | 'cluster';
  /** A new client (the spec quits it). */
  connect(): RedisClient;
}

/**
 * Both Redis deployments of the integration run, for `describe.each(redisTargets())`: the
 * behaviour of every store must be the same on each. The cluster's seed nodes come from the global
 * setup (REDIS_CLUSTER_NODES_FOR_TESTS), parsed as REDIS_CLUSTER_NODES is.
 */
export function redisTargets(): RedisTarget[] {
  const url = requireEnv('REDIS_URL');
  const clusterNodes = requireEnv('REDIS_CLUSTER_NODES_FOR_TESTS')
    .split(',')
    .map((node) => ({ host: node.slice(0, node.lastIndexOf(':')), port: Number(node.slice(node.lastIndexOf(':') + 1)) }));
  return [
    { name: 'standalone', connect: () => createRedisClient(url) },
    { name: 'cluster', connect: () => createRedisClient({ REDIS_URL: 'redis://', REDIS_CLUSTER_NODES: clusterNodes }) },
  ];
}

/** SCRIPT FLUSH on every server holding data (each master of a cluster), as a restart of each would. */
export async function flushScriptCaches(redis: RedisClient): Promise<void> {
  if (!isRedisCluster(redis)) {
    await redis.script('FLUSH');
    return;
  }
  await redis.ping();
  await Promise.all(redis.nodes('master').map((node) => node.script('FLUSH')));
}

/** How many servers hold data: 1, or the masters of a cluster. */
export async function dataServers(redis: RedisClient): Promise<number> {
  if (!isRedisCluster(redis)) return 1;
  await redis.ping();
  return redis.nodes('master').length;
}

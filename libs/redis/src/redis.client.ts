import type { RedisEnv } from '@faultline/config';
import { Redis, RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisClientOptions {
  /** Retries of one command across reconnects before it fails (and the caller's own retry takes over). */
  maxRetriesPerRequest?: number;
}

/**
 * Where a client connects, as libs/config's redisEnv validates it: REDIS_URL alone for a standalone
 * server, or with REDIS_SENTINELS and REDIS_SENTINEL_NAME for a master found through Sentinel.
 * Redis Cluster is not supported: the issue-state scripts and pipelines touch keys in many hash slots.
 */
export type RedisConnectionSettings = Pick<RedisEnv, 'REDIS_URL'> & Partial<Pick<RedisEnv, 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME'>>;

/**
 * The ioredis options of a connection besides the URL (pure, so the spec can check the mapping).
 * Through Sentinel, the URL's host is not used; its user, password, database and rediss:// (TLS)
 * apply to the master and to the sentinels alike (as bitnami's chart configures them, auth.sentinel=true).
 */
export function redisConnectionOptions(settings: RedisConnectionSettings): { url?: string; options: RedisOptions } {
  if (!settings.REDIS_SENTINELS?.length) return { url: settings.REDIS_URL, options: {} };
  if (!settings.REDIS_SENTINEL_NAME) throw new Error('REDIS_SENTINEL_NAME is required when REDIS_SENTINELS is set');
  const url = new URL(settings.REDIS_URL);
  const username = decodeURIComponent(url.username) || undefined;
  const password = decodeURIComponent(url.password) || undefined;
  const database = url.pathname.replace(/^\//, '');
  const tls = url.protocol === 'rediss:';
  return {
    options: {
      sentinels: settings.REDIS_SENTINELS.map(({ host, port }) => ({ host, port })),
      name: settings.REDIS_SENTINEL_NAME,
      ...(username ? { username, sentinelUsername: username } : {}),
      ...(password ? { password, sentinelPassword: password } : {}),
      ...(database ? { db: Number(database) } : {}),
      ...(tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    },
  };
}

/**
 * Connects at once. A command fails after a few reconnect attempts rather than waiting forever, so
 * a Redis outage surfaces to the consumer runtime, which backs off and retries the whole batch
 * (its offsets are not committed until the write succeeded). A string is REDIS_URL alone.
 */
export function createRedisClient(connection: string | RedisConnectionSettings, options: RedisClientOptions = {}): Redis {
  const { url, options: connectionOptions } = redisConnectionOptions(typeof connection === 'string' ? { REDIS_URL: connection } : connection);
  const clientOptions: RedisOptions = {
    ...connectionOptions,
    lazyConnect: false,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    connectionName: 'faultline',
    // Reconnect with a capped backoff: 50 ms, 100 ms, ... up to 2 s between attempts.
    retryStrategy: (attempt) => Math.min(attempt * 50, 2000),
  };
  return url === undefined ? new Redis(clientOptions) : new Redis(url, clientOptions);
}

/**
 * Readiness of a client for a health check (`HealthCheckResult`'s shape): ready only once connected
 * and not reconnecting, so a probe reports a Redis outage before the commands start failing.
 */
export function redisReadiness(redis: Redis): { ok: boolean; detail?: string } {
  return redis.status === 'ready' ? { ok: true } : { ok: false, detail: `redis ${redis.status}` };
}

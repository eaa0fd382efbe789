import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisClientOptions {
  /** Retries of one command across reconnects before it fails (and the caller's own retry takes over). */
  maxRetriesPerRequest?: number;
}

/**
 * Connects at once. A command fails after a few reconnect attempts rather than waiting forever, so
 * a Redis outage surfaces to the consumer runtime, which backs off and retries the whole batch
 * (its offsets are not committed until the write succeeded).
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    connectionName: 'faultline',
    // Reconnect with a capped backoff: 50 ms, 100 ms, ... up to 2 s between attempts.
    retryStrategy: (attempt) => Math.min(attempt * 50, 2000),
  });
}

/**
 * Readiness of a client for a health check (`HealthCheckResult`'s shape): ready only once connected
 * and not reconnecting, so a probe reports a Redis outage before the commands start failing.
 */
export function redisReadiness(redis: Redis): { ok: boolean; detail?: string } {
  return redis.status === 'ready' ? { ok: true } : { ok: false, detail: `redis ${redis.status}` };
}

import { redisTargets } from '../test/integration-env';
import { createRedisClient, isRedisCluster, redisReadiness } from './redis.client';

/*
 * The client as the services create it: ready against the run's standalone Redis and its Redis
 * Cluster, and failing commands (instead of queueing them forever) when no cluster node answers.
 */

/** Nothing listens on port 1 of the loopback: every connection is refused at once. */
const UNREACHABLE = { host: '127.0.0.1', port: 1 };

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(redisTargets())('createRedisClient on $name Redis', ({ name, connect }) => {
  it('connects, reports ready, runs commands and closes', async () => {
    const redis = connect();
    try {
      expect(isRedisCluster(redis)).toBe(name === 'cluster');
      await eventually(() => redisReadiness(redis).ok);
      expect(await redis.set(`client-it-${process.pid}`, 'x', 'EX', 10)).toBe('OK');
    } finally {
      await redis.quit();
    }
  });
});

/*
 * A standalone client fails such a command through ioredis's own maxRetriesPerRequest; a Cluster
 * client only through the clusterRetryStrategy of createRedisClient, tested here.
 */
describe('createRedisClient with no Redis Cluster node answering', () => {
  it('is not ready and fails a command after a few reconnect attempts, within seconds', async () => {
    const redis = createRedisClient({ REDIS_URL: 'redis://', REDIS_CLUSTER_NODES: [UNREACHABLE] });
    redis.on('error', () => undefined);
    try {
      expect(redisReadiness(redis)).toEqual({ ok: false, detail: expect.stringMatching(/^redis cluster /) });
      const started = Date.now();
      await expect(redis.get('anything')).rejects.toThrow(/Redis Cluster unreachable: no node answered in 3 reconnect attempts/);
      expect(Date.now() - started).toBeLessThan(5000);
      // It keeps reconnecting: a command sent meanwhile fails the same way rather than waiting forever.
      await expect(redis.get('anything')).rejects.toThrow(/Redis Cluster unreachable/);
    } finally {
      redis.disconnect();
      // ioredis gives each refused slot-map connection its disconnectTimeout (2 s) before destroying
      // it; waiting that out keeps the timer from outliving the test run.
      await new Promise((resolve) => setTimeout(resolve, 2100));
    }
  });
});

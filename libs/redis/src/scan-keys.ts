import type { Redis } from 'ioredis';
import { isRedisCluster, type RedisClient } from './redis.client';
import { knowSlots } from './exec-pipeline';

/**
 * Deletes every key matching a SCAN `pattern` and answers how many went. SCAN walks one server's
 * keyspace, so on a Cluster every master is scanned and its keys are deleted on that master one key
 * per command (a multi-key UNLINK there must stay within one slot). For tests, tools and operators:
 * the services never scan.
 */
export async function deleteKeysMatching(redis: RedisClient, pattern: string, pageSize = 1000): Promise<number> {
  let deleted = 0;
  for (const server of await scannedServers(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', pageSize);
      cursor = next;
      if (keys.length === 0) continue;
      if (!isRedisCluster(redis)) {
        deleted += await server.unlink(...keys);
        continue;
      }
      const pipeline = server.pipeline();
      for (const key of keys) pipeline.unlink(key);
      for (const [error, count] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        deleted += count as number;
      }
    } while (cursor !== '0');
  }
  return deleted;
}

/** The servers whose keyspaces together hold every key: the client itself, or each Cluster master. */
async function scannedServers(redis: RedisClient): Promise<Redis[]> {
  if (!isRedisCluster(redis)) return [redis];
  await knowSlots(redis);
  return redis.nodes('master');
}

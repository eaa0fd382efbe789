import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import { isRedisCluster, type Cluster, type RedisClient } from './redis.client';

/** Runs a pipeline and answers its replies in order; the first failed command fails the call. */
export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = await pipeline.exec();
  if (!replies) throw new Error('redis pipeline was discarded');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/**
 * One command of a batch: the key that decides its slot (every key the command or script touches
 * must share that slot, as Redis Cluster requires), and how it is added to a pipeline.
 */
export type KeyedCommand = readonly [key: string, add: (pipeline: ChainableCommander) => unknown];

/** The hash slot of a key in Redis Cluster (0..16383), as ioredis computes it. */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/** Errors of a command Redis Cluster did not run because its slot is elsewhere or moving. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

/**
 * Runs a batch of commands (each within one slot, e.g. one issue's keys) and answers their replies
 * in input order; the first failed command fails the call.
 *
 * Standalone and Sentinel: one pipeline, one round trip, exactly as before.
 *
 * Cluster: ioredis sends a Cluster pipeline to one node and refuses it unless that node serves the
 * slots of all its keys. So the batch is split by the master serving each key's slot (ioredis's slot
 * map, the slot hashed with cluster-key-slot as ioredis itself does) into one pipeline per node,
 * run in parallel: a batch of 100 issues costs one round trip per node, in the time of the slowest.
 * Explicit grouping rather than ioredis `enableAutoPipelining` (which also batches per node) because
 * auto-pipelining changes how every command of the client is sent, and batches only what happens to
 * be issued in the same tick, so neither the round trips of a batch nor the standalone path (which
 * must stay one pipeline) would be fixed by the code that builds the batch.
 *
 * The first batch of a new client waits until it knows the slot map. When the map is stale (a slot
 * moved or is moving: resharding, failover), the node answers MOVED or ASK for the commands it did
 * not run; those are sent again one by one, so ioredis follows the redirection and refreshes the
 * map. The others ran and are not repeated.
 */
export async function execPerNode(redis: RedisClient, commands: readonly KeyedCommand[]): Promise<unknown[]> {
  if (commands.length === 0) return [];
  if (!isRedisCluster(redis)) {
    const pipeline = redis.pipeline();
    for (const [, add] of commands) add(pipeline);
    return execPipeline(pipeline);
  }
  await knowSlots(redis);
  const indexesByNode = new Map<string, number[]>();
  commands.forEach(([key], index) => {
    const slot = keySlot(key);
    const node = redis.slots[slot]?.[0] ?? `slot ${slot}`;
    const indexes = indexesByNode.get(node);
    if (indexes) indexes.push(index);
    else indexesByNode.set(node, [index]);
  });
  const results: [Error | null, unknown][] = new Array(commands.length);
  await Promise.all(
    [...indexesByNode.values()].map(async (indexes) => {
      const replies = await execReplies(redis, indexes.map((index) => commands[index][1]));
      await Promise.all(
        indexes.map(async (index, position) => {
          const [error] = replies[position];
          results[index] = error && REDIRECTED.test(error.message) ? (await execReplies(redis, [commands[index][1]]))[0] : replies[position];
        }),
      );
    }),
  );
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/**
 * Resolves once the client holds the slot map (at once unless it is still connecting): a keyless
 * command waits in ioredis's offline queue until the cluster is ready. Fails as that command does.
 */
export async function knowSlots(cluster: Cluster): Promise<void> {
  if (cluster.slots.length === 0) await cluster.ping();
}

/** One pipeline of the commands; every command's [error, reply]. */
async function execReplies(redis: RedisClient, adds: readonly KeyedCommand[1][]): Promise<[Error | null, unknown][]> {
  const pipeline = redis.pipeline();
  for (const add of adds) add(pipeline);
  const replies = await pipeline.exec();
  if (!replies) throw new Error('redis pipeline was discarded');
  return replies;
}

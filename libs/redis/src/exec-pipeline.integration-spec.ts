import type { Redis } from 'ioredis';
import { redisTargets } from '../test/integration-env';
import { execPerNode, keySlot, type KeyedCommand } from './exec-pipeline';
import { isRedisCluster } from './redis.client';

/*
 * execPerNode on the run's standalone Redis and on its Redis Cluster: one pipeline per server, and
 * on the cluster the commands of a slot that moved after the client read the slot map (resharding).
 */

let counter = 0;
const uniqueTag = () => `xp${process.pid}-${Date.now().toString(36)}-${counter++}`;

describe.each(redisTargets())('execPerNode on $name Redis', ({ connect }) => {
  const redis = connect();

  afterAll(async () => {
    await redis.quit();
  });

  const setAll = (keys: readonly string[], value: string): KeyedCommand[] => keys.map((key) => [key, (pipeline) => pipeline.set(key, value)]);

  it('answers the replies in input order, one pipeline per server, and fails on the first failed command', async () => {
    const tag = uniqueTag();
    const keys = Array.from({ length: 50 }, (_, index) => `${tag}:{${index}}`);
    const pipelines = jest.spyOn(redis, 'pipeline');
    try {
      expect(await execPerNode(redis, setAll(keys, 'v'))).toEqual(keys.map(() => 'OK'));
      const replies = await execPerNode(
        redis,
        keys.map((key, index) => [key, (pipeline) => (index % 2 === 0 ? pipeline.get(key) : pipeline.strlen(key))]),
      );
      expect(replies).toEqual(keys.map((_, index) => (index % 2 === 0 ? 'v' : 1)));
      expect(pipelines).toHaveBeenCalledTimes(isRedisCluster(redis) ? 2 * redis.nodes('master').length : 2);
    } finally {
      pipelines.mockRestore();
    }
    await expect(execPerNode(redis, [...setAll([`${tag}:{ok}`], 'v'), [keys[0], (pipeline) => pipeline.hget(keys[0], 'field')]])).rejects.toThrow(/WRONGTYPE/);
    expect(await execPerNode(redis, [])).toEqual([]);
    await execPerNode(redis, keys.concat(`${tag}:{ok}`).map((key) => [key, (pipeline) => pipeline.del(key)]));
  });

  it('on a cluster, runs the commands of a slot that moved to another master since the client read the slot map', async () => {
    if (!isRedisCluster(redis)) return;
    await redis.ping();
    const masters = redis.nodes('master');
    const nodeKey = (node: Redis) => `${node.options.host}:${node.options.port}`;
    // A key whose slot holds nothing yet (so moving the slot moves no other spec's keys).
    let moved = '';
    for (let attempt = 0; !moved; attempt++) {
      const candidate = `${uniqueTag()}:{moving-${attempt}}`;
      const owner = masters.find((node) => nodeKey(node) === redis.slots[keySlot(candidate)][0]) as Redis;
      if ((await owner.cluster('COUNTKEYSINSLOT', keySlot(candidate))) === 0) moved = candidate;
    }
    const slot = keySlot(moved);
    const source = masters.find((node) => nodeKey(node) === redis.slots[slot][0]) as Redis;
    const target = masters.find((node) => node !== source) as Redis;
    // Keys of every master, the moving one among them, all grouped by the map the client holds now.
    const others = Array.from({ length: 30 }, (_, index) => `${uniqueTag()}:{stay-${index}}`);

    await moveSlot(masters, slot, source, target);
    try {
      expect(redis.slots[slot][0]).toBe(nodeKey(source)); // stale: the client has not seen the move
      const replies = await execPerNode(redis, setAll([moved, ...others], 'written'));
      expect(replies).toEqual([moved, ...others].map(() => 'OK'));
      // Written where the slot lives now.
      expect(await target.get(moved)).toBe('written');
      expect(await execPerNode(redis, [[moved, (pipeline) => pipeline.get(moved)]])).toEqual(['written']);
      await redis.del(moved);
    } finally {
      await moveSlot(masters, slot, target, source);
    }
    await execPerNode(redis, others.map((key) => [key, (pipeline) => pipeline.del(key)]));
  });
});

/**
 * Moves an empty slot from `source` to `target` as `redis-cli --cluster reshard` does (importing,
 * migrating, then the new owner on every master; the importing node bumps its config epoch, so
 * the other nodes accept the new owner), and waits until every master agrees.
 */
async function moveSlot(masters: readonly Redis[], slot: number, source: Redis, target: Redis): Promise<void> {
  const [sourceId, targetId] = (await Promise.all([source.cluster('MYID'), target.cluster('MYID')])) as string[];
  await target.cluster('SETSLOT', slot, 'IMPORTING', sourceId);
  await source.cluster('SETSLOT', slot, 'MIGRATING', targetId);
  await target.cluster('SETSLOT', slot, 'NODE', targetId);
  await source.cluster('SETSLOT', slot, 'NODE', targetId);
  for (const node of masters) if (node !== source && node !== target) await node.cluster('SETSLOT', slot, 'NODE', targetId);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const owners = await Promise.all(masters.map(async (node) => ownerOf(await node.cluster('SLOTS'), slot)));
    if (owners.every((owner) => owner === `${target.options.host}:${target.options.port}`)) return;
    if (Date.now() > deadline) throw new Error(`slot ${slot}: masters still disagree on its owner (${owners.join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** CLUSTER SLOTS: [first slot, last slot, [master host, port, ...], replicas...] per range. */
type ClusterSlotsReply = [number, number, ...[string, number, ...unknown[]][]][];

function ownerOf(reply: ClusterSlotsReply, slot: number): string | undefined {
  const range = reply.find(([from, to]) => from <= slot && slot <= to);
  return range ? `${range[2][0]}:${range[2][1]}` : undefined;
}

import { redisTargets } from '../test/integration-env';
import { ListSnapshotStore } from './list-snapshot.store';

describe.each(redisTargets())('on $name Redis', ({ connect }) => {
  const redis = connect();
  const store = new ListSnapshotStore(redis, 60, `fl-it-${process.pid}:list`);

  afterAll(async () => {
    await redis.quit();
  });

  const ids = Array.from({ length: 10_000 }, (_, index) => index.toString(16).padStart(16, '0'));

  describe('ListSnapshotStore (real Redis)', () => {
    it('keeps a list order and answers any page of it', async () => {
      const snapshotId = await store.save({ ids, totalCount: 12_345, queryKey: 'q1' });
      expect(snapshotId).toMatch(/^[A-Za-z0-9_-]{22}$/);

      expect(await store.read(snapshotId, 0, 3)).toEqual({ ids: ids.slice(0, 3), size: 10_000, totalCount: 12_345, queryKey: 'q1' });
      expect((await store.read(snapshotId, 9_990, 25))?.ids).toEqual(ids.slice(9_990));
      expect((await store.read(snapshotId, 10_000, 25))?.ids).toEqual([]);
      expect((await store.read(snapshotId, 5, 0))?.ids).toEqual([]);
      // 8 bytes per id.
      expect(await redis.strlen(`fl-it-${process.pid}:list:{${snapshotId}}:ids`)).toBe(80_000);
    });

    it('answers null for an unknown or expired snapshot, and refreshes the lifetime of one in use', async () => {
      expect(await store.read('AAAAAAAAAAAAAAAAAAAAAA', 0, 10)).toBeNull();
      const snapshotId = await store.save({ ids: ids.slice(0, 2), totalCount: 2, queryKey: 'q' });
      const idsKey = `fl-it-${process.pid}:list:{${snapshotId}}:ids`;
      await redis.expire(idsKey, 5);
      await store.read(snapshotId, 0, 1);
      expect(await redis.ttl(idsKey)).toBeGreaterThan(50);
      await redis.del(`fl-it-${process.pid}:list:{${snapshotId}}:meta`);
      expect(await store.read(snapshotId, 0, 1)).toBeNull();
    });

    it('refuses ids that are not issue ids and bad slices', async () => {
      await expect(store.save({ ids: ['not-hex'], totalCount: 1, queryKey: 'q' })).rejects.toThrow(TypeError);
      await expect(store.read('x', -1, 1)).rejects.toThrow(RangeError);
      expect(() => new ListSnapshotStore(redis, 0)).toThrow(RangeError);
    });
  });
});

import { createHash } from 'node:crypto';
import { redisTargets } from '../test/integration-env';
import { keySlot } from './exec-pipeline';
import { IssueStateMeta, IssueStateRebuildStore } from './issue-state-rebuild.store';
import { IssueStateKeys, IssueStateStore, type IssueOccurrence } from './issue-state.store';
import { isRedisCluster } from './redis.client';
import { deleteKeysMatching } from './scan-keys';

/*
 * The rebuild's Redis side (IssueStateRebuildStore, the IssueStateMeta marker and lock) and the key
 * scan, on the run's standalone Redis and on its Redis Cluster. Every key is under a prefix of this
 * file's own, so other spec files sharing the servers are not touched.
 */

const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
let prefixCounter = 0;
const uniquePrefix = () => `flrs${process.pid}${Date.now().toString(36)}${prefixCounter++}`;
const hexId = (...parts: (string | number)[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

function occurrence(issue: number, n: number): IssueOccurrence {
  return {
    tenant: 'acme',
    issueId: hexId('issue', issue),
    occurrenceId: hexId('occurrence', issue, n),
    fingerprint: hexId('fingerprint', issue),
    fingerprintVersion: 1,
    service: 'orders-api',
    env: 'production',
    version: '1.0.0',
    errorType: 'TypeError',
    errorMessage: `failure ${issue}`,
    messageTemplate: `failure <int>`,
    culprit: null,
    timestampMs: T0 + n * 1000,
  };
}

describe.each(redisTargets())('on $name Redis', ({ name, connect }) => {
  const redis = connect();

  afterAll(async () => {
    await redis.quit();
  });

  describe('IssueStateMeta', () => {
    it('marks the state complete, and a loss of the marker reads as lost state', async () => {
      const meta = new IssueStateMeta(redis, uniquePrefix());
      expect(await meta.stateMarked()).toBe(false);
      await meta.markState('rebuilt in a test');
      expect(await meta.stateMarked()).toBe(true);
      await meta.clearState();
      expect(await meta.stateMarked()).toBe(false);
    });

    it('on a cluster, notices one master losing its data while the others keep theirs', async () => {
      if (!isRedisCluster(redis)) {
        // A standalone server has the one `epoch` key, as before the cluster support (no rebuild on upgrade).
        const prefix = uniquePrefix();
        await new IssueStateMeta(redis, prefix).markState('x');
        expect(await redis.get(`${prefix}:meta:epoch`)).toBe('x');
        return;
      }
      const meta = new IssueStateMeta(redis, uniquePrefix());
      await meta.markState('rebuilt in a test');
      const masters = redis.nodes('master');
      expect(masters).toHaveLength(3);
      // Every master serves some of the marker slots.
      const markerMasters = new Set(meta.clusterMarkerKeys().map((key) => redis.slots[keySlot(key)][0]));
      expect(markerMasters.size).toBe(3);
      // The second master "restarts empty": its markers are gone, the others' stay.
      const lost = masters[1];
      const lostKey = `${lost.options.host}:${lost.options.port}`;
      const lostMarkers = meta.clusterMarkerKeys().filter((key) => redis.slots[keySlot(key)][0] === lostKey);
      expect(lostMarkers.length).toBeGreaterThan(0);
      for (const key of lostMarkers) await lost.del(key);
      expect(await meta.stateMarked()).toBe(false);
      await meta.markState('rebuilt again');
      expect(await meta.stateMarked()).toBe(true);
    });

    it('holds the rebuild lock for one process at a time', async () => {
      const meta = new IssueStateMeta(redis, uniquePrefix());
      const token = await meta.acquireLock(5000);
      expect(token).toEqual(expect.any(String));
      expect(await meta.acquireLock(5000)).toBeNull();
      expect(await meta.lockHeld()).toBe(true);
      expect(await meta.renewLock('someone-else', 5000)).toBe(false);
      expect(await meta.renewLock(token as string, 5000)).toBe(true);
      await meta.releaseLock('someone-else');
      expect(await meta.lockHeld()).toBe(true);
      await meta.releaseLock(token as string);
      expect(await meta.lockHeld()).toBe(false);
    });
  });

  describe('IssueStateRebuildStore over many issues', () => {
    it('reads live states, replaces them compare-and-set and fills dedupe sets, across slots', async () => {
      const keys = new IssueStateKeys(uniquePrefix());
      const store = new IssueStateStore(redis, keys);
      const rebuild = new IssueStateRebuildStore(redis, keys);
      const recorded = await store.recordOccurrences(
        Array.from({ length: 80 }, (_, issue) => occurrence(issue, 0)),
        48,
      );
      const ids = recorded.map(({ record }) => record.issueId);
      expect(new Set(ids.map((issueId) => keySlot(keys.issue('acme', issueId)))).size).toBeGreaterThan(60);

      const live = await rebuild.liveStates('acme', [...ids, 'gone']);
      expect(live.size).toBe(80);
      expect(live.get('gone')).toBeUndefined();
      expect(live.get(ids[5])).toMatchObject({ revision: recorded[5].record.revision, status: 'FOR_REVIEW', regression: false });

      const replaced = await rebuild.replace(
        recorded.map(({ record }, index) => ({
          record: { ...record, count: 10 },
          hourlyCounts: [{ hourStartMs: T0, count: 10 }],
          valueFields: {},
          // One stale expectation: that issue is left alone.
          expectedRevision: index === 7 ? '1' : (live.get(record.issueId)?.revisionText ?? null),
          minRevision: record.revision + 1,
        })),
      );
      expect(replaced.filter((record) => record === null)).toHaveLength(1);
      expect(replaced[7]).toBeNull();
      expect(replaced[8]).toMatchObject({ count: 10 });
      expect((await store.findIssue('acme', ids[8]))?.count).toBe(10);
      expect((await store.findIssue('acme', ids[7]))?.count).toBe(1);

      const serverNow = await rebuild.serverTimeMs();
      expect(Math.abs(serverNow - Date.now())).toBeLessThan(5000);
      const added = await rebuild.addSeen(
        ids.map((issueId, issue) => ({ tenant: 'acme', issueId, hourStartMs: T0, occurrenceIds: [hexId('occurrence', issue, 1)] })),
        3600,
      );
      expect(added).toBe(80);
      // Those ids now count as seen: recording them again changes nothing.
      const again = await store.recordOccurrences(
        ids.map((_, issue) => occurrence(issue, 1)),
        48,
      );
      expect(again.map(({ record }) => record.count)).toEqual(ids.map((_, index) => (index === 7 ? 1 : 10)));
    });
  });

  describe('deleteKeysMatching', () => {
    it(`deletes every matching key${name === 'cluster' ? ' on every master' : ''}, and nothing else`, async () => {
      const prefix = uniquePrefix();
      const keys = Array.from({ length: 300 }, (_, index) => `${prefix}:{k${index}}:x`);
      for (const key of keys) await redis.set(key, '1');
      await redis.set(`${prefix}-other`, '1');
      if (isRedisCluster(redis)) {
        const nodesHoldingKeys = new Set(keys.map((key) => redis.slots[keySlot(key)][0]));
        expect(nodesHoldingKeys.size).toBe(3);
      }
      expect(await deleteKeysMatching(redis, `${prefix}:*`, 50)).toBe(300);
      expect(await redis.exists(...keys.slice(0, 1))).toBe(0);
      expect(await redis.get(`${prefix}-other`)).toBe('1');
      await redis.del(`${prefix}-other`);
    });
  });
});

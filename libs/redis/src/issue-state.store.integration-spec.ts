import type { IssueChange, IssueRecord } from '@faultline/contracts';
import { compareVersions, isRegression, MAX_TRACKED_VALUES_PER_KEY, VERSION_ORDER_CASES } from '@faultline/domain';
import { VERSION_ORDER_LUA } from './issue-lua.shared';
import { dataServers, flushScriptCaches, redisTargets } from '../test/integration-env';
import { hexId, occurrence, T0, uniqueTenant } from '../test/issue-occurrences';
import { keySlot } from './exec-pipeline';
import { IssueStateKeys, IssueStateStore, type IssueOccurrence } from './issue-state.store';

const WINDOW_HOURS = 48;
const HOUR = 3_600_000;

describe.each(redisTargets())('on $name Redis', ({ connect }) => {
  const redis = connect();
  const keys = new IssueStateKeys();
  // The fixtures are dated 2024: keep their hourly counters (the default retention is 14 days back from now).
  const store = new IssueStateStore(redis, keys, { hourlyRetentionHours: 10 * 365 * 24 });

  afterAll(async () => {
    await redis.quit();
  });

  /** The records of a recordOccurrences call (most tests look at the state only). */
  async function recordStates(items: readonly IssueOccurrence[], windowHours: number): Promise<IssueRecord[]> {
    return (await store.recordOccurrences(items, windowHours)).map((recorded) => recorded.record);
  }

  describe('IssueStateStore (real Redis)', () => {
    it('creates an issue on first sight and counts its occurrences', async () => {
      const tenant = uniqueTenant();
      const batch = [0, 1, 2].map((n) => occurrence(tenant, 'a', n));
      const [record] = await recordStates(batch, WINDOW_HOURS);
      expect(record).toEqual<IssueRecord>({
        tenant,
        issueId: hexId(tenant, 'a'),
        fingerprint: hexId('fingerprint', 'a'),
        fingerprintVersion: 1,
        service: 'orders-api',
        env: 'production',
        envs: ['production'],
        errorType: 'TypeError',
        errorMessage: "Cannot read properties of undefined (reading 'id')",
        messageTemplate: "Cannot read properties of undefined (reading '<str>')",
        culprit: 'getOrder (orders.controller.js)',
        status: 'FOR_REVIEW',
        count: 3,
        firstSeenMs: T0,
        lastSeenMs: T0 + 2000,
        firstVersion: '1.4.2',
        lastVersion: '1.4.2',
        regression: false,
        assignee: null,
        resolvedInVersion: null,
        revision: expect.any(Number),
      });
      expect(record.revision).toBeGreaterThan(0);
      expect(await store.findIssue(tenant, record.issueId)).toEqual(record);
      expect(await store.findIssue(tenant, 'missing')).toBeNull();
    });

    it('counts a redelivered occurrence once and still returns the record', async () => {
      const tenant = uniqueTenant();
      const batch = [0, 1].map((n) => occurrence(tenant, 'a', n));
      const [first] = await recordStates(batch, WINDOW_HOURS);

      const [replayed] = await recordStates(batch, WINDOW_HOURS);
      expect(replayed).toEqual(first);
      expect(replayed.revision).toBe(first.revision);

      // Duplicates inside one call, mixed with one new occurrence.
      const [mixed] = await recordStates([batch[0], occurrence(tenant, 'a', 5), occurrence(tenant, 'a', 5)], WINDOW_HOURS);
      expect(mixed.count).toBe(3);
      expect(mixed.revision).toBeGreaterThan(first.revision);
      expect(await store.hourlyCounts(tenant, first.issueId, T0, T0 + HOUR)).toEqual([{ hourStartMs: T0, count: 3 }]);
    });

    it('keeps revisions increasing after Redis lost the issue, so stale projection rows never win', async () => {
      const tenant = uniqueTenant();
      const [before] = await recordStates([occurrence(tenant, 'a', 0)], WINDOW_HOURS);
      const keys = new IssueStateKeys();
      await redis.del(keys.issue(tenant, before.issueId), keys.envs(tenant, before.issueId));
      const [recreated] = await recordStates([occurrence(tenant, 'a', 1)], WINDOW_HOURS);
      expect(recreated.count).toBe(1);
      expect(recreated.revision).toBeGreaterThan(before.revision);
    });

    it('keeps the earliest and latest occurrence with their versions when occurrences arrive out of order', async () => {
      const tenant = uniqueTenant();
      const at = (n: number, version: string | null) => occurrence(tenant, 'a', n, { timestampMs: T0 + n * 60_000, version });

      let [record] = await recordStates([at(10, '1.1.0')], WINDOW_HOURS);
      expect(record).toMatchObject({ firstSeenMs: T0 + 600_000, lastSeenMs: T0 + 600_000, firstVersion: '1.1.0', lastVersion: '1.1.0' });

      [record] = await recordStates([at(20, '1.2.0'), at(5, '1.0.0')], WINDOW_HOURS);
      expect(record).toMatchObject({ firstSeenMs: T0 + 300_000, firstVersion: '1.0.0', lastSeenMs: T0 + 1_200_000, lastVersion: '1.2.0', count: 3 });

      // Inside the known range: counted, bounds unchanged.
      const before = record.revision;
      [record] = await recordStates([at(15, '9.9.9')], WINDOW_HOURS);
      expect(record).toMatchObject({ firstVersion: '1.0.0', lastVersion: '1.2.0', count: 4 });
      expect(record.revision).toBeGreaterThan(before);

      // An earlier occurrence without a version makes the first version unknown.
      [record] = await recordStates([at(1, null)], WINDOW_HOURS);
      expect(record).toMatchObject({ firstSeenMs: T0 + 60_000, firstVersion: null, lastVersion: '1.2.0' });
    });

    it('creates the issue from the earliest occurrence of the batch and collects every env', async () => {
      const tenant = uniqueTenant();
      const [record] = await recordStates(
        [
          occurrence(tenant, 'a', 3, { env: 'staging', errorMessage: 'later message' }),
          occurrence(tenant, 'a', 1, { env: null, errorMessage: 'first message', culprit: null }),
          occurrence(tenant, 'a', 2, { env: 'production' }),
        ],
        WINDOW_HOURS,
      );
      expect(record).toMatchObject({ env: null, errorMessage: 'first message', culprit: null, envs: ['production', 'staging'] });

      const [again] = await recordStates([occurrence(tenant, 'a', 0, { env: 'canary', errorMessage: 'even earlier' })], WINDOW_HOURS);
      // Static fields are set once, at creation; the env set keeps growing.
      expect(again).toMatchObject({ env: null, errorMessage: 'first message', envs: ['canary', 'production', 'staging'] });
    });

    it('keeps per-hour counters and reads them as a zero-filled series', async () => {
      const tenant = uniqueTenant();
      const at = (n: number, offsetMs: number) => occurrence(tenant, 'a', n, { timestampMs: T0 + offsetMs });
      const batch = [at(1, 5), at(2, HOUR - 1), at(3, HOUR), at(4, 3 * HOUR + 59 * 60_000)];
      const [record] = await recordStates(batch, WINDOW_HOURS);
      await recordStates(batch, WINDOW_HOURS); // redelivery: no counter moves

      expect(await store.hourlyCounts(tenant, record.issueId, T0, T0 + 5 * HOUR)).toEqual([
        { hourStartMs: T0, count: 2 },
        { hourStartMs: T0 + HOUR, count: 1 },
        { hourStartMs: T0 + 2 * HOUR, count: 0 },
        { hourStartMs: T0 + 3 * HOUR, count: 1 },
        { hourStartMs: T0 + 4 * HOUR, count: 0 },
      ]);
      // A range starting mid-hour includes that hour; the end is exclusive.
      expect(await store.hourlyCounts(tenant, record.issueId, T0 + 30 * 60_000, T0 + HOUR)).toEqual([{ hourStartMs: T0, count: 2 }]);
      expect(await store.hourlyCounts(tenant, record.issueId, T0, T0)).toEqual([]);
      await expect(store.hourlyCounts(tenant, record.issueId, T0, T0 + 400 * 24 * HOUR)).rejects.toThrow(RangeError);
    });

    it('answers the absolute count of every hour of the batch, also for a redelivery', async () => {
      const tenant = uniqueTenant();
      const at = (n: number, offsetMs: number) => occurrence(tenant, 'a', n, { timestampMs: T0 + offsetMs });
      const [first] = await store.recordOccurrences([at(1, 5), at(2, 10), at(3, HOUR + 1)], WINDOW_HOURS);
      expect(first.hourlyCounts).toEqual([
        { hourStartMs: T0, count: 2 },
        { hourStartMs: T0 + HOUR, count: 1 },
      ]);
      const [second] = await store.recordOccurrences([at(4, HOUR + 2)], WINDOW_HOURS);
      expect(second.hourlyCounts).toEqual([{ hourStartMs: T0 + HOUR, count: 2 }]);
      const [redelivered] = await store.recordOccurrences([at(1, 5)], WINDOW_HOURS);
      expect(redelivered.hourlyCounts).toEqual([{ hourStartMs: T0, count: 2 }]);
    });

    it('trims hourly counters older than the retention when an hour is added', async () => {
      const tenant = uniqueTenant();
      const shortLived = new IssueStateStore(redis, keys, { hourlyRetentionHours: 2 });
      const nowHour = Math.floor(Date.now() / HOUR) * HOUR;
      const at = (n: number, timestampMs: number) => occurrence(tenant, 'a', n, { timestampMs });
      const [old] = await store.recordOccurrences([at(1, nowHour - 10 * HOUR), at(2, nowHour - 5 * HOUR)], WINDOW_HOURS);
      expect(old.hourlyCounts).toHaveLength(2);
      const [recent] = await shortLived.recordOccurrences([at(3, nowHour - HOUR), at(4, nowHour)], WINDOW_HOURS);
      expect(recent.hourlyCounts).toEqual([
        { hourStartMs: nowHour - HOUR, count: 1 },
        { hourStartMs: nowHour, count: 1 },
      ]);
      const fields = (await redis.hkeys(keys.hourly(tenant, recent.record.issueId))).map(Number).sort();
      expect(fields).toEqual([(nowHour - HOUR) / 1000, nowHour / 1000]);
      // Counting goes on: the total still has every occurrence.
      expect(recent.record.count).toBe(4);
    });

    it('counts the tracked values of new occurrences once each, and beyond the per-key limit as other', async () => {
      const tenant = uniqueTenant();
      const withValues = (n: number, host: string, route?: string) =>
        occurrence(tenant, 'a', n, { values: [['host', host], ...(route ? ([['http.route', route]] as const) : [])] });
      const batch = [withValues(1, 'web-1', '/a'), withValues(2, 'web-2', '/a'), withValues(3, 'web-1')];
      const [{ record }] = await store.recordOccurrences(batch, WINDOW_HOURS);
      await store.recordOccurrences(batch, WINDOW_HOURS); // a redelivery counts nothing
      const hosts = await store.valueCountsOf(tenant, [record.issueId, 'no-such-issue'], 'host');
      expect(hosts).toEqual(
        new Map([
          [
            record.issueId,
            {
              values: [
                { value: 'web-1', count: 2 },
                { value: 'web-2', count: 1 },
              ],
              other: 0,
            },
          ],
        ]),
      );
      expect((await store.valueCountsOf(tenant, [record.issueId], 'http.route')).get(record.issueId)).toEqual({ values: [{ value: '/a', count: 2 }], other: 0 });
      expect((await store.valueCountsOf(tenant, [record.issueId], 'env')).size).toBe(0);

      // 200 distinct values are kept per key; the rest are counted together.
      const many = Array.from({ length: MAX_TRACKED_VALUES_PER_KEY + 5 }, (_, index) => withValues(100 + index, `host-${String(index).padStart(3, '0')}`));
      await store.recordOccurrences(many, WINDOW_HOURS);
      const capped = (await store.valueCountsOf(tenant, [record.issueId], 'host')).get(record.issueId);
      expect(capped?.values).toHaveLength(MAX_TRACKED_VALUES_PER_KEY);
      expect(capped?.other).toBe(7);
      expect(capped?.values[0]).toEqual({ value: 'web-1', count: 2 });
    });

    it('expires the seen sets after the dedupe window', async () => {
      const tenant = uniqueTenant();
      const [record] = await recordStates([occurrence(tenant, 'a', 1)], 2);
      const ttl = await redis.ttl(keys.seen(tenant, record.issueId, T0 / 1000));
      expect(ttl).toBeGreaterThan(2 * 3600 - 60);
      expect(ttl).toBeLessThanOrEqual(2 * 3600);
      // The issue state itself never expires.
      expect(await redis.ttl(keys.issue(tenant, record.issueId))).toBe(-1);
    });

    it('handles many issues in one batch and returns them in input order', async () => {
      const tenant = uniqueTenant();
      const issueNames = Array.from({ length: 60 }, (_, index) => `issue-${(index * 37) % 60}`);
      // Interleave: issue k gets k % 4 + 1 occurrences, spread through the batch.
      const batch: IssueOccurrence[] = [];
      for (let round = 0; round < 4; round++) {
        issueNames.forEach((name, index) => {
          if (round <= index % 4) batch.push(occurrence(tenant, name, round, { env: round % 2 === 0 ? 'production' : 'staging' }));
        });
      }
      const records = await recordStates(batch, WINDOW_HOURS);
      expect(records.map((record) => record.issueId)).toEqual(issueNames.map((name) => hexId(tenant, name)));
      records.forEach((record, index) => {
        expect(record.count).toBe((index % 4) + 1);
        expect(record.envs).toEqual(index % 4 === 0 ? ['production'] : ['production', 'staging']);
        expect(record.revision).toBeGreaterThan(0);
      });
      const revisionsBefore = records.map((record) => record.revision);

      const reversed = [...batch].reverse();
      const replay = await recordStates(reversed, WINDOW_HOURS);
      expect(replay.map((record) => record.issueId)).toEqual([...new Set(reversed.map((item) => item.issueId))]);
      const revisionById = new Map(records.map((record, index) => [record.issueId, revisionsBefore[index]]));
      expect(replay.every((record) => record.revision === revisionById.get(record.issueId))).toBe(true);
    });

    it('sends a whole batch as one pipeline per server, and recovers when Redis lost its script cache', async () => {
      const tenant = uniqueTenant();
      const servers = await dataServers(redis);
      const pipelines = jest.spyOn(redis, 'pipeline');
      try {
        // 30 issues land on every master of the cluster (one pipeline each), or on the one server.
        await recordStates(
          Array.from({ length: 30 }, (_, index) => occurrence(tenant, `issue-${index}`, 1)),
          WINDOW_HOURS,
        );
        expect(pipelines).toHaveBeenCalledTimes(servers);
      } finally {
        pipelines.mockRestore();
      }
      await flushScriptCaches(redis);
      const records = await recordStates([occurrence(tenant, 'issue-0', 2), occurrence(tenant, 'issue-1', 1)], WINDOW_HOURS);
      expect(records.map((record) => record.count)).toEqual([2, 1]);
    });

    it('reads and acknowledges over 120 issues spread over many slots in one round trip per server', async () => {
      const tenant = uniqueTenant();
      const names = Array.from({ length: 120 }, (_, index) => `spread-${index}`);
      const recorded = await store.recordOccurrences(
        names.flatMap((name) => [
          occurrence(tenant, name, 1, { values: [['host', `web-${name}`]] }),
          occurrence(tenant, name, 2, { timestampMs: T0 + HOUR + 5, values: [['host', 'web-shared']] }),
        ]),
        WINDOW_HOURS,
      );
      const ids = recorded.map(({ record }) => record.issueId);
      expect(ids).toEqual(names.map((name) => hexId(tenant, name)));
      // The issues' keys hash to many different slots (on a cluster: every master).
      expect(new Set(ids.map((issueId) => keySlot(keys.issue(tenant, issueId)))).size).toBeGreaterThan(100);

      const servers = await dataServers(redis);
      const pipelines = jest.spyOn(redis, 'pipeline');
      try {
        const [hourly, hosts, history] = await Promise.all([
          store.hourlyCountsOf(tenant, [...ids, 'no-such-issue'], T0, T0 + 2 * HOUR),
          store.valueCountsOf(tenant, ids, 'host'),
          store.historyOf(tenant, ids),
        ]);
        expect(pipelines).toHaveBeenCalledTimes(3 * servers);
        expect(ids.every((issueId) => JSON.stringify(hourly.get(issueId)) === JSON.stringify([{ hourStartMs: T0, count: 1 }, { hourStartMs: T0 + HOUR, count: 1 }]))).toBe(true);
        expect(hourly.get('no-such-issue')).toEqual([{ hourStartMs: T0, count: 0 }, { hourStartMs: T0 + HOUR, count: 0 }]);
        ids.forEach((issueId, index) => {
          expect(hosts.get(issueId)?.values).toEqual(
            [{ value: 'web-shared', count: 1 }, { value: `web-${names[index]}`, count: 1 }].sort((a, b) => (a.value < b.value ? -1 : 1)),
          );
          expect(history.get(issueId)?.map((change) => change.action)).toEqual(['created']);
        });
      } finally {
        pipelines.mockRestore();
      }

      await store.acknowledgePublished(recorded.map(({ record, unpublished }) => ({ tenant, issueId: record.issueId, tokens: unpublished.map(({ token }) => token) })));
      const redelivered = await store.recordOccurrences(names.map((name) => occurrence(tenant, name, 1)), WINDOW_HOURS);
      expect(redelivered.every(({ unpublished, changes, record }) => unpublished.length === 0 && changes.length === 0 && record.count === 2)).toBe(true);
    });

    it('works with tenants and issue ids that contain hash-tag characters', async () => {
      const tenant = `${uniqueTenant()}}{:'"\\`;
      const [record] = await recordStates([occurrence(tenant, 'a', 1, { issueId: 'x}{y' })], WINDOW_HOURS);
      expect(record).toMatchObject({ tenant, issueId: 'x}{y', count: 1 });
    });

    it('returns nothing for an empty batch and rejects a bad window', async () => {
      expect(await store.recordOccurrences([], WINDOW_HOURS)).toEqual([]);
      await expect(store.recordOccurrences([occurrence('t', 'a', 1)], 0)).rejects.toThrow(RangeError);
    });
  });

  describe('IssueStateStore workflow (real Redis)', () => {
    const NOW = 1_732_600_000_000;
    const system = (action: IssueChange['action'], from: IssueChange['from'], to: IssueChange['to']): IssueChange => ({
      atMs: expect.any(Number),
      actor: 'system',
      action,
      from,
      to,
      assignee: null,
    });
    const atVersion = (tenant: string, n: number, version: string | null) => occurrence(tenant, 'a', n, { version, timestampMs: T0 + n * 60_000 });

    /** An issue last seen in `version`, resolved by alice; returns its id. */
    async function resolvedIssue(tenant: string, version: string | null): Promise<string> {
      const [{ record }] = await store.recordOccurrences([atVersion(tenant, 0, version)], WINDOW_HOURS);
      const resolved = await store.updateStatus(tenant, record.issueId, 'RESOLVED', 'alice', NOW);
      expect(resolved?.record).toMatchObject({ status: 'RESOLVED', resolvedInVersion: version, regression: false });
      return record.issueId;
    }

    it('records creation once, with a created history entry at server time', async () => {
      const tenant = uniqueTenant();
      const before = Date.now();
      const [created] = await store.recordOccurrences([occurrence(tenant, 'a', 0), occurrence(tenant, 'a', 1)], WINDOW_HOURS);
      expect(created).toEqual({
        record: expect.objectContaining({ status: 'FOR_REVIEW', count: 2 }),
        created: true,
        regressed: false,
        changes: [system('created', null, 'FOR_REVIEW')],
        unpublished: [{ change: system('created', null, 'FOR_REVIEW'), token: expect.any(String) }],
        hourlyCounts: [{ hourStartMs: T0, count: 2 }],
      });
      expect(created.changes[0].atMs).toBeGreaterThanOrEqual(before - 1000);
      expect(created.changes[0].atMs).toBeLessThanOrEqual(Date.now() + 1000);

      const [again] = await store.recordOccurrences([occurrence(tenant, 'a', 2)], WINDOW_HOURS);
      expect(again).toMatchObject({ created: false, regressed: false, changes: [] });
      const [replayed] = await store.recordOccurrences([occurrence(tenant, 'a', 0)], WINDOW_HOURS);
      expect(replayed).toMatchObject({ created: false, regressed: false, changes: [] });
      expect(await store.history(tenant, created.record.issueId)).toEqual(created.changes);
    });

    it('resolves with the last seen version, and a status change to the same status changes nothing', async () => {
      const tenant = uniqueTenant();
      const [{ record }] = await store.recordOccurrences([atVersion(tenant, 2, '1.4.2'), atVersion(tenant, 1, '1.4.1')], WINDOW_HOURS);
      const resolved = await store.updateStatus(tenant, record.issueId, 'RESOLVED', 'alice@example.com', NOW);
      expect(resolved).toEqual({
        record: { ...record, status: 'RESOLVED', resolvedInVersion: '1.4.2', revision: expect.any(Number) },
        change: { atMs: NOW, actor: 'alice@example.com', action: 'status_changed', from: 'FOR_REVIEW', to: 'RESOLVED', assignee: null },
      });
      expect(resolved?.record.revision).toBeGreaterThan(record.revision);
      expect(await store.findIssue(tenant, record.issueId)).toEqual(resolved?.record);

      const same = await store.updateStatus(tenant, record.issueId, 'RESOLVED', 'bob', NOW + 1);
      expect(same).toEqual({ record: resolved?.record, change: null });

      const reopened = await store.updateStatus(tenant, record.issueId, 'REVIEWED', 'bob', NOW + 2);
      expect(reopened?.record).toMatchObject({ status: 'REVIEWED', resolvedInVersion: null, regression: false });
      expect(await store.updateStatus(tenant, 'missing', 'RESOLVED', 'alice', NOW)).toBeNull();
      expect((await store.history(tenant, record.issueId)).map((change) => [change.action, change.actor, change.from, change.to])).toEqual([
        ['created', 'system', null, 'FOR_REVIEW'],
        ['status_changed', 'alice@example.com', 'FOR_REVIEW', 'RESOLVED'],
        ['status_changed', 'bob', 'RESOLVED', 'REVIEWED'],
      ]);
    });

    it('regresses a resolved issue on an occurrence from a newer version only', async () => {
      const tenant = uniqueTenant();
      const issueId = await resolvedIssue(tenant, '1.4.2');
      for (const [n, version] of [[1, '1.4.2'], [2, '1.4.1'], [3, '1.4.2-rc1'], [4, 'v1.4.2']] as const) {
        const [same] = await store.recordOccurrences([atVersion(tenant, n, version)], WINDOW_HOURS);
        expect(same).toMatchObject({ regressed: false, changes: [], record: { status: 'RESOLVED', resolvedInVersion: '1.4.2', count: n + 1 } });
      }

      const before = await store.findIssue(tenant, issueId);
      const [regressed] = await store.recordOccurrences([atVersion(tenant, 10, '1.4.1'), atVersion(tenant, 11, '1.4.10')], WINDOW_HOURS);
      expect(regressed).toEqual({
        record: { ...before, status: 'FOR_REVIEW', regression: true, resolvedInVersion: null, count: 7, lastSeenMs: T0 + 660_000, lastVersion: '1.4.10', revision: expect.any(Number) },
        created: false,
        regressed: true,
        changes: [system('regressed', 'RESOLVED', 'FOR_REVIEW')],
        unpublished: [
          { change: system('created', null, 'FOR_REVIEW'), token: expect.any(String) },
          { change: system('regressed', 'RESOLVED', 'FOR_REVIEW'), token: expect.any(String) },
        ],
        hourlyCounts: [{ hourStartMs: T0, count: 7 }],
      });

      // Only once: further occurrences of a FOR_REVIEW issue change nothing in the workflow.
      const [later] = await store.recordOccurrences([atVersion(tenant, 12, '2.0.0')], WINDOW_HOURS);
      expect(later).toMatchObject({ regressed: false, changes: [], record: { status: 'FOR_REVIEW', regression: true } });
      // A manual status change clears the flag.
      const reviewed = await store.updateStatus(tenant, issueId, 'REVIEWED', 'alice', NOW);
      expect(reviewed?.record).toMatchObject({ status: 'REVIEWED', regression: false });
    });

    it('regresses on any new occurrence when a version is unknown', async () => {
      const tenant = uniqueTenant();
      const unversioned = await resolvedIssue(tenant, null);
      const [fromNull] = await store.recordOccurrences([atVersion(tenant, 1, '0.0.1')], WINDOW_HOURS);
      expect(fromNull).toMatchObject({ regressed: true, record: { issueId: unversioned, status: 'FOR_REVIEW', regression: true } });

      const other = uniqueTenant();
      await resolvedIssue(other, '1.4.2');
      const [toNull] = await store.recordOccurrences([atVersion(other, 1, null)], WINDOW_HOURS);
      expect(toNull).toMatchObject({ regressed: true, record: { status: 'FOR_REVIEW', regression: true, resolvedInVersion: null } });
    });

    it('never regresses on duplicates, even from a newer version', async () => {
      const tenant = uniqueTenant();
      const first = atVersion(tenant, 0, '1.4.2');
      const newer = atVersion(tenant, 1, '1.5.0');
      const [{ record }] = await store.recordOccurrences([first, newer], WINDOW_HOURS);
      await store.updateStatus(tenant, record.issueId, 'RESOLVED', 'alice', NOW);
      // The 1.5.0 occurrence was counted before resolving; its redelivery is no news.
      const [replayed] = await store.recordOccurrences([newer, first, newer], WINDOW_HOURS);
      expect(replayed).toMatchObject({ regressed: false, changes: [], record: { status: 'RESOLVED', count: 2, resolvedInVersion: '1.5.0', revision: expect.any(Number) } });
    });

    it('keeps counting ignored issues without ever regressing them', async () => {
      const tenant = uniqueTenant();
      const [{ record }] = await store.recordOccurrences([atVersion(tenant, 0, '1.0.0')], WINDOW_HOURS);
      await store.updateStatus(tenant, record.issueId, 'IGNORED', 'alice', NOW);
      const [ignored] = await store.recordOccurrences([atVersion(tenant, 1, '9.0.0'), atVersion(tenant, 2, null)], WINDOW_HOURS);
      expect(ignored).toMatchObject({ regressed: false, changes: [], record: { status: 'IGNORED', regression: false, count: 3 } });
    });

    it('assigns: FOR_REVIEW moves to REVIEWED, other states stay, null unassigns', async () => {
      const tenant = uniqueTenant();
      const [{ record }] = await store.recordOccurrences([occurrence(tenant, 'a', 0)], WINDOW_HOURS);
      const assigned = await store.assign(tenant, record.issueId, 'bob@example.com', 'alice', NOW);
      expect(assigned).toEqual({
        record: { ...record, status: 'REVIEWED', assignee: 'bob@example.com', revision: expect.any(Number) },
        changes: [
          { atMs: NOW, actor: 'alice', action: 'assigned', from: null, to: null, assignee: 'bob@example.com' },
          { atMs: NOW, actor: 'alice', action: 'status_changed', from: 'FOR_REVIEW', to: 'REVIEWED', assignee: null },
        ],
      });
      expect(assigned?.record.revision).toBeGreaterThan(record.revision);

      await store.updateStatus(tenant, record.issueId, 'IGNORED', 'alice', NOW + 1);
      const reassigned = await store.assign(tenant, record.issueId, 'carol', 'alice', NOW + 2);
      expect(reassigned).toMatchObject({ record: { status: 'IGNORED', assignee: 'carol' }, changes: [{ action: 'assigned', assignee: 'carol' }] });
      expect(reassigned?.changes).toHaveLength(1);

      await store.updateStatus(tenant, record.issueId, 'FOR_REVIEW', 'alice', NOW + 3);
      const unassigned = await store.assign(tenant, record.issueId, null, 'alice', NOW + 4);
      expect(unassigned).toEqual({
        record: expect.objectContaining({ status: 'FOR_REVIEW', assignee: null }),
        changes: [{ atMs: NOW + 4, actor: 'alice', action: 'assigned', from: null, to: null, assignee: null }],
      });
      expect(await store.findIssue(tenant, record.issueId)).toEqual(unassigned?.record);
      expect(await store.assign(tenant, 'missing', 'bob', 'alice', NOW)).toBeNull();

      expect((await store.history(tenant, record.issueId)).map((change) => `${change.action}:${change.from}>${change.to}:${change.assignee}`)).toEqual([
        'created:null>FOR_REVIEW:null',
        'assigned:null>null:bob@example.com',
        'status_changed:FOR_REVIEW>REVIEWED:null',
        'status_changed:REVIEWED>IGNORED:null',
        'assigned:null>null:carol',
        'status_changed:IGNORED>FOR_REVIEW:null',
        'assigned:null>null:null',
      ]);
      expect(await store.history(tenant, 'missing')).toEqual([]);
    });

    it('keeps pipeline changes in an outbox until they are acknowledged as published', async () => {
      const tenant = uniqueTenant();
      const first = await store.recordOccurrences([occurrence(tenant, 'a', 0), occurrence(tenant, 'b', 0)], WINDOW_HOURS);
      expect(first.map((recorded) => recorded.unpublished.map(({ change }) => change.action))).toEqual([['created'], ['created']]);

      // Not acknowledged (the publish failed): a redelivery changes nothing but hands the changes out again.
      const redelivered = await store.recordOccurrences([occurrence(tenant, 'a', 0), occurrence(tenant, 'b', 0)], WINDOW_HOURS);
      expect(redelivered.map((recorded) => recorded.changes)).toEqual([[], []]);
      expect(redelivered.map((recorded) => recorded.unpublished)).toEqual(first.map((recorded) => recorded.unpublished));

      const [a, b] = first;
      await store.acknowledgePublished([{ tenant, issueId: a.record.issueId, tokens: a.unpublished.map(({ token }) => token) }]);
      // Another consumer's change of `b` arrives between its read and its acknowledgement: only the
      // acknowledged entry goes.
      await store.updateStatus(tenant, b.record.issueId, 'RESOLVED', 'alice', NOW);
      const [regressedB] = await store.recordOccurrences([occurrence(tenant, 'b', 1, { version: '1.5.0' })], WINDOW_HOURS);
      expect(regressedB.unpublished.map(({ change }) => change.action)).toEqual(['created', 'regressed']);
      await store.acknowledgePublished([{ tenant, issueId: b.record.issueId, tokens: b.unpublished.map(({ token }) => token) }]);
      await store.acknowledgePublished([{ tenant, issueId: b.record.issueId, tokens: b.unpublished.map(({ token }) => token) }]); // again: no-op
      await store.acknowledgePublished([]);

      const after = await store.recordOccurrences([occurrence(tenant, 'a', 0), occurrence(tenant, 'b', 1, { version: '1.5.0' })], WINDOW_HOURS);
      expect(after.map((recorded) => recorded.unpublished.map(({ change }) => change.action))).toEqual([[], ['regressed']]);
      // Manual changes are not in the outbox (whoever makes them reports them); history has everything.
      expect((await store.history(tenant, b.record.issueId)).map((change) => change.action)).toEqual(['created', 'status_changed', 'regressed']);
    });

    it('keeps the latest 200 history entries, oldest first', async () => {
      const tenant = uniqueTenant();
      const [{ record }] = await store.recordOccurrences([occurrence(tenant, 'a', 0)], WINDOW_HOURS);
      for (let n = 0; n < 205; n++) await store.assign(tenant, record.issueId, `user-${n}`, 'alice', NOW + n);
      const history = await store.history(tenant, record.issueId);
      expect(history).toHaveLength(200);
      // 207 entries written (created, assigned + status_changed for user-0, 204 more assigned): the first 7 are gone.
      expect(history[0]).toMatchObject({ atMs: NOW + 5, assignee: 'user-5' });
      expect(history[199]).toMatchObject({ atMs: NOW + 204, assignee: 'user-204' });
    });

    describe('the Lua version order agrees with @faultline/domain', () => {
      const pairs = [...VERSION_ORDER_CASES.older, ...VERSION_ORDER_CASES.equal].flatMap(([a, b]) => [[a, b], [b, a]] as const);

      it('compareVersions and isRegression give the same answers on the whole table', async () => {
        const lua = `${VERSION_ORDER_LUA}
  local results = {}
  for index = 1, #ARGV, 2 do
    results[#results + 1] = { compareVersions(ARGV[index], ARGV[index + 1]), isRegression(ARGV[index + 1], ARGV[index]) and 1 or 0 }
  end
  return results`;
        const results = (await redis.eval(lua, 0, ...pairs.flat())) as [number, number][];
        expect(results).toEqual(pairs.map(([a, b]) => [compareVersions(a, b), isRegression(b, a) ? 1 : 0]));
      });

      it('the stored regression rule follows the table', async () => {
        for (const [resolvedIn, seen] of pairs) {
          const tenant = uniqueTenant();
          await resolvedIssue(tenant, resolvedIn);
          const [after] = await store.recordOccurrences([atVersion(tenant, 1, seen)], WINDOW_HOURS);
          expect({ resolvedIn, seen, regressed: after.regressed }).toEqual({ resolvedIn, seen, regressed: isRegression(resolvedIn, seen) });
        }
      });
    });
  });
});

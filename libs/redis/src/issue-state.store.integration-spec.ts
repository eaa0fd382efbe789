import { createHash } from 'node:crypto';
import type { IssueRecord } from '@faultline/contracts';
import { requireEnv } from '../test/integration-env';
import { IssueStateKeys, IssueStateStore, type IssueOccurrence } from './issue-state.store';
import { createRedisClient } from './redis.client';

const redis = createRedisClient(requireEnv('REDIS_URL'));
const store = new IssueStateStore(redis);
const keys = new IssueStateKeys();
const WINDOW_HOURS = 48;
const HOUR = 3_600_000;
// 2024-11-25T00:00:00Z, an hour boundary.
const T0 = 1_732_492_800_000;

afterAll(async () => {
  await redis.quit();
});

let tenantCounter = 0;
function uniqueTenant(): string {
  return `t${process.pid}-${Date.now().toString(36)}-${tenantCounter++}`;
}

function hexId(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

function occurrence(tenant: string, issue: string, n: number, overrides: Partial<IssueOccurrence> = {}): IssueOccurrence {
  return {
    tenant,
    issueId: hexId(tenant, issue),
    occurrenceId: hexId(tenant, issue, 'occurrence', n),
    fingerprint: hexId('fingerprint', issue),
    fingerprintVersion: 1,
    service: 'orders-api',
    env: 'production',
    version: '1.4.2',
    errorType: 'TypeError',
    errorMessage: "Cannot read properties of undefined (reading 'id')",
    messageTemplate: "Cannot read properties of undefined (reading '<str>')",
    culprit: 'getOrder (orders.controller.js)',
    timestampMs: T0 + n * 1000,
    ...overrides,
  };
}

describe('IssueStateStore (real Redis)', () => {
  it('creates an issue on first sight and counts its occurrences', async () => {
    const tenant = uniqueTenant();
    const batch = [0, 1, 2].map((n) => occurrence(tenant, 'a', n));
    const [record] = await store.recordOccurrences(batch, WINDOW_HOURS);
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
      revision: expect.any(Number),
    });
    expect(record.revision).toBeGreaterThan(0);
    expect(await store.findIssue(tenant, record.issueId)).toEqual(record);
    expect(await store.findIssue(tenant, 'missing')).toBeNull();
  });

  it('counts a redelivered occurrence once and still returns the record', async () => {
    const tenant = uniqueTenant();
    const batch = [0, 1].map((n) => occurrence(tenant, 'a', n));
    const [first] = await store.recordOccurrences(batch, WINDOW_HOURS);

    const [replayed] = await store.recordOccurrences(batch, WINDOW_HOURS);
    expect(replayed).toEqual(first);
    expect(replayed.revision).toBe(first.revision);

    // Duplicates inside one call, mixed with one new occurrence.
    const [mixed] = await store.recordOccurrences([batch[0], occurrence(tenant, 'a', 5), occurrence(tenant, 'a', 5)], WINDOW_HOURS);
    expect(mixed.count).toBe(3);
    expect(mixed.revision).toBeGreaterThan(first.revision);
    expect(await store.hourlyCounts(tenant, first.issueId, T0, T0 + HOUR)).toEqual([{ hourStartMs: T0, count: 3 }]);
  });

  it('keeps revisions increasing after Redis lost the issue, so stale projection rows never win', async () => {
    const tenant = uniqueTenant();
    const [before] = await store.recordOccurrences([occurrence(tenant, 'a', 0)], WINDOW_HOURS);
    const keys = new IssueStateKeys();
    await redis.del(keys.issue(tenant, before.issueId), keys.envs(tenant, before.issueId));
    const [recreated] = await store.recordOccurrences([occurrence(tenant, 'a', 1)], WINDOW_HOURS);
    expect(recreated.count).toBe(1);
    expect(recreated.revision).toBeGreaterThan(before.revision);
  });

  it('keeps the earliest and latest occurrence with their versions when occurrences arrive out of order', async () => {
    const tenant = uniqueTenant();
    const at = (n: number, version: string | null) => occurrence(tenant, 'a', n, { timestampMs: T0 + n * 60_000, version });

    let [record] = await store.recordOccurrences([at(10, '1.1.0')], WINDOW_HOURS);
    expect(record).toMatchObject({ firstSeenMs: T0 + 600_000, lastSeenMs: T0 + 600_000, firstVersion: '1.1.0', lastVersion: '1.1.0' });

    [record] = await store.recordOccurrences([at(20, '1.2.0'), at(5, '1.0.0')], WINDOW_HOURS);
    expect(record).toMatchObject({ firstSeenMs: T0 + 300_000, firstVersion: '1.0.0', lastSeenMs: T0 + 1_200_000, lastVersion: '1.2.0', count: 3 });

    // Inside the known range: counted, bounds unchanged.
    const before = record.revision;
    [record] = await store.recordOccurrences([at(15, '9.9.9')], WINDOW_HOURS);
    expect(record).toMatchObject({ firstVersion: '1.0.0', lastVersion: '1.2.0', count: 4 });
    expect(record.revision).toBeGreaterThan(before);

    // An earlier occurrence without a version makes the first version unknown.
    [record] = await store.recordOccurrences([at(1, null)], WINDOW_HOURS);
    expect(record).toMatchObject({ firstSeenMs: T0 + 60_000, firstVersion: null, lastVersion: '1.2.0' });
  });

  it('creates the issue from the earliest occurrence of the batch and collects every env', async () => {
    const tenant = uniqueTenant();
    const [record] = await store.recordOccurrences(
      [
        occurrence(tenant, 'a', 3, { env: 'staging', errorMessage: 'later message' }),
        occurrence(tenant, 'a', 1, { env: null, errorMessage: 'first message', culprit: null }),
        occurrence(tenant, 'a', 2, { env: 'production' }),
      ],
      WINDOW_HOURS,
    );
    expect(record).toMatchObject({ env: null, errorMessage: 'first message', culprit: null, envs: ['production', 'staging'] });

    const [again] = await store.recordOccurrences([occurrence(tenant, 'a', 0, { env: 'canary', errorMessage: 'even earlier' })], WINDOW_HOURS);
    // Static fields are set once, at creation; the env set keeps growing.
    expect(again).toMatchObject({ env: null, errorMessage: 'first message', envs: ['canary', 'production', 'staging'] });
  });

  it('keeps per-hour counters and reads them as a zero-filled series', async () => {
    const tenant = uniqueTenant();
    const at = (n: number, offsetMs: number) => occurrence(tenant, 'a', n, { timestampMs: T0 + offsetMs });
    const batch = [at(1, 5), at(2, HOUR - 1), at(3, HOUR), at(4, 3 * HOUR + 59 * 60_000)];
    const [record] = await store.recordOccurrences(batch, WINDOW_HOURS);
    await store.recordOccurrences(batch, WINDOW_HOURS); // redelivery: no counter moves

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

  it('expires the seen sets after the dedupe window', async () => {
    const tenant = uniqueTenant();
    const [record] = await store.recordOccurrences([occurrence(tenant, 'a', 1)], 2);
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
    const records = await store.recordOccurrences(batch, WINDOW_HOURS);
    expect(records.map((record) => record.issueId)).toEqual(issueNames.map((name) => hexId(tenant, name)));
    records.forEach((record, index) => {
      expect(record.count).toBe((index % 4) + 1);
      expect(record.envs).toEqual(index % 4 === 0 ? ['production'] : ['production', 'staging']);
      expect(record.revision).toBeGreaterThan(0);
    });
    const revisionsBefore = records.map((record) => record.revision);

    const reversed = [...batch].reverse();
    const replay = await store.recordOccurrences(reversed, WINDOW_HOURS);
    expect(replay.map((record) => record.issueId)).toEqual([...new Set(reversed.map((item) => item.issueId))]);
    const revisionById = new Map(records.map((record, index) => [record.issueId, revisionsBefore[index]]));
    expect(replay.every((record) => record.revision === revisionById.get(record.issueId))).toBe(true);
  });

  it('sends a whole batch as one pipeline, and recovers when Redis lost its script cache', async () => {
    const tenant = uniqueTenant();
    const pipelines = jest.spyOn(redis, 'pipeline');
    try {
      await store.recordOccurrences([occurrence(tenant, 'a', 1), occurrence(tenant, 'b', 1), occurrence(tenant, 'c', 1)], WINDOW_HOURS);
      expect(pipelines).toHaveBeenCalledTimes(1);
    } finally {
      pipelines.mockRestore();
    }
    await redis.script('FLUSH');
    const records = await store.recordOccurrences([occurrence(tenant, 'a', 2), occurrence(tenant, 'b', 1)], WINDOW_HOURS);
    expect(records.map((record) => record.count)).toEqual([2, 1]);
  });

  it('works with tenants and issue ids that contain hash-tag characters', async () => {
    const tenant = `${uniqueTenant()}}{:'"\\`;
    const [record] = await store.recordOccurrences([occurrence(tenant, 'a', 1, { issueId: 'x}{y' })], WINDOW_HOURS);
    expect(record).toMatchObject({ tenant, issueId: 'x}{y', count: 1 });
  });

  it('returns nothing for an empty batch and rejects a bad window', async () => {
    expect(await store.recordOccurrences([], WINDOW_HOURS)).toEqual([]);
    await expect(store.recordOccurrences([occurrence('t', 'a', 1)], 0)).rejects.toThrow(RangeError);
  });
});

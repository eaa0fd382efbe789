import type { IssueRecord } from '@faultline/contracts';
import { redisTargets } from '../test/integration-env';
import { occurrence as occurrenceOf, T0, uniqueTenant as newTenant } from '../test/issue-occurrences';
import { IssueStateStore, type IssueOccurrence } from './issue-state.store';

/* IssueStateStore.autoResolve, the compare-and-set behind auto-resolve, on the run's real Redis. */

describe.each(redisTargets())('on $name Redis', ({ connect }) => {
  const redis = connect();
  // The fixtures are dated 2024: keep their hourly counters (the default retention is 14 days back from now).
  const store = new IssueStateStore(redis, undefined, { hourlyRetentionHours: 10 * 365 * 24 });
  const NOW = T0 + 20 * 86_400_000;

  afterAll(async () => {
    await redis.quit();
  });

  const uniqueTenant = () => newTenant('ar');
  const occurrence = (tenant: string, n: number, overrides: Partial<IssueOccurrence> = {}) => occurrenceOf(tenant, 'issue', n, overrides);

  /** A new issue with two occurrences (last seen T0 + 1 s in 1.4.2). */
  async function newIssue(tenant: string): Promise<IssueRecord> {
    const [recorded] = await store.recordOccurrences([occurrence(tenant, 0, { version: '1.4.1' }), occurrence(tenant, 1)], 48);
    return recorded.record;
  }

  const expectedOf = (record: IssueRecord, reason = 'inactive for 14 days') => ({
    expectedLastSeenMs: record.lastSeenMs,
    expectedCount: record.count,
    reason,
    nowMs: NOW,
  });

  describe('IssueStateStore.autoResolve (real Redis)', () => {
    it('resolves an open issue as a manual resolve would, with a system history entry that gives the reason', async () => {
      const tenant = uniqueTenant();
      const before = await newIssue(tenant);

      const result = await store.autoResolve(tenant, before.issueId, expectedOf(before, 'superseded by version 1.5.0'));

      const change = { atMs: NOW, actor: 'system', action: 'status_changed', from: 'FOR_REVIEW', to: 'RESOLVED', assignee: null, reason: 'superseded by version 1.5.0' };
      expect(result?.change).toEqual(change);
      expect(result?.record).toEqual({ ...before, status: 'RESOLVED', resolvedInVersion: '1.4.2', revision: expect.any(Number) });
      expect(result?.record.revision).toBeGreaterThan(before.revision);
      expect(await store.findIssue(tenant, before.issueId)).toEqual(result?.record);
      const history = await store.history(tenant, before.issueId);
      expect(history.map((entry) => entry.action)).toEqual(['created', 'status_changed']);
      expect(history[1]).toEqual(change);
      // Entries without a reason read as they always did.
      expect(history[0]).not.toHaveProperty('reason');

      // Resolved now: a second attempt (another replica, the next run) changes nothing.
      expect(await store.autoResolve(tenant, before.issueId, expectedOf(before))).toBeNull();
      expect(await store.history(tenant, before.issueId)).toHaveLength(2);
      expect((await store.findIssue(tenant, before.issueId))?.revision).toBe(result?.record.revision);
    });

    it('resolves a REVIEWED issue too, and an issue seen without versions with no resolvedInVersion', async () => {
      const tenant = uniqueTenant();
      const reviewed = await newIssue(tenant);
      await store.updateStatus(tenant, reviewed.issueId, 'REVIEWED', 'alice@example.com', NOW - 1000);
      const result = await store.autoResolve(tenant, reviewed.issueId, expectedOf(reviewed));
      expect(result?.change).toMatchObject({ from: 'REVIEWED', to: 'RESOLVED', reason: 'inactive for 14 days' });

      const unversionedTenant = uniqueTenant();
      const [{ record: unversioned }] = await store.recordOccurrences([occurrence(unversionedTenant, 0, { version: null })], 48);
      expect((await store.autoResolve(unversionedTenant, unversioned.issueId, expectedOf(unversioned)))?.record).toMatchObject({
        status: 'RESOLVED',
        lastVersion: null,
        resolvedInVersion: null,
      });
    });

    it('refuses when an occurrence was recorded after the decision, even a late one older than the last seen', async () => {
      const tenant = uniqueTenant();
      const decidedOn = await newIssue(tenant);
      const [{ record: newer }] = await store.recordOccurrences([occurrence(tenant, 5)], 48);
      expect(newer.lastSeenMs).toBeGreaterThan(decidedOn.lastSeenMs);
      expect(await store.autoResolve(tenant, decidedOn.issueId, expectedOf(decidedOn))).toBeNull();

      const [{ record: late }] = await store.recordOccurrences([occurrence(tenant, -5)], 48);
      expect(late.lastSeenMs).toBe(newer.lastSeenMs);
      expect(await store.autoResolve(tenant, decidedOn.issueId, expectedOf(newer))).toBeNull();

      expect(await store.findIssue(tenant, decidedOn.issueId)).toEqual(late);
      expect((await store.history(tenant, decidedOn.issueId)).map((entry) => entry.action)).toEqual(['created']);
      // On the current values it goes through.
      expect((await store.autoResolve(tenant, decidedOn.issueId, expectedOf(late)))?.record.status).toBe('RESOLVED');
    });

    it.each(['IGNORED', 'RESOLVED'] as const)('leaves an issue alone when it is %s', async (status) => {
      const tenant = uniqueTenant();
      const issue = await newIssue(tenant);
      const changed = await store.updateStatus(tenant, issue.issueId, status, 'alice@example.com', NOW - 1000);
      expect(await store.autoResolve(tenant, issue.issueId, expectedOf(issue))).toBeNull();
      expect(await store.findIssue(tenant, issue.issueId)).toEqual(changed?.record);
      expect(await store.history(tenant, issue.issueId)).toHaveLength(2);
    });

    it('answers null for an unknown issue and creates nothing', async () => {
      const tenant = uniqueTenant();
      expect(await store.autoResolve(tenant, 'missing', { expectedLastSeenMs: T0, expectedCount: 1, reason: 'inactive for 14 days', nowMs: NOW })).toBeNull();
      expect(await store.findIssue(tenant, 'missing')).toBeNull();
      expect(await store.history(tenant, 'missing')).toEqual([]);
    });

    it('queues the change for publishing: the next recorded batch of the issue returns it until acknowledged', async () => {
      const tenant = uniqueTenant();
      const issue = await newIssue(tenant);
      // newIssue's `created` entry was never acknowledged either: acknowledge it as the use case would.
      const [{ unpublished }] = await store.recordOccurrences([occurrence(tenant, 1)], 48);
      await store.acknowledgePublished([{ tenant, issueId: issue.issueId, tokens: unpublished.map(({ token }) => token) }]);

      const resolved = await store.autoResolve(tenant, issue.issueId, expectedOf(issue));
      // Its publish failed: the next batch (a regression, from a newer version) carries it before its own change.
      const [next] = await store.recordOccurrences([occurrence(tenant, 9, { version: '1.5.0' })], 48);
      expect(next.unpublished.map(({ change }) => [change.action, change.from, change.to])).toEqual([
        ['status_changed', 'FOR_REVIEW', 'RESOLVED'],
        ['regressed', 'RESOLVED', 'FOR_REVIEW'],
      ]);
      expect(next.unpublished[0]).toEqual({ change: resolved?.change, token: resolved?.token });
      await store.acknowledgePublished([{ tenant, issueId: issue.issueId, tokens: [resolved?.token as string] }]);
      const [after] = await store.recordOccurrences([occurrence(tenant, 9, { version: '1.5.0' })], 48);
      expect(after.unpublished.map(({ change }) => change.action)).toEqual(['regressed']);
    });
  });
});

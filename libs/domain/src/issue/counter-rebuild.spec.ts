import type { IssueRecord } from '@faultline/contracts';
import { dedupeSetsSinceMs, hourlyCountersStartMs, rebuildIssueRecord } from './counter-rebuild';

const projection: IssueRecord = {
  tenant: 'acme',
  issueId: 'issue-1',
  fingerprint: 'f'.repeat(32),
  fingerprintVersion: 1,
  service: 'checkout',
  env: 'staging',
  envs: ['staging'],
  errorType: 'PaymentDeclinedError',
  errorMessage: 'card declined',
  messageTemplate: 'card declined',
  culprit: 'charge (payments.js)',
  status: 'RESOLVED',
  count: 3,
  firstSeenMs: 1_000,
  lastSeenMs: 5_000,
  firstVersion: '1.0',
  lastVersion: '1.1',
  regression: false,
  assignee: 'dana',
  resolvedInVersion: '1.1',
  revision: 100,
};
const stored = { count: 4, firstSeenMs: 1_000, lastSeenMs: 9_000, firstVersion: '1.0', lastVersion: '1.2', envs: ['production', 'staging'] };

describe('rebuildIssueRecord', () => {
  it('takes counts, bounds and envs from the stored occurrences and the rest from the projection', () => {
    const { revision: _revision, ...rest } = projection;
    expect(rebuildIssueRecord(projection, stored, null)).toEqual({ ...rest, count: 4, lastSeenMs: 9_000, lastVersion: '1.2', envs: ['production', 'staging'] });
  });

  it('keeps the workflow Redis still holds when it is newer than the projection, else the projection', () => {
    const live = { revision: 101, status: 'FOR_REVIEW' as const, regression: true, assignee: null, resolvedInVersion: null };
    expect(rebuildIssueRecord(projection, stored, live)).toMatchObject({ status: 'FOR_REVIEW', regression: true, assignee: null, resolvedInVersion: null });
    expect(rebuildIssueRecord(projection, stored, { ...live, revision: 100 })).toMatchObject({ status: 'RESOLVED', assignee: 'dana', resolvedInVersion: '1.1' });
  });

  it('keeps bounds the projection knows beyond the stored rows (dropped by retention), and the projection without any row', () => {
    const rebuilt = rebuildIssueRecord({ ...projection, firstSeenMs: 500, firstVersion: '0.9', envs: ['qa'] }, stored, null);
    expect(rebuilt).toMatchObject({ count: 4, firstSeenMs: 500, firstVersion: '0.9', envs: ['production', 'qa', 'staging'] });
    expect(rebuildIssueRecord(projection, null, null)).toMatchObject({ count: 3, firstSeenMs: 1_000, lastSeenMs: 5_000, envs: ['staging'] });
  });
});

describe('rebuild horizons', () => {
  it('keeps the hourly counters the record script keeps: hours from (now - retention - 1 h), in server seconds', () => {
    expect(hourlyCountersStartMs(10 * 3_600_000 + 999, 2)).toBe(7 * 3_600_000);
  });

  it('rebuilds dedupe sets of hours that received an occurrence within the window plus a lag allowance', () => {
    expect(dedupeSetsSinceMs(100 * 3_600_000, 48)).toBe(51 * 3_600_000);
    expect(dedupeSetsSinceMs(100 * 3_600_000, 48, 0)).toBe(52 * 3_600_000);
    expect(dedupeSetsSinceMs(1_000, 48)).toBe(0);
  });
});

import { autoResolveDecision, inactiveDecision, newerVersionsSinceMs, supersedingVersion, type AutoResolveIssue, type AutoResolvePolicy, type ServiceVersion } from './auto-resolve';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = 1_732_492_800_000 + 30 * DAY;
const POLICY: AutoResolvePolicy = { inactiveDays: 14, versionGraceMs: 24 * HOUR };

const issue = (changes: Partial<AutoResolveIssue> = {}): AutoResolveIssue => ({
  status: 'FOR_REVIEW',
  lastSeenMs: NOW - 2 * DAY,
  lastVersion: '2.3.1',
  envs: ['production'],
  ...changes,
});
const version = (v: string, firstSeenAgoMs: number, env: string | null = 'production'): ServiceVersion => ({ env, version: v, firstSeenMs: NOW - firstSeenAgoMs });

describe('inactiveDecision', () => {
  it('resolves an open issue seen last exactly inactiveDays ago or earlier', () => {
    expect(inactiveDecision(issue({ lastSeenMs: NOW - 14 * DAY }), NOW, POLICY)).toEqual({ rule: 'inactive', reason: 'inactive for 14 days' });
    expect(inactiveDecision(issue({ lastSeenMs: NOW - 40 * DAY, status: 'REVIEWED' }), NOW, POLICY)?.rule).toBe('inactive');
    expect(inactiveDecision(issue({ lastSeenMs: NOW - 14 * DAY + 1 }), NOW, POLICY)).toBeNull();
  });

  it('leaves IGNORED and RESOLVED issues alone, and is off at 0 days', () => {
    expect(inactiveDecision(issue({ lastSeenMs: 0, status: 'IGNORED' }), NOW, POLICY)).toBeNull();
    expect(inactiveDecision(issue({ lastSeenMs: 0, status: 'RESOLVED' }), NOW, POLICY)).toBeNull();
    expect(inactiveDecision(issue({ lastSeenMs: 0 }), NOW, { ...POLICY, inactiveDays: 0 })).toBeNull();
    expect(inactiveDecision(issue({ lastSeenMs: NOW - DAY }), NOW, { ...POLICY, inactiveDays: 1 })?.reason).toBe('inactive for 1 day');
  });
});

describe('supersedingVersion', () => {
  it('is the oldest newer version first seen at least the grace period ago', () => {
    const versions = [version('2.3.1', 10 * DAY), version('2.4.0', 3 * DAY), version('2.10.0', 2 * DAY), version('2.11.0', HOUR)];
    expect(supersedingVersion(issue(), versions, NOW, POLICY)).toBe('2.4.0');
    expect(supersedingVersion(issue(), [version('2.10.0', 2 * DAY), version('2.11.0', HOUR)], NOW, POLICY)).toBe('2.10.0');
  });

  it('gives a fresh deploy the grace period, with the boundary included', () => {
    expect(supersedingVersion(issue(), [version('2.4.0', 24 * HOUR - 1)], NOW, POLICY)).toBeNull();
    expect(supersedingVersion(issue(), [version('2.4.0', 24 * HOUR)], NOW, POLICY)).toBe('2.4.0');
  });

  it('needs the issue quiet for the grace period (old instances or envs still show it)', () => {
    const versions = [version('2.4.0', 5 * DAY)];
    expect(supersedingVersion(issue({ lastSeenMs: NOW - 24 * HOUR + 1 }), versions, NOW, POLICY)).toBeNull();
    expect(supersedingVersion(issue({ lastSeenMs: NOW - 24 * HOUR }), versions, NOW, POLICY)).toBe('2.4.0');
  });

  it('ignores older and equal versions, and versions of envs the issue was never seen in', () => {
    expect(supersedingVersion(issue(), [version('2.3.0', 5 * DAY), version('v2.3.1', 5 * DAY), version('2.3.1-rc1', 5 * DAY)], NOW, POLICY)).toBeNull();
    expect(supersedingVersion(issue(), [version('2.4.0', 5 * DAY, 'staging'), version('2.4.0', 5 * DAY, null)], NOW, POLICY)).toBeNull();
    // Without envs on the issue, any env's versions count.
    expect(supersedingVersion(issue({ envs: [] }), [version('2.4.0', 5 * DAY, null)], NOW, POLICY)).toBe('2.4.0');
    expect(supersedingVersion(issue({ envs: [] }), [version('2.4.0', 5 * DAY, 'staging')], NOW, POLICY)).toBe('2.4.0');
  });

  it('never supersedes an issue without a last version, or one that is IGNORED or RESOLVED', () => {
    const versions = [version('2.4.0', 5 * DAY)];
    expect(supersedingVersion(issue({ lastVersion: null }), versions, NOW, POLICY)).toBeNull();
    expect(supersedingVersion(issue({ status: 'IGNORED' }), versions, NOW, POLICY)).toBeNull();
    expect(supersedingVersion(issue({ status: 'RESOLVED' }), versions, NOW, POLICY)).toBeNull();
    expect(supersedingVersion(issue({ status: 'REVIEWED' }), versions, NOW, POLICY)).toBe('2.4.0');
  });
});

describe('newerVersionsSinceMs', () => {
  it('is the earliest first seen of any newer version, in any env', () => {
    const versions = [version('2.3.1', 10 * DAY), version('2.4.0', 3 * DAY), version('2.4.0', 4 * DAY, 'staging'), version('2.5.0', HOUR)];
    expect(newerVersionsSinceMs(issue(), versions)).toBe(NOW - 4 * DAY);
    expect(newerVersionsSinceMs(issue({ lastVersion: '9.0' }), versions)).toBeNull();
    expect(newerVersionsSinceMs(issue({ lastVersion: null }), versions)).toBeNull();
  });
});

describe('autoResolveDecision', () => {
  const versions = [version('2.3.1', 10 * DAY), version('2.4.0', 3 * DAY)];

  it('resolves a superseded issue that no newer version shows', () => {
    expect(autoResolveDecision(issue(), versions, ['2.3.0', '2.3.1'], NOW, POLICY)).toEqual({
      rule: 'superseded',
      reason: 'superseded by version 2.4.0',
      version: '2.4.0',
    });
  });

  it('keeps an issue that a newer version shows, in any env, even when it was reported last by an older one', () => {
    expect(autoResolveDecision(issue(), versions, ['2.3.1', '2.4.0'], NOW, POLICY)).toBeNull();
    expect(autoResolveDecision(issue(), versions, ['2.3.1', '2.5.0-rc1'], NOW, POLICY)).toBeNull();
  });

  it('prefers the inactivity rule, which needs no versions', () => {
    expect(autoResolveDecision(issue({ lastSeenMs: NOW - 20 * DAY, lastVersion: null }), [], [], NOW, POLICY)).toEqual({
      rule: 'inactive',
      reason: 'inactive for 14 days',
    });
    expect(autoResolveDecision(issue({ lastSeenMs: NOW - 20 * DAY }), versions, ['2.4.0'], NOW, POLICY)?.rule).toBe('inactive');
  });

  it('leaves a recent issue, and any IGNORED or RESOLVED one, as it is', () => {
    expect(autoResolveDecision(issue({ lastSeenMs: NOW - HOUR }), versions, ['2.3.1'], NOW, POLICY)).toBeNull();
    expect(autoResolveDecision(issue({ status: 'IGNORED', lastSeenMs: 0 }), versions, [], NOW, POLICY)).toBeNull();
    expect(autoResolveDecision(issue({ status: 'RESOLVED', lastSeenMs: 0 }), versions, [], NOW, POLICY)).toBeNull();
  });
});

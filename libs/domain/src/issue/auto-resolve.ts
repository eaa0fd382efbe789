import type { IssueRecord, IssueStatus } from '@faultline/contracts';
import { compareVersions } from './compare-versions';

/** Statuses the system may resolve: IGNORED and RESOLVED issues are left alone. */
export const AUTO_RESOLVABLE_STATUSES: readonly IssueStatus[] = ['FOR_REVIEW', 'REVIEWED'];

const DAY_MS = 86_400_000;

export interface AutoResolvePolicy {
  /** Days without any occurrence after which an open issue is resolved; 0 turns this rule off. */
  inactiveDays: number;
  /**
   * How long a newer version must have been seen, and the issue quiet, before the version counts as
   * superseding the issue's last version (a fresh deploy gets this long to show the error).
   */
  versionGraceMs: number;
}

/** What the rule reads of an issue (its latest projection). */
export type AutoResolveIssue = Pick<IssueRecord, 'status' | 'lastSeenMs' | 'lastVersion' | 'envs'>;

/** One version of the issue's service in one env, and when an occurrence of it was first seen there. */
export interface ServiceVersion {
  env: string | null;
  version: string;
  firstSeenMs: number;
}

export type AutoResolveDecision =
  | { rule: 'inactive'; reason: string }
  | { rule: 'superseded'; reason: string; version: string };

/**
 * Inactive: the issue is FOR_REVIEW or REVIEWED and has had no occurrence for `inactiveDays`
 * (`lastSeenMs <= nowMs - inactiveDays days`). Null when it is not, or the rule is off (0 days).
 */
export function inactiveDecision(issue: AutoResolveIssue, nowMs: number, policy: AutoResolvePolicy): AutoResolveDecision | null {
  if (!AUTO_RESOLVABLE_STATUSES.includes(issue.status) || policy.inactiveDays <= 0) return null;
  if (issue.lastSeenMs > nowMs - policy.inactiveDays * DAY_MS) return null;
  return { rule: 'inactive', reason: `inactive for ${policy.inactiveDays} day${policy.inactiveDays === 1 ? '' : 's'}` };
}

/**
 * The version that supersedes the issue's last version, from what is known of its service (before
 * looking at the issue's own occurrences, see {@link autoResolveDecision}): the oldest version N such
 * that
 * - the issue is FOR_REVIEW or REVIEWED and has a `lastVersion` (issues without one are never superseded);
 * - the issue has been quiet for the grace period: `lastSeenMs <= nowMs - versionGraceMs` (old
 *   instances of a rolling deploy, or an env still on the old version, keep it open while they show it);
 * - N is newer than `lastVersion` (compareVersions);
 * - N was first seen at or before `nowMs - versionGraceMs` in an env the issue was seen in (any env
 *   when the issue has none): a staging env on N says nothing about production still on the old one.
 * The oldest such N is the tightest bound on where the error stopped. Null when there is none.
 */
export function supersedingVersion(
  issue: AutoResolveIssue,
  serviceVersions: readonly ServiceVersion[],
  nowMs: number,
  policy: AutoResolvePolicy,
): string | null {
  const { lastVersion } = issue;
  if (!AUTO_RESOLVABLE_STATUSES.includes(issue.status) || lastVersion === null) return null;
  const settledBefore = nowMs - policy.versionGraceMs;
  if (issue.lastSeenMs > settledBefore) return null;
  let oldest: string | null = null;
  for (const candidate of serviceVersions) {
    if (issue.envs.length > 0 && (candidate.env === null || !issue.envs.includes(candidate.env))) continue;
    if (candidate.firstSeenMs > settledBefore || compareVersions(candidate.version, lastVersion) <= 0) continue;
    if (oldest === null || compareVersions(candidate.version, oldest) < 0) oldest = candidate.version;
  }
  return oldest;
}

/**
 * When the service's first version newer than the issue's last version was first seen (in any env),
 * or null when there is none: an occurrence of the issue in a newer version cannot be older, so the
 * issue's occurrences need to be read only from this time on.
 */
export function newerVersionsSinceMs(issue: AutoResolveIssue, serviceVersions: readonly ServiceVersion[]): number | null {
  const { lastVersion } = issue;
  if (lastVersion === null) return null;
  let since: number | null = null;
  for (const candidate of serviceVersions) {
    if (compareVersions(candidate.version, lastVersion) > 0 && (since === null || candidate.firstSeenMs < since)) since = candidate.firstSeenMs;
  }
  return since;
}

/**
 * The auto-resolve rule. An issue that is FOR_REVIEW or REVIEWED is resolved by the system when
 * 1. it is inactive ({@link inactiveDecision}: no occurrence for `inactiveDays`), reason
 *    `inactive for 14 days`; or else
 * 2. its last version is superseded: {@link supersedingVersion} finds a version N, and the issue has
 *    no occurrence in any version newer than its last version, in any env (`issueVersions`: the
 *    versions of its occurrences, at least those since {@link newerVersionsSinceMs}). Reason
 *    `superseded by version N`.
 * `lastVersion` is the version of the latest occurrence by time, so an issue can have occurred in a
 * newer version while an old instance reported it last; that newer version still shows the error.
 * Null: leave the issue as it is.
 */
export function autoResolveDecision(
  issue: AutoResolveIssue,
  serviceVersions: readonly ServiceVersion[],
  issueVersions: readonly string[],
  nowMs: number,
  policy: AutoResolvePolicy,
): AutoResolveDecision | null {
  const inactive = inactiveDecision(issue, nowMs, policy);
  if (inactive) return inactive;
  const version = supersedingVersion(issue, serviceVersions, nowMs, policy);
  if (version === null) return null;
  const lastVersion = issue.lastVersion as string; // supersedingVersion is null without one
  if (issueVersions.some((seen) => compareVersions(seen, lastVersion) > 0)) return null;
  return { rule: 'superseded', reason: `superseded by version ${version}`, version };
}

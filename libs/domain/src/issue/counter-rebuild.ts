import type { IssueRecord, IssueStatus } from '@faultline/contracts';

/**
 * The pure half of rebuilding the aggregator's Redis state from ClickHouse (the I/O is in
 * apps/aggregator/src/counter-rebuild): which values an issue gets back, and which hours.
 */

const HOUR_MS = 3_600_000;

/** What the stored occurrences of one issue say (distinct occurrence ids). */
export interface StoredOccurrenceSummary {
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  firstVersion: string | null;
  lastVersion: string | null;
  envs: readonly string[];
}

/** The workflow fields of an issue hash that survived in Redis, with its revision. */
export interface LiveWorkflowState {
  revision: number;
  status: IssueStatus;
  regression: boolean;
  assignee: string | null;
  resolvedInVersion: string | null;
}

/** An issue's rebuilt state, without the revision (Redis assigns it when it writes the state). */
export type RebuiltIssueRecord = Omit<IssueRecord, 'revision'>;

/**
 * The state an issue gets back:
 * - static fields (fingerprint, service, first env, error type and message, template, culprit)
 *   from its latest projection row: they were set once, from the issue's first occurrence;
 * - count, first/last seen and their versions, envs from its stored occurrences, which are what
 *   the counters count (each occurrence id once). Where the projection knows an earlier first or a
 *   later last occurrence than the rows still stored (a month dropped by retention), the
 *   projection's bound and version stand; envs are the union (an issue's envs only grow). Without
 *   any stored occurrence, the projection's values stand;
 * - workflow (status, regression, assignee, resolvedInVersion) from the projection, unless Redis
 *   still holds the issue at a higher revision than the projection (a manual rebuild, or a crash
 *   between the Redis write and the projection write): that state is the newer one.
 */
export function rebuildIssueRecord(projection: IssueRecord, stored: StoredOccurrenceSummary | null, live: LiveWorkflowState | null): RebuiltIssueRecord {
  const workflow = live && live.revision > projection.revision ? live : projection;
  const record: RebuiltIssueRecord = {
    tenant: projection.tenant,
    issueId: projection.issueId,
    fingerprint: projection.fingerprint,
    fingerprintVersion: projection.fingerprintVersion,
    service: projection.service,
    env: projection.env,
    envs: [...projection.envs].sort(),
    errorType: projection.errorType,
    errorMessage: projection.errorMessage,
    messageTemplate: projection.messageTemplate,
    culprit: projection.culprit,
    status: workflow.status,
    count: projection.count,
    firstSeenMs: projection.firstSeenMs,
    lastSeenMs: projection.lastSeenMs,
    firstVersion: projection.firstVersion,
    lastVersion: projection.lastVersion,
    regression: workflow.regression,
    assignee: workflow.assignee,
    resolvedInVersion: workflow.resolvedInVersion,
  };
  if (!stored || stored.count === 0) return record;
  record.count = stored.count;
  record.envs = [...new Set([...stored.envs, ...projection.envs])].sort();
  if (!(projection.firstSeenMs < stored.firstSeenMs)) {
    record.firstSeenMs = stored.firstSeenMs;
    record.firstVersion = stored.firstVersion;
  }
  if (!(projection.lastSeenMs > stored.lastSeenMs)) {
    record.lastSeenMs = stored.lastSeenMs;
    record.lastVersion = stored.lastVersion;
  }
  return record;
}

/**
 * The oldest hour start (ms) whose counter Redis keeps at `nowMs`: the record script deletes fields
 * of hours starting before (now - retention - 1 h), in whole seconds of server time.
 */
export function hourlyCountersStartMs(nowMs: number, retentionHours: number): number {
  return (Math.floor(nowMs / 1000) - retentionHours * 3600 - 3600) * 1000;
}

/**
 * The earliest arrival time (ms) whose hour's dedupe set must be rebuilt at `nowMs`. The record
 * script keeps a set `windowHours` after its last addition; an occurrence is added when the
 * aggregator processes it, which is after it was received (its `receivedAt`), so `lagAllowanceMs`
 * more covers a consumer that was behind. Rebuilding more sets than strictly needed only dedupes
 * late copies the old state would have let through.
 */
export function dedupeSetsSinceMs(nowMs: number, windowHours: number, lagAllowanceMs: number = HOUR_MS): number {
  return Math.max(0, nowMs - windowHours * HOUR_MS - lagAllowanceMs);
}

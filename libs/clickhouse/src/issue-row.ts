import type { IssueRecord, IssueStatus } from '@faultline/contracts';

/** One row (one revision) of the `issues` table (see migrations/0002 and 0004-0006). */
export interface IssueRow {
  tenant: string;
  issue_id: string;
  fingerprint: string;
  fingerprint_version: number;
  service: string;
  env: string | null;
  envs: string[];
  error_type: string;
  error_message: string;
  message_template: string;
  culprit: string | null;
  status: IssueStatus;
  occurrence_count: number;
  first_seen_ms: number;
  last_seen_ms: number;
  first_version: string | null;
  last_version: string | null;
  /** 0/1 (migrations/0004; rows written before it read 0). */
  regression: number;
  /** migrations/0005; rows written before it read NULL. */
  assignee: string | null;
  /** migrations/0006; rows written before it read NULL. */
  resolved_in_version: string | null;
  revision: number;
}

/** Pure IssueRecord -> row. `envs` is sorted so equal records give equal rows. */
export function toIssueRow(record: IssueRecord): IssueRow {
  return {
    tenant: record.tenant,
    issue_id: record.issueId,
    fingerprint: record.fingerprint,
    fingerprint_version: record.fingerprintVersion,
    service: record.service,
    env: record.env,
    envs: [...record.envs].sort(),
    error_type: record.errorType,
    error_message: record.errorMessage,
    message_template: record.messageTemplate,
    culprit: record.culprit,
    status: record.status,
    occurrence_count: record.count,
    first_seen_ms: record.firstSeenMs,
    last_seen_ms: record.lastSeenMs,
    first_version: record.firstVersion,
    last_version: record.lastVersion,
    regression: record.regression ? 1 : 0,
    assignee: record.assignee,
    resolved_in_version: record.resolvedInVersion,
    revision: record.revision,
  };
}

type UInt64Out = number | string;

/** A row as ClickHouse returns it: 64-bit integers may be quoted. */
export type IssueRowOutput = Omit<IssueRow, 'fingerprint_version' | 'occurrence_count' | 'first_seen_ms' | 'last_seen_ms' | 'revision' | 'regression'> & {
  regression: number | string;
  fingerprint_version: UInt64Out;
  occurrence_count: UInt64Out;
  first_seen_ms: UInt64Out;
  last_seen_ms: UInt64Out;
  revision: UInt64Out;
};

export function fromIssueRow(row: IssueRowOutput): IssueRecord {
  return {
    tenant: row.tenant,
    issueId: row.issue_id,
    fingerprint: row.fingerprint,
    fingerprintVersion: Number(row.fingerprint_version),
    service: row.service,
    env: row.env,
    envs: row.envs,
    errorType: row.error_type,
    errorMessage: row.error_message,
    messageTemplate: row.message_template,
    culprit: row.culprit,
    status: row.status,
    count: Number(row.occurrence_count),
    firstSeenMs: Number(row.first_seen_ms),
    lastSeenMs: Number(row.last_seen_ms),
    firstVersion: row.first_version,
    lastVersion: row.last_version,
    // UInt8 arrives as a number; a string is tolerated like the 64-bit columns.
    regression: Number(row.regression) === 1,
    assignee: row.assignee,
    resolvedInVersion: row.resolved_in_version,
    revision: Number(row.revision),
  };
}

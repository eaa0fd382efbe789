import type { IssueStatus } from '@faultline/contracts';
import type { IssueRow } from './issue-row';
import { joinSql, raw, sql, type SqlFragment } from './sql';

/** Issue-level conditions: on the latest revision of the `issues` projection. */
export interface IssueFilter {
  service?: string | null;
  /** Matches issues seen in this env at least once (any of `envs`). */
  env?: string | null;
  /** Absent or empty: every status. */
  statuses?: readonly IssueStatus[] | null;
  /** Case-insensitive substring of error type, first message, message template or culprit. */
  search?: string | null;
  /** First seen at or after, milliseconds since the epoch. */
  firstSeenAfterMs?: number | null;
}

/** Columns of the latest-revision view; nullable ones need the tuple trick below. */
const VALUE_COLUMNS: readonly (keyof IssueRow)[] = [
  'fingerprint',
  'fingerprint_version',
  'service',
  'env',
  'envs',
  'error_type',
  'error_message',
  'message_template',
  'culprit',
  'status',
  'occurrence_count',
  'first_seen_ms',
  'last_seen_ms',
  'first_version',
  'last_version',
  'regression',
  'assignee',
  'resolved_in_version',
];
const NULLABLE_COLUMNS = new Set<keyof IssueRow>(['env', 'culprit', 'first_version', 'last_version', 'assignee', 'resolved_in_version']);
/** Prefix of the view's columns: `latest_status` etc. */
export const LATEST = 'latest_';

/**
 * argMax/argMin of a Nullable(String) column with NULL as a value of its own. Aggregate functions skip
 * NULL arguments (the -Null combinator would pick an older revision's value), so the value is carried
 * as a pair (is NULL, value or '') that is never NULL and holds none, and unwrapped after. Not as
 * `tuple(column)`: 18.16 crashes serializing an aggregate state with a NULL inside a tuple or array,
 * and a query on a Distributed table sends the states between servers.
 */
export function argOfNullable(aggregate: 'argMax' | 'argMin', column: string, by: string): string {
  const pair = `${aggregate}(tuple(isNull(${column}), ifNull(${column}, '')), ${by})`;
  return `if(tupleElement(${pair}, 1) = 1, NULL, tupleElement(${pair}, 2))`;
}

/** One `latest_<column>` of the latest-revision view. */
function latestColumn(column: keyof IssueRow): string {
  return NULLABLE_COLUMNS.has(column)
    ? `${argOfNullable('argMax', column, 'revision')} AS ${LATEST}${column}`
    : `argMax(${column}, revision) AS ${LATEST}${column}`;
}

/** One row per issue with the values of its highest revision (nullable columns: see argOfNullable). */
const latestColumns = raw([...VALUE_COLUMNS.map(latestColumn), `max(revision) AS ${LATEST}revision`].join(',\n'));

/** The columns {@link issueFilterTerms} and the list orders read (search columns only when searching). */
export function listColumns(filter: IssueFilter): (keyof IssueRow)[] {
  const columns: (keyof IssueRow)[] = ['service', 'envs', 'status', 'occurrence_count', 'first_seen_ms', 'last_seen_ms'];
  if (filter.search) columns.push('error_type', 'error_message', 'message_template', 'culprit');
  return columns;
}

/**
 * The latest revision of every issue of `tenant` within `scope` (a condition on raw rows, e.g. an id
 * list): every column, or only `columns` (each argMax costs; a list order needs a few).
 */
export function latestIssuesSql(table: SqlFragment, tenant: string, scope: SqlFragment = raw('1'), columns?: readonly (keyof IssueRow)[]): SqlFragment {
  const selected = columns ? raw(columns.map(latestColumn).join(',\n')) : latestColumns;
  return sql`
    SELECT issue_id, ${selected}
    FROM ${table}
    WHERE tenant = ${tenant} AND ${scope}
    GROUP BY issue_id`;
}

/**
 * The service condition on raw revision rows, for the view's `scope`: the issue id hashes the service,
 * so every revision of an issue has the same one and the view aggregates only that service's issues.
 * (Other fields are not pushed down: the first message, say, may differ between revisions written
 * before and after a loss of the Redis state.)
 */
export function staticIssueScope(filter: IssueFilter): SqlFragment {
  return filter.service != null ? sql`service = ${filter.service}` : raw('1');
}

/** Conditions on the latest revision's values (filtering raw rows would match stale revisions). */
export function issueFilterTerms(filter: IssueFilter): SqlFragment[] {
  const terms: SqlFragment[] = [];
  if (filter.service != null) terms.push(sql`latest_service = ${filter.service}`);
  if (filter.env != null) terms.push(sql`has(latest_envs, ${filter.env})`);
  if (filter.statuses && filter.statuses.length > 0) terms.push(sql`has(${filter.statuses}, latest_status)`);
  if (filter.search) {
    const needle = filter.search;
    const matches = ['latest_error_type', 'latest_error_message', 'latest_message_template', "ifNull(latest_culprit, '')"].map(
      (column) => sql`positionCaseInsensitiveUTF8(${raw(column)}, ${needle}) > 0`,
    );
    terms.push(sql`(${joinSql(matches, ' OR ')})`);
  }
  if (filter.firstSeenAfterMs != null) terms.push(sql`latest_first_seen_ms >= ${filter.firstSeenAfterMs}`);
  return terms;
}

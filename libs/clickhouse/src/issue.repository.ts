import type { ClickHouseClient } from '@clickhouse/client';
import type { IssueRecord, IssueStatus } from '@faultline/contracts';
import { checkPageSize, decodeCursor, encodeCursor, type PageArgs } from './cursor';
import { fromIssueRow, toIssueRow, type IssueRow, type IssueRowOutput } from './issue-row';
import { joinSql, raw, sql, sqlIdentifier, type SqlFragment } from './sql';

export interface IssueFilter {
  service?: string | null;
  /** Matches issues seen in this env at least once (any of `envs`). */
  env?: string | null;
  /** Absent or empty: every status. */
  statuses?: readonly IssueStatus[] | null;
  /** Case-insensitive substring of error type, first message, message template or culprit. */
  search?: string | null;
}

export interface IssuePage {
  totalCount: number;
  /** Last seen first, then issue id descending. */
  records: IssueRecord[];
  hasNextPage: boolean;
  endCursor: string | null;
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
const LATEST = 'latest_';

/**
 * One row per issue with the values of its highest revision. Aggregate functions treat a NULL
 * argument specially (the -Null combinator may skip it), so nullable columns are wrapped in a
 * one-element tuple, which is never NULL, and unwrapped after argMax.
 */
const latestColumns = raw(
  [
    ...VALUE_COLUMNS.map((column) =>
      NULLABLE_COLUMNS.has(column)
        ? `tupleElement(argMax(tuple(${column}), revision), 1) AS ${LATEST}${column}`
        : `argMax(${column}, revision) AS ${LATEST}${column}`,
    ),
    `max(revision) AS ${LATEST}revision`,
  ].join(',\n'),
);

type LatestRow = { issue_id: string } & Record<string, unknown>;

/**
 * I/O for the `issues` projection (ReplacingMergeTree(revision), see migrations/0002). Every read
 * resolves the latest revision per issue with argMax, so it is correct before merges happen and an
 * older revision written late never wins.
 */
export class IssueRepository {
  private readonly table: SqlFragment;

  /** `database` qualifies every statement, so the client's default database does not matter. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.table = raw(`${sqlIdentifier(database)}.${sqlIdentifier('issues')}`);
  }

  /** Appends one revision per record, in a single INSERT. */
  async upsert(records: readonly IssueRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.client.insert({ table: this.table.text, values: records.map(toIssueRow), format: 'JSONEachRow' });
  }

  async findById(tenant: string, issueId: string): Promise<IssueRecord | null> {
    const [record] = await this.findByIds(tenant, [issueId]);
    return record ?? null;
  }

  /** Latest revision of each issue that exists, in no particular order (for batched loaders). */
  async findByIds(tenant: string, issueIds: readonly string[]): Promise<IssueRecord[]> {
    if (issueIds.length === 0) return [];
    const rows = await this.select<LatestRow>(sql`SELECT * FROM (${this.latest(tenant, sql`has(${issueIds}, issue_id)`)})`);
    return rows.map((row) => this.toRecord(tenant, row));
  }

  async list(tenant: string, filter: IssueFilter, page: PageArgs): Promise<IssuePage> {
    const first = checkPageSize(page.first);
    const conditions = this.filterConditions(filter);
    const latest = this.latest(tenant, raw('1'));
    const where = conditions.length > 0 ? joinSql(conditions, ' AND ') : raw('1');
    let keyset: SqlFragment = raw('1');
    if (page.after) {
      const { ms, id } = decodeCursor('issue', page.after);
      keyset = sql`(latest_last_seen_ms < ${ms} OR (latest_last_seen_ms = ${ms} AND issue_id < ${id}))`;
    }

    const [rows, totalCount] = await Promise.all([
      this.select<LatestRow>(sql`
        SELECT * FROM (${latest})
        WHERE ${where} AND ${keyset}
        ORDER BY latest_last_seen_ms DESC, issue_id DESC
        LIMIT ${first + 1}`),
      this.select<{ total: number | string }>(sql`SELECT count() AS total FROM (${latest}) WHERE ${where}`).then((result) =>
        Number(result[0]?.total ?? 0),
      ),
    ]);

    const records = rows.slice(0, first).map((row) => this.toRecord(tenant, row));
    const last = records[records.length - 1];
    return {
      totalCount,
      records,
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor('issue', { ms: last.lastSeenMs, id: last.issueId }) : null,
    };
  }

  private latest(tenant: string, scope: SqlFragment): SqlFragment {
    return sql`
      SELECT issue_id, ${latestColumns}
      FROM ${this.table}
      WHERE tenant = ${tenant} AND ${scope}
      GROUP BY issue_id`;
  }

  /** Conditions on the latest revision's values (filtering raw rows would match stale revisions). */
  private filterConditions(filter: IssueFilter): SqlFragment[] {
    const conditions: SqlFragment[] = [];
    if (filter.service != null) conditions.push(sql`latest_service = ${filter.service}`);
    if (filter.env != null) conditions.push(sql`has(latest_envs, ${filter.env})`);
    if (filter.statuses && filter.statuses.length > 0) conditions.push(sql`has(${filter.statuses}, latest_status)`);
    if (filter.search) {
      const needle = filter.search;
      const matches = ['latest_error_type', 'latest_error_message', 'latest_message_template', 'ifNull(latest_culprit, \'\')'].map(
        (column) => sql`positionCaseInsensitiveUTF8(${raw(column)}, ${needle}) > 0`,
      );
      conditions.push(sql`(${joinSql(matches, ' OR ')})`);
    }
    return conditions;
  }

  private toRecord(tenant: string, row: LatestRow): IssueRecord {
    const issueRow: Record<string, unknown> = { tenant, issue_id: row.issue_id };
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith(LATEST)) issueRow[key.slice(LATEST.length)] = value;
    }
    return fromIssueRow(issueRow as IssueRowOutput);
  }

  private async select<T>(query: SqlFragment): Promise<T[]> {
    const result = await this.client.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

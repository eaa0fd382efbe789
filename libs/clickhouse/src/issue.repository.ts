import type { ClickHouseClient } from '@clickhouse/client';
import type { IssueRecord } from '@faultline/contracts';
import { fromIssueRow, toIssueRow, type IssueRowOutput } from './issue-row';
import { LATEST, latestIssuesSql } from './issue-latest.sql';
import { raw, sql, sqlIdentifier, type SqlFragment } from './sql';

export type LatestRow = { issue_id: string } & Record<string, unknown>;

/**
 * I/O for the `issues` projection (ReplacingMergeTree(revision), see migrations/0002). Every read
 * resolves the latest revision per issue with argMax, so it is correct before merges happen and an
 * older revision written late never wins.
 */
export class IssueRepository {
  /** The qualified table name. */
  readonly table: SqlFragment;

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

  private latest(tenant: string, scope: SqlFragment): SqlFragment {
    return latestIssuesSql(this.table, tenant, scope);
  }

  /** A row of the latest-revision view -> IssueRecord. */
  toRecord(tenant: string, row: LatestRow): IssueRecord {
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

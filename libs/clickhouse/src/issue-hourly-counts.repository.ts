import type { ClickHouseClient } from '@clickhouse/client';
import { raw, sqlIdentifier, type SqlFragment } from './sql';

/** An issue's absolute occurrence count in one UTC hour (as Redis counted it). */
export interface IssueHourlyCount {
  tenant: string;
  issueId: string;
  hourStartMs: number;
  count: number;
}

interface IssueHourlyCountRow {
  tenant: string;
  issue_id: string;
  hour_start_ms: number;
  count: number;
}

/**
 * I/O for `issue_hourly_counts` (see migrations/0007): absolute per-hour counts, largest wins, so
 * writing a count again is harmless. Readers take max(count) per (issue, hour) before merges.
 */
export class IssueHourlyCountsRepository {
  readonly table: string;
  /** The qualified table name as a fragment for the sql`` tag. */
  readonly tableSql: SqlFragment;

  /** `database` qualifies every statement, so the client's default database does not matter. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.table = `${sqlIdentifier(database)}.${sqlIdentifier('issue_hourly_counts')}`;
    this.tableSql = raw(this.table);
  }

  /** One JSONEachRow INSERT for the whole batch. */
  async insert(counts: readonly IssueHourlyCount[]): Promise<void> {
    if (counts.length === 0) return;
    const rows: IssueHourlyCountRow[] = counts.map(({ tenant, issueId, hourStartMs, count }) => ({
      tenant,
      issue_id: issueId,
      hour_start_ms: hourStartMs,
      count,
    }));
    await this.client.insert({ table: this.table, values: rows, format: 'JSONEachRow' });
  }
}

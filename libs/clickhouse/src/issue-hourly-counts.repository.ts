import type { ClickHouseClient } from '@clickhouse/client';
import { checkNonNegativeInteger, sqlInList } from './read-arguments';
import { raw, sql, sqlIdentifier, type SqlFragment } from './sql';

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

const HOUR_MS = 3_600_000;

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

  /**
   * Per issue, the count of each hour whose start lies in [fromMs floored to the hour, toMs): the hour
   * holding `fromMs` is included whole, since hours are the smallest unit stored. max(count) per
   * (issue, hour) because unmerged copies of an hour are earlier, smaller counts (the table's
   * ReplacingMergeTree(count) keeps the largest the same way). Only non-zero hours; issues without any
   * are absent. The scope is the sorting key's prefix (tenant, hour range), then the issue ids.
   */
  async countsByIssues(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Map<number, number>>> {
    checkNonNegativeInteger('fromMs', fromMs);
    checkNonNegativeInteger('toMs', toMs);
    const firstHourMs = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
    if (issueIds.length === 0 || firstHourMs >= toMs) return new Map();
    const result = await this.client.query({
      query: sql`
        SELECT issue_id, hour_start_ms, max(count) AS hour_count
        FROM ${this.tableSql}
        WHERE tenant = ${tenant} AND hour_start_ms >= ${firstHourMs} AND hour_start_ms < ${toMs} AND issue_id IN ${sqlInList(issueIds)}
        GROUP BY issue_id, hour_start_ms
        HAVING hour_count > 0`.text,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ issue_id: string; hour_start_ms: number | string; hour_count: number | string }>();
    const counts = new Map<string, Map<number, number>>();
    for (const row of rows) {
      let hours = counts.get(row.issue_id);
      if (!hours) counts.set(row.issue_id, (hours = new Map()));
      hours.set(Number(row.hour_start_ms), Number(row.hour_count));
    }
    return counts;
  }
}

import type { ClickHouseClient } from '@clickhouse/client';
import type { StackFrame } from '@faultline/contracts';
import { checkPageSize, decodeCursor, encodeCursor, type PageArgs } from './cursor';
import { fromOccurrenceRow, OCCURRENCE_COLUMNS, parseFrames, type OccurrenceRow, type OccurrenceRowOutput, type StoredOccurrence } from './occurrence-row';
import { raw, sql, sqlIdentifier, type SqlFragment } from './sql';

export interface OccurrencePage {
  /** Distinct occurrences of the issue (redelivered copies count once). */
  totalCount: number;
  /** Newest first. */
  rows: StoredOccurrence[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** I/O for the `occurrences` table. Rows are built by the pure {@link toOccurrenceRow}. */
export class OccurrenceRepository {
  private readonly table: string;

  /** `database` qualifies every statement, so the client's default database does not matter. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.table = `${sqlIdentifier(database)}.${sqlIdentifier('occurrences')}`;
  }

  /** One JSONEachRow INSERT for the whole batch. Re-inserting rows is harmless (see migrations/0001). */
  async insert(rows: readonly OccurrenceRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table: this.table, values: rows as OccurrenceRow[], format: 'JSONEachRow' });
  }

  /**
   * A page of an issue's occurrences, newest first (timestamp, then occurrence id), each occurrence
   * once even before ReplacingMergeTree has merged redelivered copies: copies share timestamp and id,
   * so `LIMIT 1 BY occurrence_id` after the ordering keeps exactly one.
   */
  async listByIssue(tenant: string, issueId: string, page: PageArgs): Promise<OccurrencePage> {
    const first = checkPageSize(page.first);
    const scope = sql`tenant = ${tenant} AND issue_id = ${issueId}`;
    let keyset: SqlFragment = raw('1');
    if (page.after) {
      const { ms, id } = decodeCursor('occurrence', page.after);
      // Spelled out rather than a tuple comparison, which old ClickHouse does not handle.
      keyset = sql`(timestamp_ms < ${ms} OR (timestamp_ms = ${ms} AND occurrence_id < ${id}))`;
    }
    const columns = raw(OCCURRENCE_COLUMNS.join(', '));
    const table = raw(this.table);

    const [rows, totalCount] = await Promise.all([
      this.select<OccurrenceRowOutput>(sql`
        SELECT ${columns} FROM ${table}
        WHERE ${scope} AND ${keyset}
        ORDER BY timestamp_ms DESC, occurrence_id DESC
        LIMIT 1 BY occurrence_id
        LIMIT ${first + 1}`),
      this.select<{ total: number | string }>(sql`SELECT uniqExact(occurrence_id) AS total FROM ${table} WHERE ${scope}`).then((result) =>
        Number(result[0]?.total ?? 0),
      ),
    ]);

    const occurrences = rows.slice(0, first).map(fromOccurrenceRow);
    const last = occurrences[occurrences.length - 1];
    return {
      totalCount,
      rows: occurrences,
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor('occurrence', { ms: last.timestampMs, id: last.occurrenceId }) : null,
    };
  }

  /**
   * The parsed stack of each issue's latest occurrence (greatest timestamp, then occurrence id: the
   * first row `listByIssue` answers), for a page of issues in one query. Issues without a stored
   * occurrence are absent from the map.
   */
  async latestFramesByIssue(tenant: string, issueIds: readonly string[]): Promise<Map<string, StackFrame[]>> {
    if (issueIds.length === 0) return new Map();
    const rows = await this.select<{ issue_id: string; frames: string }>(sql`
      SELECT issue_id, frames FROM ${raw(this.table)}
      WHERE tenant = ${tenant} AND has(${issueIds}, issue_id)
      ORDER BY timestamp_ms DESC, occurrence_id DESC
      LIMIT 1 BY issue_id`);
    return new Map(rows.map((row) => [row.issue_id, parseFrames(row.frames)]));
  }

  private async select<T>(query: SqlFragment): Promise<T[]> {
    const result = await this.client.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

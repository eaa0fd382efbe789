import type { ClickHouseClient } from '@clickhouse/client';
import type { StackFrame } from '@faultline/contracts';
import { checkPageSize, decodeCursor, encodeCursor, type PageArgs } from './cursor';
import { allOf, occurrenceConditionTerms, occurrenceValue, type OccurrenceConditions } from './occurrence-fields';
import {
  fromOccurrenceRow,
  fromSummaryRow,
  OCCURRENCE_COLUMNS,
  SUMMARY_COLUMNS,
  type OccurrenceRow,
  type OccurrenceRowOutput,
  type OccurrenceSummary,
  type OccurrenceSummaryRowOutput,
  type StoredOccurrence,
} from './occurrence-row';
import { checkNonNegativeInteger, checkPositiveInteger, sqlInList } from './read-arguments';
import { raw, sql, sqlIdentifier, type SqlFragment } from './sql';

export interface OccurrencePage {
  /** Distinct occurrences of the issue (redelivered copies count once). */
  totalCount: number;
  /** Newest first. */
  rows: StoredOccurrence[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** How an issue's occurrences spread over the values of one key (see {@link OccurrenceRepository.valueCountsByIssues}). */
export interface OccurrenceValueCounts {
  /** Distinct occurrences of the issue, including those without a value for the key. */
  total: number;
  /** Distinct occurrences per value, most frequent first, ties by value (byte order); no '' entry. */
  values: { value: string; count: number }[];
}

/** ClickHouse may quote 64-bit integers in JSON (output_format_json_quote_64bit_integers). */
type UInt64Output = number | string;

/** The UTC day of a milliseconds column or value, the same day the sorting key's `toDate(timestamp)` gives. */
function utcDayOfMs(ms: SqlFragment): SqlFragment {
  return sql`toDate(toDateTime(intDiv(${ms}, 1000), 'UTC'))`;
}

/**
 * I/O for the `occurrences` table and its by-issue copy `occurrences_by_issue` (migrations/0009,
 * filled by a materialized view on every insert). Per-issue reads (distributions, traces, series, the
 * keys of the rows to show) scan the by-issue copy, where an issue's rows are contiguous; whole rows
 * are then read from `occurrences` by (day, issue, id). Rows are built by the pure {@link toOccurrenceRow}.
 */
export class OccurrenceRepository {
  private readonly table: string;
  private readonly byIssue: SqlFragment;
  private readonly representatives: SqlFragment;

  /** `database` qualifies every statement, so the client's default database does not matter. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.table = `${sqlIdentifier(database)}.${sqlIdentifier('occurrences')}`;
    this.byIssue = raw(`${sqlIdentifier(database)}.${sqlIdentifier('occurrences_by_issue')}`);
    this.representatives = raw(`${sqlIdentifier(database)}.${sqlIdentifier('issue_representatives')}`);
  }

  /**
   * One JSONEachRow INSERT for the whole batch. Re-inserting rows is harmless (see migrations/0001).
   * The column list is explicit so the server computes `timestamp` from its expression: on a cluster
   * it is a DEFAULT column (see migration-template.ts), which a row omitting it would otherwise store
   * as the type's zero on 18.16.
   */
  async insert(rows: readonly OccurrenceRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table: this.table, values: rows as OccurrenceRow[], format: 'JSONEachRow', columns: [...OCCURRENCE_COLUMNS] });
  }

  /**
   * A page of an issue's occurrences, newest first (timestamp, then occurrence id), each occurrence
   * once even before ReplacingMergeTree has merged redelivered copies: copies share timestamp and id,
   * so `LIMIT 1 BY occurrence_id` after the ordering keeps exactly one. `conditions` (env, version,
   * host, time range, `key:value` tags) narrow both the rows and `totalCount`.
   */
  async listByIssue(tenant: string, issueId: string, page: PageArgs, conditions: OccurrenceConditions = {}): Promise<OccurrencePage> {
    const first = checkPageSize(page.first);
    if (conditions.fromMs !== undefined) checkNonNegativeInteger('fromMs', conditions.fromMs);
    if (conditions.toMs !== undefined) checkNonNegativeInteger('toMs', conditions.toMs);
    const scope = sql`tenant = ${tenant} AND issue_id = ${issueId} AND ${allOf(occurrenceConditionTerms(conditions))}`;
    let keyset: SqlFragment = raw('1');
    if (page.after) {
      const { ms, id } = decodeCursor('occurrence', page.after);
      // Spelled out rather than a tuple comparison, which old ClickHouse does not handle.
      keyset = sql`(timestamp_ms < ${ms} OR (timestamp_ms = ${ms} AND occurrence_id < ${id}))`;
    }
    const table = this.byIssue;

    const [rows, totalCount] = await Promise.all([
      // The page's keys from the small columns first, then only those rows whole: sorting whole rows
      // (stacks, frames) of an issue with a million occurrences exceeded 2 GB on 18.16, as LIMIT BY
      // rules out a partial sort.
      this.selectOccurrences(
        tenant,
        sql`
          SELECT toDate(timestamp), issue_id, occurrence_id FROM ${table}
          WHERE ${scope} AND ${keyset}
          ORDER BY timestamp_ms DESC, occurrence_id DESC
          LIMIT 1 BY occurrence_id
          LIMIT ${first + 1}`,
      ),
      this.select<{ total: number | string }>(sql`SELECT uniqExact(occurrence_id) AS total FROM ${table} WHERE ${scope}`).then((result) =>
        Number(result[0]?.total ?? 0),
      ),
    ]);

    const occurrences = rows.slice(0, first);
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
    // Through latestByIssues, which reads one whole row per issue, instead of sorting every row's frames.
    const latest = await this.latestByIssues(tenant, issueIds);
    return new Map([...latest].map(([issueId, occurrence]) => [issueId, occurrence.frames]));
  }

  /**
   * The newest occurrence (greatest timestamp, then greatest occurrence id) of each issue. Issues
   * without occurrences are absent.
   *
   * Two steps in one query: the subquery finds each issue's newest (day, id) among the newest
   * occurrences of its (version, host) pairs in `issue_representatives` (a few rows per issue, however
   * many occurrences it has), and the outer read fetches whole rows for those keys, which the sorting
   * key (tenant, day, issue, id) narrows to a granule or so per issue. `LIMIT 1 BY` drops an unmerged
   * redelivered copy.
   */
  async latestByIssues(tenant: string, issueIds: readonly string[]): Promise<Map<string, StoredOccurrence>> {
    if (issueIds.length === 0) return new Map();
    const rows = await this.selectOccurrences(tenant, sql`
      SELECT ${utcDayOfMs(raw('max(timestamp_ms)'))}, issue_id, argMax(occurrence_id, (timestamp_ms, occurrence_id))
      FROM ${this.representatives}
      WHERE ${this.issuesScope(tenant, issueIds)}
      GROUP BY issue_id`);
    return new Map(rows.map((row) => [row.issueId, row]));
  }

  /**
   * For each issue, the newest occurrence of every distinct (version, host) pair (NULL is a value of
   * its own, apart from ''), newest first (timestamp, then occurrence id), at most `limit` per issue,
   * as summaries (no stack or messages: {@link byKeys} reads those for the rows that need them).
   * Issues without occurrences are absent.
   *
   * The subquery takes each pair's newest id from `issue_representatives` (migrations/0013: a row per
   * issue, version and host) and the `limit` newest pairs per issue; the outer read takes those rows
   * from the by-issue copy by its whole sorting key (issue, time, id), so it reads their granules only. Grouping makes redelivered copies one group member, `LIMIT 1 BY` one row.
   */
  async representativeByIssues(tenant: string, issueIds: readonly string[], limit: number): Promise<Map<string, OccurrenceSummary[]>> {
    checkPositiveInteger('limit', limit);
    if (issueIds.length === 0) return new Map();
    const rows = await this.select<OccurrenceSummaryRowOutput>(sql`
      SELECT ${raw(SUMMARY_COLUMNS.join(', '))} FROM ${this.byIssue}
      WHERE ${this.issuesScope(tenant, issueIds)} AND (issue_id, timestamp_ms, occurrence_id) IN (
        SELECT issue_id, newest_ms, newest_id FROM (
          SELECT issue_id, max(timestamp_ms) AS newest_ms, argMax(occurrence_id, (timestamp_ms, occurrence_id)) AS newest_id
          FROM ${this.representatives}
          WHERE ${this.issuesScope(tenant, issueIds)}
          GROUP BY issue_id, version_key, host_key
          ORDER BY newest_ms DESC, newest_id DESC
          LIMIT ${limit} BY issue_id))
      ORDER BY timestamp_ms DESC, occurrence_id DESC
      LIMIT 1 BY issue_id, occurrence_id`);
    const byIssue = new Map<string, OccurrenceSummary[]>();
    for (const row of rows.map(fromSummaryRow)) {
      const list = byIssue.get(row.issueId);
      if (list) list.push(row);
      else byIssue.set(row.issueId, [row]);
    }
    return byIssue;
  }

  /**
   * Whole occurrences by key (issue, occurrence id and timestamp, as summaries carry them), keyed by
   * occurrence id; unknown keys are absent. The day of each timestamp lets the sorting key skip to
   * the occurrence's granule.
   */
  async byKeys(tenant: string, keys: readonly { issueId: string; occurrenceId: string; timestampMs: number }[]): Promise<Map<string, StoredOccurrence>> {
    if (keys.length === 0) return new Map();
    const tuples = keys.map(({ issueId, occurrenceId, timestampMs }) => {
      checkNonNegativeInteger('timestampMs', timestampMs);
      return sql`(${utcDayOfMs(sql`${timestampMs}`)}, ${issueId}, ${occurrenceId})`.text;
    });
    // A list of one tuple would read as the tuple itself: repeat it (the set is the same).
    if (tuples.length === 1) tuples.push(tuples[0]);
    const rows = await this.selectOccurrences(tenant, raw(tuples.join(', ')));
    return new Map(rows.map((row) => [row.occurrenceId, row]));
  }

  /**
   * Distinct traces among each issue's occurrences: the full 128-bit id (`trace_id_hex`) where
   * known, else the protocol's `trace_id`. Redelivered copies carry the same trace, so they need no
   * deduplication. Issues without occurrences are absent. Counted with uniqCombined: exact up to
   * thousands of traces (a set, then a hash table), a HyperLogLog estimate beyond (measured: 674 466
   * for 674 089 traces, 0.06 % off) at half the time of an exact count on a large issue.
   */
  async affectedTracesByIssues(tenant: string, issueIds: readonly string[]): Promise<Map<string, number>> {
    if (issueIds.length === 0) return new Map();
    const rows = await this.select<{ issue_id: string; traces: UInt64Output }>(sql`
      SELECT issue_id, uniqCombined(if(trace_id_hex != '', trace_id_hex, trace_id)) AS traces
      FROM ${this.byIssue}
      WHERE ${this.issuesScope(tenant, issueIds)}
      GROUP BY issue_id`);
    return new Map(rows.map((row) => [row.issue_id, Number(row.traces)]));
  }

  /**
   * Per issue, distinct occurrences per value of `key` (as {@link occurrenceValue} resolves it): the
   * `limit` most frequent values, ties by value in byte order, without '' (no value); `total` counts
   * every distinct occurrence of the issue, those without a value included. Issues without
   * occurrences are absent.
   *
   * One scan of the issues' contiguous rows in the by-issue copy, reading only `occurrence_id` and the
   * key's columns. The inner GROUP BY counts distinct ids per (issue, value); since the
   * copies of an occurrence are identical rows, each occurrence has one value and `total` is the sum
   * over values, so no second scan is needed for it. The outer GROUP BY folds each issue's values into
   * one row and sorts them there (18.16 has no window functions to take a top-N and a sum at once).
   */
  async valueCountsByIssues(tenant: string, issueIds: readonly string[], key: string, limit: number): Promise<Map<string, OccurrenceValueCounts>> {
    checkPositiveInteger('limit', limit);
    const value = occurrenceValue(key);
    if (issueIds.length === 0) return new Map();
    const rows = await this.select<{ issue_id: string; total: UInt64Output; top_values: string[]; top_counts: UInt64Output[] }>(sql`
      SELECT issue_id, total, arrayMap(entry -> entry.1, top) AS top_values, arrayMap(entry -> entry.2, top) AS top_counts
      FROM (
        SELECT issue_id, sum(occurrences) AS total,
          arraySlice(arraySort(entry -> (-entry.2, entry.1), groupArrayIf((value, occurrences), value != '')), 1, ${limit}) AS top
        FROM (
          SELECT issue_id, ${value} AS value, uniqExact(occurrence_id) AS occurrences
          FROM ${this.byIssue}
          WHERE ${this.issuesScope(tenant, issueIds)}
          GROUP BY issue_id, value)
        GROUP BY issue_id)`);
    return new Map(
      rows.map((row) => [
        row.issue_id,
        { total: Number(row.total), values: row.top_values.map((topValue, index) => ({ value: topValue, count: Number(row.top_counts[index]) })) },
      ]),
    );
  }

  /**
   * Per issue, distinct occurrences per value of each of `keys` (as {@link occurrenceValue} resolves
   * them), '' (no value) left out: what rebuilding or seeding the aggregator's per-issue value counts
   * in Redis needs. One scan of the issues' rows in the by-issue copy (ARRAY JOIN over the keys).
   * Issues without occurrences are absent; entries are in no particular order.
   */
  async trackedValueCountsByIssues(
    tenant: string,
    issueIds: readonly string[],
    keys: readonly string[],
  ): Promise<Map<string, { key: string; value: string; count: number }[]>> {
    if (issueIds.length === 0 || keys.length === 0) return new Map();
    const values = raw(`[${keys.map((key) => occurrenceValue(key).text).join(', ')}]`);
    const rows = await this.select<{ issue_id: string; key_index: number | string; value: string; occurrences: UInt64Output }>(sql`
      SELECT issue_id, key_index, value, uniqExact(occurrence_id) AS occurrences
      FROM ${this.byIssue}
      ARRAY JOIN ${values} AS value, ${keys.map((_, index) => index)} AS key_index
      WHERE ${this.issuesScope(tenant, issueIds)} AND value != ''
      GROUP BY issue_id, key_index, value`);
    const byIssue = new Map<string, { key: string; value: string; count: number }[]>();
    for (const row of rows) {
      const entry = { key: keys[Number(row.key_index)], value: row.value, count: Number(row.occurrences) };
      const list = byIssue.get(row.issue_id);
      if (list) list.push(entry);
      else byIssue.set(row.issue_id, [entry]);
    }
    return byIssue;
  }

  /**
   * Distinct occurrences per issue per bucket of `stepMs`, for timestamps in [fromMs, toMs). Buckets
   * start at multiples of `stepMs` since the epoch (intDiv, so the same on 18.16, which lacks
   * toStartOfInterval); the first bucket may start before `fromMs` and count only its part of the
   * range. Only non-empty buckets are returned; issues with none are absent. The time bounds also
   * bound the partition, so only the range's months are read.
   */
  async seriesByIssues(
    tenant: string,
    issueIds: readonly string[],
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<Map<string, Map<number, number>>> {
    checkNonNegativeInteger('fromMs', fromMs);
    checkNonNegativeInteger('toMs', toMs);
    checkPositiveInteger('stepMs', stepMs);
    if (issueIds.length === 0 || fromMs >= toMs) return new Map();
    const rows = await this.select<{ issue_id: string; bucket_ms: UInt64Output; occurrences: UInt64Output }>(sql`
      SELECT issue_id, intDiv(timestamp_ms, ${stepMs}) * ${stepMs} AS bucket_ms, uniqExact(occurrence_id) AS occurrences
      FROM ${this.byIssue}
      WHERE ${this.issuesScope(tenant, issueIds)} AND ${allOf(occurrenceConditionTerms({ fromMs, toMs }))}
      GROUP BY issue_id, bucket_ms`);
    const series = new Map<string, Map<number, number>>();
    for (const row of rows) {
      let buckets = series.get(row.issue_id);
      if (!buckets) series.set(row.issue_id, (buckets = new Map()));
      buckets.set(Number(row.bucket_ms), Number(row.occurrences));
    }
    return series;
  }

  private issuesScope(tenant: string, issueIds: readonly string[]): SqlFragment {
    return sql`tenant = ${tenant} AND issue_id IN ${sqlInList(issueIds)}`;
  }

  /**
   * The tenant's whole rows for the `(day, issue_id, occurrence_id)` keys `keys` selects, newest
   * first, each occurrence once. Matching the day too lets the sorting key skip every other day.
   */
  private async selectOccurrences(tenant: string, keys: SqlFragment): Promise<StoredOccurrence[]> {
    const rows = await this.select<OccurrenceRowOutput>(sql`
      SELECT ${raw(OCCURRENCE_COLUMNS.join(', '))} FROM ${raw(this.table)}
      WHERE tenant = ${tenant} AND (toDate(timestamp), issue_id, occurrence_id) IN (${keys})
      ORDER BY timestamp_ms DESC, occurrence_id DESC
      LIMIT 1 BY issue_id, occurrence_id`);
    return rows.map(fromOccurrenceRow);
  }

  private async select<T>(query: SqlFragment): Promise<T[]> {
    const result = await this.client.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

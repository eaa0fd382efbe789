import type { ClickHouseClient } from '@clickhouse/client';
import { issueFilterTerms, latestIssuesSql, listColumns, staticIssueScope, type IssueFilter } from './issue-latest.sql';
import { allOf, occurrenceConditionTerms, occurrenceValue, type OccurrenceConditions } from './occurrence-fields';
import { raw, sql, sqlIdentifier, type SqlFragment } from './sql';

export const HOUR_MS = 3_600_000;

/** Issue-level conditions plus conditions on the issue's occurrences. */
export interface IssueListFilter extends IssueFilter {
  /** Occurrences in [fromMs, toMs): the issue must have some; COUNT sorts by them. Either end may be open. */
  fromMs?: number | null;
  toMs?: number | null;
  /** The issue must have an occurrence of this version (within the time range). */
  version?: string | null;
  /** The issue must have occurrences carrying each of these (`occurrenceValue` keys), within the time range. */
  tags?: readonly { key: string; value: string }[] | null;
}

export type IssueSortField = 'RELEVANCE' | 'COUNT' | 'LAST_SEEN' | 'FIRST_SEEN';
export type SortDirection = 'ASC' | 'DESC';

export interface IssueSort {
  field: IssueSortField;
  direction: SortDirection;
}

export interface OrderedIssueIds {
  /** Matching issue ids in list order, at most the requested limit. */
  ids: string[];
  /** Every matching issue, also beyond the limit. */
  totalCount: number;
}

export interface FacetValueCount {
  value: string;
  /** Matching issues with this value. */
  count: number;
}

/** Keys a facet reads from the issue projection; every other key is read from the occurrences. */
const ISSUE_LEVEL_FACETS: Record<string, string> = {
  service: 'latest_service',
  status: 'latest_status',
  env: 'arrayJoin(latest_envs)',
};

/** Occurrence keys kept per day in `issue_facet_values` (migrations/0011). */
const FACET_TABLE_KEYS = new Set(['version', 'host', 'container', 'resource', 'runtime', 'http.route', 'http.status_code', 'http.method']);

/**
 * The explorer's list queries over the issue projection, `issue_hourly_counts` and `occurrences`:
 * the order of every issue a filter matches (the gateway pages through it) and facet counts.
 *
 * Why whole orders rather than keyset pages: RELEVANCE and COUNT change while someone pages, so the
 * gateway snapshots the order of the first page and pages through the snapshot (stable cursors).
 * Returning up to a few thousand 16-character ids costs little next to the aggregation itself.
 */
export class IssueListQueries {
  private readonly issues: SqlFragment;
  private readonly hourly: SqlFragment;
  private readonly occurrences: SqlFragment;
  private readonly facetTable: SqlFragment;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    const table = (name: string) => raw(`${sqlIdentifier(database)}.${sqlIdentifier(name)}`);
    this.issues = table('issues');
    this.hourly = table('issue_hourly_counts');
    this.occurrences = table('occurrences');
    this.facetTable = table('issue_facet_values');
  }

  /**
   * The ids of the issues `filter` matches in `sort` order (ties by issue id in the same direction;
   * RELEVANCE ties by last seen first), at most `limit`. `nowMs` is the relevance clock.
   */
  async orderedIds(tenant: string, filter: IssueListFilter, sort: IssueSort, nowMs: number, limit: number): Promise<OrderedIssueIds> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!Number.isFinite(nowMs)) throw new RangeError(`invalid clock ${nowMs}`);
    const direction = raw(sort.direction === 'ASC' ? 'ASC' : 'DESC');
    // COUNT within a time range joins the range's hourly counts anyway; an inner join on them is the
    // "seen in the range" condition, so the issue conditions skip their own read of the same hours.
    const countsInRange = sort.field === 'COUNT' && (filter.fromMs != null || filter.toMs != null);
    const matching = this.matching(tenant, filter, !countsInRange);
    // A filter narrower than the status one limits the hourly aggregation to its issues, which is most
    // of the cost of COUNT-in-range and RELEVANCE orders; without one, every issue is aggregated anyway.
    const narrowed = isNarrowerThanStatus(filter) ? sql`issue_id IN (SELECT issue_id FROM (${matching}))` : null;
    const { join, key } = this.sortKey(tenant, filter, sort.field, nowMs, narrowed);
    const secondary = sort.field === 'RELEVANCE' ? sql`latest_last_seen_ms ${direction}, ` : raw('');
    const rows = await this.select<{ issue_id: string }>(sql`
      SELECT issue_id FROM (${matching}) AS matching_issues ${join}
      ORDER BY ${key} ${direction}, ${secondary}issue_id ${direction}
      LIMIT ${limit}`);
    const ids = rows.map((row) => row.issue_id);
    // Fewer than the limit: that is every match, no count query needed.
    if (ids.length < limit) return { ids, totalCount: ids.length };
    const counted = countsInRange ? sql`SELECT issue_id FROM (${matching}) AS matching_issues ${join}` : matching;
    const [count] = await this.select<{ total: number | string }>(sql`SELECT count() AS total FROM (${counted})`);
    return { ids, totalCount: Number(count?.total ?? 0) };
  }

  /**
   * For each key, the values among the matching issues with the number of issues having each, most
   * frequent first, ties by value, at most `limit` per key; '' (absent) is left out. `service`,
   * `status` and `env` are issue fields; other keys count an issue under a value when one of its
   * occurrences within the filter's time range has it (for the keys of `issue_facet_values`, within
   * the range's UTC days). One query per key, run together.
   */
  async facets(tenant: string, filter: IssueListFilter, keys: readonly string[], limit: number): Promise<Map<string, FacetValueCount[]>> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const matching = this.matching(tenant, filter);
    const results = await Promise.all(
      keys.map(async (key) => {
        const rows = await this.select<{ value: string; issues: number | string }>(sql`
          SELECT value, uniqExact(issue_id) AS issues FROM (${this.facetValues(tenant, filter, key, matching)})
          WHERE value != ''
          GROUP BY value
          ORDER BY issues DESC, value ASC
          LIMIT ${limit}`);
        return [key, rows.map((row) => ({ value: row.value, count: Number(row.issues) }))] as const;
      }),
    );
    return new Map(results);
  }

  /**
   * (issue_id, value) pairs of one facet key for the matching issues: from the projection for issue
   * fields, from `issue_facet_values` (migrations/0011: one row per day, key, value and issue) for the
   * occurrence keys it holds, within the time range's UTC days; other span tags from `occurrences`.
   */
  private facetValues(tenant: string, filter: IssueListFilter, key: string, matching: SqlFragment): SqlFragment {
    const issueLevel = ISSUE_LEVEL_FACETS[key];
    if (issueLevel) return sql`SELECT issue_id, ${raw(issueLevel)} AS value FROM (${matching})`;
    const matchingIds = sql`issue_id IN (SELECT issue_id FROM (${matching}))`;
    if (FACET_TABLE_KEYS.has(key)) {
      const days = [sql`tenant = ${tenant}`, sql`key = ${key}`];
      if (filter.fromMs != null) days.push(sql`day >= toDate(toDateTime(${Math.floor(filter.fromMs / 1000)}, 'UTC'))`);
      if (filter.toMs != null) days.push(sql`day <= toDate(toDateTime(${Math.floor((filter.toMs - 1) / 1000)}, 'UTC'))`);
      return sql`SELECT issue_id, value FROM ${this.facetTable} WHERE ${allOf(days)} AND ${matchingIds}`;
    }
    const timeTerms = occurrenceConditionTerms({ fromMs: filter.fromMs ?? undefined, toMs: filter.toMs ?? undefined });
    return sql`SELECT DISTINCT issue_id, ${occurrenceValue(key)} AS value FROM ${this.occurrences}
      WHERE tenant = ${tenant} AND ${allOf(timeTerms)} AND ${matchingIds}`;
  }

  /** The latest revision of every issue matching `filter` (the view's `latest_*` columns). */
  private matching(tenant: string, filter: IssueListFilter, rangePresence = true): SqlFragment {
    const terms = issueFilterTerms(filter);
    const { fromMs, toMs } = filter;
    if (fromMs != null) terms.push(sql`latest_last_seen_ms >= ${fromMs}`);
    if (toMs != null) terms.push(sql`latest_first_seen_ms < ${toMs}`);
    if (rangePresence && (fromMs != null || toMs != null)) {
      // Seen within the range, at hour granularity: an issue seen before and after but not inside it drops out here.
      const hours = [sql`tenant = ${tenant}`];
      if (fromMs != null) hours.push(sql`hour_start_ms >= ${floorHour(fromMs)}`);
      if (toMs != null) hours.push(sql`hour_start_ms < ${toMs}`);
      terms.push(sql`issue_id IN (SELECT issue_id FROM ${this.hourly} WHERE ${allOf(hours)} AND count > 0)`);
    }
    const occurrenceConditions: OccurrenceConditions = {
      version: filter.version ?? undefined,
      tags: filter.tags ?? undefined,
    };
    if (occurrenceConditions.version !== undefined || (occurrenceConditions.tags?.length ?? 0) > 0) {
      const occurrenceTerms = occurrenceConditionTerms({ ...occurrenceConditions, fromMs: fromMs ?? undefined, toMs: toMs ?? undefined });
      terms.push(sql`issue_id IN (SELECT DISTINCT issue_id FROM ${this.occurrences} WHERE tenant = ${tenant} AND ${allOf(occurrenceTerms)})`);
    }
    return sql`SELECT * FROM (${latestIssuesSql(this.issues, tenant, staticIssueScope(filter), listColumns(filter))}) WHERE ${allOf(terms)}`;
  }

  /** The ORDER BY expression and the join that feeds it. */
  private sortKey(
    tenant: string,
    filter: IssueListFilter,
    field: IssueSortField,
    nowMs: number,
    issues: SqlFragment | null,
  ): { join: SqlFragment; key: SqlFragment } {
    switch (field) {
      case 'LAST_SEEN':
        return { join: raw(''), key: raw('latest_last_seen_ms') };
      case 'FIRST_SEEN':
        return { join: raw(''), key: raw('latest_first_seen_ms') };
      case 'COUNT': {
        if (filter.fromMs == null && filter.toMs == null) return { join: raw(''), key: raw('latest_occurrence_count') };
        const hours = [sql`tenant = ${tenant}`];
        if (filter.fromMs != null) hours.push(sql`hour_start_ms >= ${floorHour(filter.fromMs)}`);
        if (filter.toMs != null) hours.push(sql`hour_start_ms < ${filter.toMs}`);
        return { join: this.joinCounts(sql`sum(hour_count) AS range_count`, allOf(hours), issues, 'INNER'), key: raw('range_count') };
      }
      case 'RELEVANCE': {
        const currentHour = floorHour(nowMs);
        const elapsed = (nowMs - currentHour) / HOUR_MS;
        const counts = sql`
          sumIf(hour_count, hour_start_ms >= ${currentHour - HOUR_MS}) AS hour_count_2h,
          sumIf(hour_count, hour_start_ms >= ${currentHour - 23 * HOUR_MS}) AS day_count,
          sum(hour_count) AS week_count`;
        const window = sql`tenant = ${tenant} AND hour_start_ms >= ${currentHour - 167 * HOUR_MS} AND hour_start_ms <= ${currentHour}`;
        // The formula is documented on IssueSort in the GraphQL schema; keep the two in step.
        const relevance = sql`exp(-greatest(${nowMs} - toInt64(latest_last_seen_ms), 0) / ${HOUR_MS * 24})
          * (log2(1 + day_count) + 2 * log2(1 + (hour_count_2h / ${1 + elapsed}) / (greatest(toInt64(week_count) - toInt64(day_count), 0) / 144 + 1)))`;
        return { join: this.joinCounts(counts, window, issues), key: relevance };
      }
    }
  }

  /**
   * ANY LEFT (or INNER) JOIN of per-issue aggregates over `issue_hourly_counts` (the largest count per
   * issue and hour, `aggregates` over the hours). With LEFT, issues without rows get zeros; INNER
   * drops them.
   */
  private joinCounts(aggregates: SqlFragment, hours: SqlFragment, issues: SqlFragment | null, kind: 'LEFT' | 'INNER' = 'LEFT'): SqlFragment {
    // Without an issue set, FINAL collapses the rows of one (issue, hour) not merged yet to the largest
    // count (what ReplacingMergeTree(count) keeps); `hours` is on key columns only, where FINAL is sound
    // on 18.16, and it costs about half of grouping every issue's hours first. With a set (a narrow
    // filter), grouping after the WHERE aggregates only its issues, which FINAL (merging first) cannot.
    const perHour = issues
      ? sql`SELECT issue_id, hour_start_ms, max(count) AS hour_count FROM ${this.hourly} WHERE ${hours} AND ${issues} GROUP BY issue_id, hour_start_ms`
      : sql`SELECT issue_id, hour_start_ms, count AS hour_count FROM ${this.hourly} FINAL WHERE ${hours}`;
    return sql`ANY ${raw(kind)} JOIN (
      SELECT issue_id, ${aggregates} FROM (${perHour})
      GROUP BY issue_id) AS issue_counts USING issue_id`;
  }

  private async select<T>(query: SqlFragment): Promise<T[]> {
    const result = await this.client.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

function isNarrowerThanStatus(filter: IssueListFilter): boolean {
  return [filter.service, filter.env, filter.search, filter.version, filter.firstSeenAfterMs].some((value) => value != null) || (filter.tags?.length ?? 0) > 0;
}

export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

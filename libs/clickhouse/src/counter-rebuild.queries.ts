import type { ClickHouseClient } from '@clickhouse/client';
import type { IssueRecord } from '@faultline/contracts';
import { argOfNullable, LATEST, latestIssuesSql } from './issue-latest.sql';
import { fromIssueRow, type IssueRowOutput } from './issue-row';
import { OccurrenceRepository } from './occurrence.repository';
import { checkNonNegativeInteger, checkPositiveInteger, sqlInList } from './read-arguments';
import { raw, sql, sqlIdentifier, type SqlFragment } from './sql';

/** What the stored occurrences of one issue say about it (each occurrence id counted once). */
export interface StoredIssueOccurrences {
  issueId: string;
  /** Distinct occurrence ids stored. */
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Version of an occurrence at `firstSeenMs` / `lastSeenMs` (any one of them on a tie). */
  firstVersion: string | null;
  lastVersion: string | null;
  /** Every non-null env, sorted. */
  envs: string[];
}

/** Distinct occurrence ids of one issue in one UTC hour of occurrence time. */
export interface StoredHourlyCount {
  issueId: string;
  hourStartMs: number;
  count: number;
}

/** The occurrence ids of one issue-hour, for the aggregator's dedupe ("seen") set of that hour. */
export interface StoredHourOccurrenceIds {
  issueId: string;
  hourStartMs: number;
  occurrenceIds: string[];
}

const HOUR_MS = 3_600_000;

/**
 * The ClickHouse reads of a Redis state rebuild (apps/aggregator counter-rebuild): the issues of the
 * projection page by page, then what their stored occurrences say, one query per page of issues.
 * Every count is of distinct occurrence ids, so copies not merged yet by the ReplacingMergeTree (a
 * redelivered insert) count once, and nothing is taken from `issue_hourly_counts` (Redis wrote it,
 * so it can be as stale as Redis was).
 *
 * Scoping: counts, bounds and hours read `occurrences_by_issue` (migrations/0009), sorted by
 * (tenant, issue_id, ...), so a page reads only its own issues' rows. The dedupe-set read needs
 * `received_at_ms`, which only `occurrences` has; there the page's issue ids are the sorting key's
 * third column after the day, so it reads the tenant's `issue_id` and `received_at_ms` columns and
 * only the recent issue-hours' ids.
 */
export class CounterRebuildQueries {
  private readonly issues: SqlFragment;
  private readonly occurrences: SqlFragment;
  private readonly byIssueTable: SqlFragment;
  private readonly occurrenceReads: OccurrenceRepository;

  /** `database` qualifies every statement, so the client's default database does not matter. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.issues = raw(`${sqlIdentifier(database)}.${sqlIdentifier('issues')}`);
    this.occurrences = raw(`${sqlIdentifier(database)}.${sqlIdentifier('occurrences')}`);
    this.byIssueTable = raw(`${sqlIdentifier(database)}.${sqlIdentifier('occurrences_by_issue')}`);
    this.occurrenceReads = new OccurrenceRepository(client, database);
  }

  /** Distinct stored occurrences per value of each of `keys` for the page's issues (the Redis value counts). */
  trackedValueCounts(tenant: string, issueIds: readonly string[], keys: readonly string[]): Promise<Map<string, { key: string; value: string; count: number }[]>> {
    return this.occurrenceReads.trackedValueCountsByIssues(tenant, issueIds, keys);
  }

  /** Tenants with at least one issue in the projection, sorted. */
  async tenants(): Promise<string[]> {
    const rows = await this.select<{ tenant: string }>(sql`SELECT DISTINCT tenant FROM ${this.issues} ORDER BY tenant`);
    return rows.map((row) => row.tenant);
  }

  /**
   * The latest revision of the tenant's issues with an id after `afterIssueId` ('' for the first
   * page), at most `limit`, by issue id. The bound is on the raw rows' key, so a page groups only its
   * own issues' revisions.
   */
  async issuePage(tenant: string, afterIssueId: string, limit: number): Promise<IssueRecord[]> {
    checkPositiveInteger('limit', limit);
    const rows = await this.select<{ issue_id: string } & Record<string, unknown>>(sql`
      SELECT * FROM (${latestIssuesSql(this.issues, tenant, sql`issue_id > ${afterIssueId}`)})
      ORDER BY issue_id
      LIMIT ${limit}`);
    return rows.map((row) => {
      const issueRow: Record<string, unknown> = { tenant, issue_id: row.issue_id };
      for (const [key, value] of Object.entries(row)) {
        if (key.startsWith(LATEST)) issueRow[key.slice(LATEST.length)] = value;
      }
      return fromIssueRow(issueRow as IssueRowOutput);
    });
  }

  /**
   * Count, first/last seen with their versions, and envs of each issue's stored occurrences; issues
   * without any are absent. Nullable `version` goes through argOfNullable for argMin/argMax (an
   * aggregate skips NULL arguments, which would pick another occurrence's version).
   */
  async occurrencesByIssue(tenant: string, issueIds: readonly string[]): Promise<Map<string, StoredIssueOccurrences>> {
    const stats = new Map<string, StoredIssueOccurrences>();
    if (issueIds.length === 0) return stats;
    const rows = await this.select<{
      issue_id: string;
      occurrence_count: number | string;
      first_seen_ms: number | string;
      last_seen_ms: number | string;
      first_version: string | null;
      last_version: string | null;
      envs: string[];
    }>(sql`
      SELECT
        issue_id,
        uniqExact(occurrence_id) AS occurrence_count,
        min(timestamp_ms) AS first_seen_ms,
        max(timestamp_ms) AS last_seen_ms,
        ${raw(argOfNullable('argMin', 'version', 'timestamp_ms'))} AS first_version,
        ${raw(argOfNullable('argMax', 'version', 'timestamp_ms'))} AS last_version,
        arraySort(groupUniqArrayIf(assumeNotNull(env), isNotNull(env))) AS envs
      FROM ${this.byIssueTable}
      WHERE tenant = ${tenant} AND issue_id IN ${sqlInList(issueIds)}
      GROUP BY issue_id`);
    for (const row of rows) {
      stats.set(row.issue_id, {
        issueId: row.issue_id,
        count: Number(row.occurrence_count),
        firstSeenMs: Number(row.first_seen_ms),
        lastSeenMs: Number(row.last_seen_ms),
        firstVersion: row.first_version,
        lastVersion: row.last_version,
        envs: row.envs,
      });
    }
    return stats;
  }

  /**
   * Distinct occurrence ids per issue and UTC hour of occurrence time, for the hours starting at or
   * after `fromMs` (floored to its hour); only non-empty hours, oldest first per issue.
   */
  async hourlyCounts(tenant: string, issueIds: readonly string[], fromMs: number): Promise<StoredHourlyCount[]> {
    checkNonNegativeInteger('fromMs', fromMs);
    if (issueIds.length === 0) return [];
    const fromHourMs = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
    const rows = await this.select<{ issue_id: string; hour_start_ms: number | string; count: number | string }>(sql`
      SELECT issue_id, intDiv(timestamp_ms, ${HOUR_MS}) * ${HOUR_MS} AS hour_start_ms, uniqExact(occurrence_id) AS count
      FROM ${this.byIssueTable}
      WHERE tenant = ${tenant} AND ${dayBound(fromHourMs)} AND timestamp_ms >= ${fromHourMs} AND issue_id IN ${sqlInList(issueIds)}
      GROUP BY issue_id, hour_start_ms
      ORDER BY issue_id, hour_start_ms`);
    return rows.map((row) => ({ issueId: row.issue_id, hourStartMs: Number(row.hour_start_ms), count: Number(row.count) }));
  }

  /**
   * Every occurrence id of each issue-hour (hour of occurrence time) that received an occurrence at
   * or after `receivedSinceMs`: the hours whose dedupe set the aggregator touched recently, and so
   * still keeps. Selected by arrival rather than occurrence time because a tracer may resend an old
   * span: its hour's set was refreshed when the copy arrived. Ids of one hour come sorted.
   */
  async recentHourOccurrenceIds(tenant: string, issueIds: readonly string[], receivedSinceMs: number): Promise<StoredHourOccurrenceIds[]> {
    checkNonNegativeInteger('receivedSinceMs', receivedSinceMs);
    if (issueIds.length === 0) return [];
    const issues = sqlInList(issueIds);
    // The recent issue-hours first (two narrow columns), then the ids of only those hours.
    const rows = await this.select<{ issue_id: string; hour_start_ms: number | string; occurrence_ids: string[] }>(sql`
      SELECT issue_id, intDiv(timestamp_ms, ${HOUR_MS}) * ${HOUR_MS} AS hour_start_ms, arraySort(groupUniqArray(occurrence_id)) AS occurrence_ids
      FROM ${this.occurrences}
      WHERE tenant = ${tenant} AND issue_id IN ${issues}
        AND (issue_id, intDiv(timestamp_ms, ${HOUR_MS}) * ${HOUR_MS}) IN (
          SELECT issue_id, intDiv(timestamp_ms, ${HOUR_MS}) * ${HOUR_MS}
          FROM ${this.occurrences}
          WHERE tenant = ${tenant} AND issue_id IN ${issues} AND received_at_ms >= ${receivedSinceMs})
      GROUP BY issue_id, hour_start_ms
      ORDER BY issue_id, hour_start_ms`);
    return rows.map((row) => ({ issueId: row.issue_id, hourStartMs: Number(row.hour_start_ms), occurrenceIds: row.occurrence_ids }));
  }

  private async select<T>(query: SqlFragment): Promise<T[]> {
    const result = await this.client.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

/**
 * 2100-01-01 UTC: 18.16's toDate wraps past ~2105, so a day bound is only added below it (the exact
 * `timestamp_ms` term is what is correct; the day term only lets ClickHouse skip whole days).
 */
const DAY_PRUNING_END_MS = 4_102_444_800_000;

function dayBound(fromMs: number): SqlFragment {
  if (fromMs >= DAY_PRUNING_END_MS) return raw('1');
  return sql`toDate(timestamp) >= toDate(toDateTime(${Math.floor(fromMs / 1000)}, 'UTC'))`;
}

import type { ClickHouseClient } from '@clickhouse/client';
import type { IssueRecord } from '@faultline/contracts';
import { argOfNullable } from './issue-latest.sql';
import { joinSql, raw, sql, sqlIdentifier, type SqlFragment } from './sql';

/** What auto-resolve reads of an open issue: its latest projected revision (see issue.repository.ts). */
export type AutoResolveCandidate = Pick<IssueRecord, 'tenant' | 'issueId' | 'service' | 'envs' | 'status' | 'lastSeenMs' | 'lastVersion' | 'count'>;

/** Keyset position in the candidate order (last seen, tenant, issue id, all ascending). */
export interface CandidateCursor {
  lastSeenMs: number;
  tenant: string;
  issueId: string;
}

/** A version of a service in one env, and when its first occurrence (of any issue) happened there. */
export interface ServiceVersionRow {
  tenant: string;
  service: string;
  env: string | null;
  version: string;
  firstSeenMs: number;
}

const OPEN_STATUSES = ['FOR_REVIEW', 'REVIEWED'];

/**
 * The reads of the auto-resolve job, across tenants. Versions are known only from occurrences: a
 * release that never raised an error is invisible here (and then supersedes nothing).
 */
export class AutoResolveQueries {
  private readonly issues: SqlFragment;
  private readonly occurrences: SqlFragment;

  /** `database` qualifies every statement, so the client's default database does not matter. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.issues = raw(`${sqlIdentifier(database)}.${sqlIdentifier('issues')}`);
    this.occurrences = raw(`${sqlIdentifier(database)}.${sqlIdentifier('occurrences')}`);
  }

  /**
   * FOR_REVIEW and REVIEWED issues of every tenant last seen at or before `cutoffMs`, by their
   * latest revision (argMax, as IssueRepository: right before merges, never a stale row), oldest
   * last seen first, at most `limit` after `after`. The `issues` table holds one row per issue plus
   * unmerged revisions, so each page is one aggregation over that small table.
   */
  async openIssuesLastSeenBefore(cutoffMs: number, page: { limit: number; after?: CandidateCursor | null }): Promise<AutoResolveCandidate[]> {
    if (!Number.isInteger(page.limit) || page.limit <= 0) throw new RangeError(`limit must be a positive integer, got ${page.limit}`);
    const after = page.after;
    const keyset = after
      ? sql`(last_seen_ms > ${after.lastSeenMs} OR (last_seen_ms = ${after.lastSeenMs} AND (tenant > ${after.tenant} OR (tenant = ${after.tenant} AND issue_id > ${after.issueId}))))`
      : raw('1');
    // Nullable last_version goes through argOfNullable so argMax cannot skip a NULL.
    const rows = await this.select<{
      tenant: string;
      issue_id: string;
      service: string;
      envs: string[];
      status: AutoResolveCandidate['status'];
      last_seen_ms: number | string;
      last_version: string | null;
      occurrence_count: number | string;
    }>(sql`
      SELECT * FROM (
        SELECT
          tenant,
          issue_id,
          argMax(service, revision) AS service,
          argMax(envs, revision) AS envs,
          argMax(status, revision) AS status,
          argMax(last_seen_ms, revision) AS last_seen_ms,
          ${raw(argOfNullable('argMax', 'last_version', 'revision'))} AS last_version,
          argMax(occurrence_count, revision) AS occurrence_count
        FROM ${this.issues}
        GROUP BY tenant, issue_id
      )
      WHERE has(${OPEN_STATUSES}, status) AND last_seen_ms <= ${cutoffMs} AND ${keyset}
      ORDER BY last_seen_ms, tenant, issue_id
      LIMIT ${page.limit}`);
    return rows.map((row) => ({
      tenant: row.tenant,
      issueId: row.issue_id,
      service: row.service,
      envs: row.envs,
      status: row.status,
      lastSeenMs: Number(row.last_seen_ms),
      lastVersion: row.last_version,
      count: Number(row.occurrence_count),
    }));
  }

  /**
   * Every version seen per env for each of the given (tenant, service) pairs, with the time of its
   * first occurrence. Occurrences without a version are left out. Reads the services' whole history
   * (first seen is a minimum over all of it), scoped by tenant, the sorting key's first column.
   */
  async serviceVersions(services: readonly { tenant: string; service: string }[]): Promise<ServiceVersionRow[]> {
    const byTenant = new Map<string, Set<string>>();
    for (const { tenant, service } of services) {
      const set = byTenant.get(tenant) ?? new Set<string>();
      set.add(service);
      byTenant.set(tenant, set);
    }
    if (byTenant.size === 0) return [];
    const scopes = [...byTenant].map(([tenant, names]) => sql`(tenant = ${tenant} AND service IN (${list([...names])}))`);
    const rows = await this.select<{ tenant: string; service: string; env: string | null; version: string; first_seen_ms: number | string }>(sql`
      SELECT tenant, service, env, version, min(timestamp_ms) AS first_seen_ms
      FROM ${this.occurrences}
      WHERE (${joinSql(scopes, ' OR ')}) AND isNotNull(version)
      GROUP BY tenant, service, env, version`);
    return rows.map((row) => ({ tenant: row.tenant, service: row.service, env: row.env, version: row.version, firstSeenMs: Number(row.first_seen_ms) }));
  }

  /**
   * The distinct versions of each given issue's occurrences at or after `sinceMs` (issue id ->
   * versions; issues without any are absent). The time bound lets the read skip older days.
   */
  async issueVersions(tenant: string, issueIds: readonly string[], sinceMs: number): Promise<Map<string, string[]>> {
    const versions = new Map<string, string[]>();
    if (issueIds.length === 0) return versions;
    const sinceSeconds = Math.floor(sinceMs / 1000);
    const rows = await this.select<{ issue_id: string; version: string }>(sql`
      SELECT issue_id, version
      FROM ${this.occurrences}
      WHERE tenant = ${tenant} AND timestamp >= toDateTime(${sinceSeconds}) AND timestamp_ms >= ${sinceMs}
        AND issue_id IN (${list(issueIds)}) AND isNotNull(version)
      GROUP BY issue_id, version`);
    for (const row of rows) {
      const seen = versions.get(row.issue_id);
      if (seen) seen.push(row.version);
      else versions.set(row.issue_id, [row.version]);
    }
    return versions;
  }

  private async select<T>(query: SqlFragment): Promise<T[]> {
    const result = await this.client.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }
}

/** `'a', 'b'` for `x IN (...)` (an array literal is not a set on 18.16). */
function list(values: readonly string[]): SqlFragment {
  return joinSql(
    values.map((value) => sql`${value}`),
    ', ',
  );
}

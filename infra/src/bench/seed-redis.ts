import type { ClickHouseClient } from '@faultline/clickhouse';
import { OccurrenceRepository, raw, sql } from '@faultline/clickhouse';
import { DEFAULT_TENANT, type IssueChange } from '@faultline/contracts';
import { MAX_TRACKED_VALUES_PER_KEY, TRACKED_VALUE_KEYS } from '@faultline/domain';
import { execPerNode, IssueStateKeys, trackedValueFields, type KeyedCommand, type RedisClient } from '@faultline/redis';
import type { CatalogIssue } from './seed-catalog';

/**
 * Writes the authoritative Redis state of the seeded issues in the aggregator's layout
 * (IssueStateKeys, the hash fields of RECORD_OCCURRENCES_LUA, the envs set, the hourly hash trimmed
 * to the retention as the script trims it, the history list as appendHistory writes it), read back
 * from the ClickHouse aggregates the seed just derived, so both stores tell the same story.
 */

interface IssueAggregateRow {
  issue_id: string;
  fingerprint: string;
  fingerprint_version: number | string;
  service: string;
  env: string | null;
  envs: string[];
  error_type: string;
  error_message: string;
  message_template: string;
  culprit: string | null;
  status: string;
  occurrence_count: number | string;
  first_seen_ms: number | string;
  last_seen_ms: number | string;
  first_version: string | null;
  last_version: string | null;
  regression: number | string;
  resolved_in_version: string | null;
  revision: number | string;
}

interface HourlyRow {
  issue_id: string;
  hours: (number | string)[];
  counts: (number | string)[];
}

const HOUR_MS = 3_600_000;
const ISSUES_PER_PIPELINE = 250;

export async function writeRedisState(options: {
  clickhouse: ClickHouseClient;
  database: string;
  redis: RedisClient;
  catalog: readonly CatalogIssue[];
  nowMs: number;
  hourlyRetentionHours: number;
}): Promise<{ issues: number; hourlyFields: number }> {
  const { clickhouse, database, redis, nowMs } = options;
  const keys = new IssueStateKeys();
  const actorOf = new Map(options.catalog.map((issue) => [issue.issue_id, issue.actor]));

  const issues = await (
    await clickhouse.query({
      query: sql`SELECT issue_id, fingerprint, fingerprint_version, service, env, envs, error_type, error_message, message_template,
          culprit, status, occurrence_count, first_seen_ms, last_seen_ms, first_version, last_version, regression, resolved_in_version, revision
        FROM ${raw(`${database}.issues`)} WHERE tenant = ${DEFAULT_TENANT}`.text,
      format: 'JSONEachRow',
    })
  ).json<IssueAggregateRow>();

  // The script deletes hour fields older than (server time - retention - 1 h) whenever it adds one.
  const oldestKeptMs = Math.floor(nowMs / 1000 - options.hourlyRetentionHours * 3600 - 3600) * 1000;
  const hourly = await (
    await clickhouse.query({
      query: sql`SELECT issue_id, groupArray(hour_start_ms) AS hours, groupArray(count) AS counts
        FROM (SELECT issue_id, hour_start_ms, max(count) AS count FROM ${raw(`${database}.issue_hourly_counts`)}
              WHERE tenant = ${DEFAULT_TENANT} AND hour_start_ms >= ${oldestKeptMs} GROUP BY issue_id, hour_start_ms)
        GROUP BY issue_id`.text,
      format: 'JSONEachRow',
    })
  ).json<HourlyRow>();
  const hourlyByIssue = new Map(hourly.map((row) => [row.issue_id, row]));

  let hourlyFields = 0;
  const occurrences = new OccurrenceRepository(clickhouse, database);
  for (let start = 0; start < issues.length; start += ISSUES_PER_PIPELINE) {
    const page = issues.slice(start, start + ISSUES_PER_PIPELINE);
    // The per-issue value counts the aggregator keeps for the tracked keys, counted from ClickHouse.
    const trackedCounts = await occurrences.trackedValueCountsByIssues(
      DEFAULT_TENANT,
      page.map((row) => row.issue_id),
      TRACKED_VALUE_KEYS,
    );
    // One command per key, sent as one pipeline (one per node on a Redis Cluster).
    const commands: KeyedCommand[] = [];
    const write = (key: string, add: KeyedCommand[1]) => commands.push([key, add]);
    for (const row of page) {
      const id = row.issue_id;
      const valueFields = trackedValueFields(trackedCounts.get(id) ?? [], MAX_TRACKED_VALUES_PER_KEY);
      if (Object.keys(valueFields).length > 0) write(keys.values(DEFAULT_TENANT, id), (pipeline) => pipeline.hset(keys.values(DEFAULT_TENANT, id), valueFields));
      const fields: Record<string, string> = {
        tenant: DEFAULT_TENANT,
        issueId: id,
        fingerprint: row.fingerprint,
        fingerprintVersion: String(row.fingerprint_version),
        service: row.service,
        errorType: row.error_type,
        errorMessage: row.error_message,
        messageTemplate: row.message_template,
        status: row.status,
        firstSeenMs: String(row.first_seen_ms),
        lastSeenMs: String(row.last_seen_ms),
        count: String(row.occurrence_count),
        revision: String(row.revision),
      };
      // Null values are absent fields, as the script's setOrDelete leaves them.
      if (row.env !== null) fields.env = row.env;
      if (row.culprit !== null) fields.culprit = row.culprit;
      if (row.first_version !== null) fields.firstVersion = row.first_version;
      if (row.last_version !== null) fields.lastVersion = row.last_version;
      if (row.resolved_in_version !== null) fields.resolvedInVersion = row.resolved_in_version;
      if (Number(row.regression) === 1) fields.regression = '1';
      write(keys.issue(DEFAULT_TENANT, id), (pipeline) => pipeline.hset(keys.issue(DEFAULT_TENANT, id), fields));
      if (row.envs.length > 0) write(keys.envs(DEFAULT_TENANT, id), (pipeline) => pipeline.sadd(keys.envs(DEFAULT_TENANT, id), ...row.envs));

      const hours = hourlyByIssue.get(id);
      if (hours) {
        const hourFields: Record<string, string> = {};
        hours.hours.forEach((hourMs, index) => {
          hourFields[String(Number(hourMs) / 1000)] = String(hours.counts[index]);
        });
        hourlyFields += hours.hours.length;
        write(keys.hourly(DEFAULT_TENANT, id), (pipeline) => pipeline.hset(keys.hourly(DEFAULT_TENANT, id), hourFields));
      }

      const history = historyOf(row, actorOf.get(id) ?? 'anonymous', nowMs);
      write(keys.history(DEFAULT_TENANT, id), (pipeline) => pipeline.rpush(keys.history(DEFAULT_TENANT, id), ...history.map((change) => JSON.stringify(change))));
    }
    await execPerNode(redis, commands);
  }
  return { issues: issues.length, hourlyFields };
}

/**
 * The issue's history as the scripts would have written it: `created` by the system when the first
 * occurrence was processed; for an issue a person triaged, that `status_changed`; for a regression,
 * the resolve and the system's `regressed`.
 */
function historyOf(row: IssueAggregateRow, actor: string, nowMs: number): IssueChange[] {
  const firstSeen = Number(row.first_seen_ms);
  const lastSeen = Number(row.last_seen_ms);
  const change = (atMs: number, who: string, action: IssueChange['action'], from: IssueChange['from'], to: IssueChange['to']): IssueChange => ({
    atMs: Math.min(Math.floor(atMs), nowMs),
    actor: who,
    action,
    from,
    to,
    assignee: null,
  });
  const history = [change(firstSeen + 1200, 'system', 'created', null, 'FOR_REVIEW')];
  if (Number(row.regression) === 1) {
    const resolvedAt = firstSeen + (lastSeen - firstSeen) / 3;
    history.push(change(resolvedAt, actor, 'status_changed', 'FOR_REVIEW', 'RESOLVED'));
    history.push(change(resolvedAt + (lastSeen - resolvedAt) / 2, 'system', 'regressed', 'RESOLVED', 'FOR_REVIEW'));
  } else if (row.status === 'RESOLVED') {
    history.push(change(lastSeen + 6 * HOUR_MS, actor, 'status_changed', 'FOR_REVIEW', 'RESOLVED'));
  } else if (row.status !== 'FOR_REVIEW') {
    history.push(change(firstSeen + 3 * HOUR_MS, actor, 'status_changed', 'FOR_REVIEW', row.status as IssueChange['to']));
  }
  return history;
}

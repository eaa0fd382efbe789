import { execPerNode, type KeyedCommand } from './exec-pipeline';
import type { RedisClient } from './redis.client';
import { MAX_TRACKED_VALUES_PER_KEY } from '@faultline/domain';
import { issueChangeSchema, issueRecordSchema, type IssueChange, type IssueRecord, type IssueStatus } from '@faultline/contracts';
import { ASSIGN_ISSUE_LUA, AUTO_RESOLVE_ISSUE_LUA, UPDATE_ISSUE_STATUS_LUA } from './issue-workflow.script';
import { RECORD_OCCURRENCES_LUA } from './record-occurrences.script';

/** What the store needs of one occurrence (a projection of occurrence/v1 plus its issue). */
export interface IssueOccurrence {
  tenant: string;
  issueId: string;
  occurrenceId: string;
  fingerprint: string;
  fingerprintVersion: number;
  service: string;
  env: string | null;
  version: string | null;
  errorType: string;
  errorMessage: string;
  messageTemplate: string;
  culprit: string | null;
  /** Occurrence (span start) time, milliseconds since the epoch. */
  timestampMs: number;
  /** Its values of the tracked keys (`trackedValues` of @faultline/domain), counted per issue; none when absent. */
  values?: readonly (readonly [string, string])[];
}

/** One issue's outcome of {@link IssueStateStore.recordOccurrences}. */
export interface RecordedIssue {
  /** The state after the call. */
  record: IssueRecord;
  /** The issue was created by this call. */
  created: boolean;
  /** This call moved the issue from RESOLVED back to FOR_REVIEW (see the regression rule). */
  regressed: boolean;
  /** History entries this call appended, oldest first (`created`, `regressed`). */
  changes: IssueChange[];
  /**
   * The issue's changes not yet acknowledged as published (oldest first): this call's `changes`
   * plus any an earlier delivery recorded but did not get out (it failed or crashed before
   * {@link IssueStateStore.acknowledgePublished}). These are the events to emit; acknowledging them
   * afterwards makes `issue-events` at-least-once even though a redelivered batch changes nothing.
   */
  unpublished: UnpublishedChange[];
  /**
   * The absolute count of every hour the call's occurrences of this issue fall in (also when they
   * were all duplicates), for the ClickHouse hourly counts; hours trimmed by retention are absent.
   */
  hourlyCounts: HourlyCount[];
}

/** An outbox entry: the change, and the opaque token that acknowledges it. */
export interface UnpublishedChange {
  change: IssueChange;
  token: string;
}

export interface HourlyCount {
  /** Start of the hour, milliseconds since the epoch. */
  hourStartMs: number;
  count: number;
}

const HOUR_MS = 3_600_000;
/** Hours of per-hour counters Redis keeps per issue by default (older ones are in ClickHouse only). */
export const DEFAULT_HOURLY_RETENTION_HOURS = 14 * 24;
/** Upper bound of one hourlyCounts read (one HMGET field per hour): 90 days. */
export const MAX_HOURLY_RANGE_HOURS = 24 * 90;
const COMMAND = 'faultlineRecordOccurrences';
const UPDATE_STATUS_COMMAND = 'faultlineUpdateIssueStatus';
const ASSIGN_COMMAND = 'faultlineAssignIssue';
const AUTO_RESOLVE_COMMAND = 'faultlineAutoResolveIssue';

type RecordOccurrencesReply = [string[], string[], number, string[], string[], string[]];
/** Reply of the workflow scripts; null when the issue does not exist. */
type WorkflowReply = [string[], string[], string[]] | null;
type ScriptedPipeline = { [COMMAND](numKeys: number, ...keysAndArgs: (string | number)[]): unknown };
type WorkflowCommand = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<WorkflowReply>;

/**
 * Redis key layout. Every key of one issue carries the hash tag `{tenant:issueId}` so they share a
 * Redis Cluster slot and one Lua script (or MULTI) can touch them all; different issues spread over
 * the slots, so batches over many issues go out per node (execPerNode). Tag parts are URI-encoded,
 * so a brace or colon inside a tenant or issue id cannot end the tag early or make two issues collide.
 */
export class IssueStateKeys {
  constructor(private readonly prefix = 'fl') {}

  tag(tenant: string, issueId: string): string {
    return `{${encodeURIComponent(tenant)}:${encodeURIComponent(issueId)}}`;
  }
  /** Hash: IssueRecord fields (absent = null) plus `count` and `revision`. */
  issue(tenant: string, issueId: string): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:issue`;
  }
  /** Set: every env the issue was seen in. */
  envs(tenant: string, issueId: string): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:envs`;
  }
  /** Hash: epoch second of an hour's start -> occurrences first seen in that hour. */
  hourly(tenant: string, issueId: string): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:hourly`;
  }
  /** Set: occurrence ids with a timestamp in this hour, kept for the dedupe window. */
  seen(tenant: string, issueId: string, hourStartSec: number): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:seen:${hourStartSec}`;
  }
  /** List: IssueChange JSON, oldest first, capped at ISSUE_HISTORY_LIMIT entries. */
  history(tenant: string, issueId: string): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:history`;
  }
  /** Hash: occurrences per value of each tracked key (see RECORD_OCCURRENCES_LUA, KEYS[6]). */
  values(tenant: string, issueId: string): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:values`;
  }
  /** List: pipeline-made history entries not yet acknowledged as published to `issue-events`. */
  outbox(tenant: string, issueId: string): string {
    return `${this.prefix}:${this.tag(tenant, issueId)}:outbox`;
  }
}

function hourStartSec(timestampMs: number): number {
  return Math.floor(timestampMs / HOUR_MS) * 3600;
}

/**
 * The authoritative issue state: counts, first/last seen and version, envs, per-hour counters, and
 * the dedupe of redelivered occurrences. One Lua script per issue applies a batch atomically; the
 * whole batch goes out as one pipeline (one round trip; on Redis Cluster one per node, see execPerNode).
 *
 * Exactly-once counting: an occurrence id is counted only the first time it is added to its seen
 * set. Ids are deterministic (tenant, trace id, span id) and a copy always has the same timestamp,
 * so every copy lands in the same hourly seen set; that set lives `dedupeWindowHours` after its last
 * addition, which bounds how late a redelivery may arrive and still be recognised.
 */
export class IssueStateStore {
  private readonly hourlyRetentionHours: number;

  /** `hourlyRetentionHours`: how long per-hour counters are kept (DEFAULT_HOURLY_RETENTION_HOURS). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: IssueStateKeys = new IssueStateKeys(),
    options: { hourlyRetentionHours?: number } = {},
  ) {
    this.hourlyRetentionHours = options.hourlyRetentionHours ?? DEFAULT_HOURLY_RETENTION_HOURS;
    if (!Number.isInteger(this.hourlyRetentionHours) || this.hourlyRetentionHours <= 0) {
      throw new RangeError(`hourly counts retention must be a positive whole number of hours, got ${this.hourlyRetentionHours}`);
    }
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: RECORD_OCCURRENCES_LUA });
    if (!(UPDATE_STATUS_COMMAND in redis)) redis.defineCommand(UPDATE_STATUS_COMMAND, { lua: UPDATE_ISSUE_STATUS_LUA });
    if (!(ASSIGN_COMMAND in redis)) redis.defineCommand(ASSIGN_COMMAND, { lua: ASSIGN_ISSUE_LUA });
    if (!(AUTO_RESOLVE_COMMAND in redis)) redis.defineCommand(AUTO_RESOLVE_COMMAND, { lua: AUTO_RESOLVE_ISSUE_LUA });
  }

  /**
   * Records a batch and returns the state of every issue in it, in the order issues first appear in
   * `items`, including issues whose occurrences were all duplicates (so a caller that crashed after
   * this write but before projecting the state elsewhere re-projects it on redelivery). `revision`
   * increases only when something changed. `changes` lists what this call did to the workflow (a
   * redelivery never repeats a change: duplicates neither create nor regress).
   */
  async recordOccurrences(items: readonly IssueOccurrence[], dedupeWindowHours: number): Promise<RecordedIssue[]> {
    if (!Number.isFinite(dedupeWindowHours) || dedupeWindowHours <= 0) {
      throw new RangeError(`dedupe window must be a positive number of hours, got ${dedupeWindowHours}`);
    }
    if (items.length === 0) return [];
    const windowSeconds = Math.ceil(dedupeWindowHours * 3600);

    const byIssue = new Map<string, IssueOccurrence[]>();
    for (const item of items) {
      const key = this.keys.tag(item.tenant, item.issueId);
      const group = byIssue.get(key);
      if (group) group.push(item);
      else byIssue.set(key, [item]);
    }

    const commands: KeyedCommand[] = [];
    for (const group of byIssue.values()) {
      const { tenant, issueId } = group[0];
      // The issue is created from its earliest occurrence in the batch (first in input on ties).
      const creator = group.reduce((earliest, item) => (item.timestampMs < earliest.timestampMs ? item : earliest));
      const seenKeys: string[] = [];
      const seenIndex = new Map<number, number>();
      const occurrences = group.map((item) => {
        const hour = hourStartSec(item.timestampMs);
        let index = seenIndex.get(hour);
        if (index === undefined) {
          seenKeys.push(this.keys.seen(tenant, issueId, hour));
          index = seenKeys.length + 6; // Lua KEYS is 1-based, after the issue, envs, hourly, history, outbox and values keys.
          seenIndex.set(hour, index);
        }
        return {
          id: item.occurrenceId,
          ts: String(item.timestampMs),
          version: item.version,
          env: item.env,
          seen: index,
          hour: String(hour),
          values: (item.values ?? []).flat(),
        };
      });
      const staticFields = {
        tenant,
        issueId,
        fingerprint: creator.fingerprint,
        fingerprintVersion: String(creator.fingerprintVersion),
        service: creator.service,
        env: creator.env,
        errorType: creator.errorType,
        errorMessage: creator.errorMessage,
        messageTemplate: creator.messageTemplate,
        culprit: creator.culprit,
        status: 'FOR_REVIEW',
      };
      const keys = [
        this.keys.issue(tenant, issueId),
        this.keys.envs(tenant, issueId),
        this.keys.hourly(tenant, issueId),
        this.keys.history(tenant, issueId),
        this.keys.outbox(tenant, issueId),
        this.keys.values(tenant, issueId),
        ...seenKeys,
      ];
      const args = [windowSeconds, JSON.stringify(staticFields), JSON.stringify(occurrences), this.hourlyRetentionHours * 3600, MAX_TRACKED_VALUES_PER_KEY];
      commands.push([keys[0], (pipeline) => (pipeline as unknown as ScriptedPipeline)[COMMAND](keys.length, ...keys, ...args)]);
    }

    const replies = await execPerNode(this.redis, commands);
    const recorded: RecordedIssue[] = [];
    for (const reply of replies) {
      const [hash, envs, created, changeJson, outbox, hourCounts] = reply as RecordOccurrencesReply;
      // Every issue of the batch exists after the script unless all of its occurrences were
      // duplicates of ids whose issue hash has since been lost; there is no state to return then.
      if (hash.length === 0) continue;
      const changes = changeJson.map(parseChange);
      recorded.push({
        record: toIssueRecord(hash, envs),
        created: created === 1,
        regressed: changes.some((change) => change.action === 'regressed'),
        changes,
        unpublished: outbox.map((token) => ({ change: parseChange(token), token })),
        hourlyCounts: pairsToHourlyCounts(hourCounts),
      });
    }
    return recorded;
  }

  /**
   * Removes published changes from their issues' outboxes (one pipeline; per node on a Cluster). Entries are removed by
   * value, so concurrent consumers of one issue cannot drop each other's unpublished entries; a
   * token already acknowledged is ignored.
   */
  async acknowledgePublished(published: readonly { tenant: string; issueId: string; tokens: readonly string[] }[]): Promise<void> {
    const commands: KeyedCommand[] = [];
    for (const { tenant, issueId, tokens } of published) {
      const outbox = this.keys.outbox(tenant, issueId);
      for (const token of tokens) commands.push([outbox, (pipeline) => pipeline.lrem(outbox, 1, token)]);
    }
    await execPerNode(this.redis, commands);
  }

  /**
   * Sets an issue's status on behalf of `actor` (see UPDATE_ISSUE_STATUS_LUA): resolving records the
   * last seen version as `resolvedInVersion`; any change clears `regression`, appends a
   * `status_changed` entry and bumps the revision. Setting the current status changes nothing
   * (`change` null, same revision). Null when the issue does not exist.
   */
  async updateStatus(
    tenant: string,
    issueId: string,
    status: IssueStatus,
    actor: string,
    nowMs: number,
  ): Promise<{ record: IssueRecord; change: IssueChange | null } | null> {
    const reply = await this.workflow(UPDATE_STATUS_COMMAND, tenant, issueId, [status, actor, String(Math.trunc(nowMs))]);
    if (!reply) return null;
    return { record: reply.record, change: reply.changes[0] ?? null };
  }

  /**
   * Sets (or, with null, clears) an issue's assignee on behalf of `actor`: always an `assigned` entry;
   * assigning someone to a FOR_REVIEW issue also moves it to REVIEWED (a `status_changed` entry
   * after it). Null when the issue does not exist.
   */
  async assign(
    tenant: string,
    issueId: string,
    assignee: string | null,
    actor: string,
    nowMs: number,
  ): Promise<{ record: IssueRecord; changes: IssueChange[] } | null> {
    return this.workflow(ASSIGN_COMMAND, tenant, issueId, [JSON.stringify({ assignee }), actor, String(Math.trunc(nowMs))]);
  }

  /** The issue's history, oldest first (the latest ISSUE_HISTORY_LIMIT entries); empty when unknown. */
  async history(tenant: string, issueId: string): Promise<IssueChange[]> {
    const entries = await this.redis.lrange(this.keys.history(tenant, issueId), 0, -1);
    return entries.map(parseChange);
  }

  private async workflow(
    command: string,
    tenant: string,
    issueId: string,
    args: string[],
  ): Promise<{ record: IssueRecord; changes: IssueChange[] } | null> {
    if (!Number.isFinite(Number(args[2]))) throw new RangeError(`invalid time ${args[2]}`);
    const run = (this.redis as unknown as Record<string, WorkflowCommand>)[command].bind(this.redis);
    const keys = [this.keys.issue(tenant, issueId), this.keys.envs(tenant, issueId), this.keys.history(tenant, issueId)];
    const reply = await run(keys.length, ...keys, ...args);
    if (!reply) return null;
    const [hash, envs, changeJson] = reply;
    return { record: toIssueRecord(hash, envs), changes: changeJson.map(parseChange) };
  }

  /**
   * Resolves an issue on behalf of the system (auto-resolve), compare-and-set: only when it is
   * FOR_REVIEW or REVIEWED and its `lastSeenMs` and `count` still equal the expected ones, the values
   * the decision was made on. Then as a manual resolve (`resolvedInVersion` = last seen version,
   * `regression` cleared, revision bumped) with a `status_changed` entry by `system` carrying
   * `reason`, which is also put in the outbox: acknowledge `token` once the event is published,
   * else it goes out with the issue's next recorded batch. Null when refused or unknown.
   */
  async autoResolve(
    tenant: string,
    issueId: string,
    expected: { expectedLastSeenMs: number; expectedCount: number; reason: string; nowMs: number },
  ): Promise<{ record: IssueRecord; change: IssueChange; token: string } | null> {
    const { expectedLastSeenMs, expectedCount, reason, nowMs } = expected;
    for (const [name, value] of Object.entries({ expectedLastSeenMs, expectedCount, nowMs })) {
      if (!Number.isFinite(value)) throw new RangeError(`invalid ${name} ${value}`);
    }
    const run = (this.redis as unknown as Record<string, WorkflowCommand>)[AUTO_RESOLVE_COMMAND].bind(this.redis);
    const keys = [this.keys.issue(tenant, issueId), this.keys.envs(tenant, issueId), this.keys.history(tenant, issueId), this.keys.outbox(tenant, issueId)];
    const reply = await run(keys.length, ...keys, String(Math.trunc(expectedLastSeenMs)), String(Math.trunc(expectedCount)), reason, String(Math.trunc(nowMs)));
    if (!reply) return null;
    const [hash, envs, [token]] = reply;
    return { record: toIssueRecord(hash, envs), change: parseChange(token), token };
  }

  /** Current state of one issue, or null. */
  async findIssue(tenant: string, issueId: string): Promise<IssueRecord | null> {
    const replies = await this.redis
      .multi()
      .hgetall(this.keys.issue(tenant, issueId))
      .smembers(this.keys.envs(tenant, issueId))
      .exec();
    if (!replies) throw new Error('redis transaction was discarded');
    const [[hashError, hash], [envsError, envs]] = replies as [[Error | null, Record<string, string>], [Error | null, string[]]];
    if (hashError ?? envsError) throw hashError ?? envsError;
    if (Object.keys(hash).length === 0) return null;
    return toIssueRecord(Object.entries(hash).flat(), envs);
  }

  /**
   * Per-hour counts for the hours starting in [fromMs, toMs), oldest first, zeros included (for
   * sparklines). The first hour is the one containing `fromMs`.
   */
  async hourlyCounts(tenant: string, issueId: string, fromMs: number, toMs: number): Promise<HourlyCount[]> {
    return (await this.hourlyCountsOf(tenant, [issueId], fromMs, toMs)).get(issueId) ?? [];
  }

  /** {@link hourlyCounts} of many issues in one round trip (a pipeline of one HMGET per issue; one per node on a Cluster). */
  async hourlyCountsOf(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, HourlyCount[]>> {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
      throw new RangeError(`invalid range ${fromMs}..${toMs}`);
    }
    const hours: number[] = [];
    for (let hour = hourStartSec(fromMs); hour * 1000 < toMs; hour += 3600) {
      hours.push(hour);
      if (hours.length > MAX_HOURLY_RANGE_HOURS) throw new RangeError(`range exceeds ${MAX_HOURLY_RANGE_HOURS} hours`);
    }
    const ids = [...new Set(issueIds)];
    if (hours.length === 0 || ids.length === 0) return new Map(ids.map((id) => [id, []]));
    const fields = hours.map(String);
    const replies = await execPerNode(
      this.redis,
      ids.map((issueId) => {
        const key = this.keys.hourly(tenant, issueId);
        return [key, (pipeline) => pipeline.hmget(key, ...fields)];
      }),
    );
    return new Map(
      ids.map((issueId, issueIndex) => {
        const counts = replies[issueIndex] as (string | null)[];
        return [issueId, hours.map((hour, index) => ({ hourStartMs: hour * 1000, count: Number(counts[index] ?? 0) }))];
      }),
    );
  }

  /**
   * The counted values of a tracked key (see `TRACKED_VALUE_KEYS` in @faultline/domain) for a page of
   * issues, one HGETALL each in one pipeline (one per node on a Cluster); issues without any are absent.
   */
  async valueCountsOf(tenant: string, issueIds: readonly string[], key: string): Promise<Map<string, TrackedValueCounts>> {
    const ids = [...new Set(issueIds)];
    if (ids.length === 0) return new Map();
    const replies = await execPerNode(
      this.redis,
      ids.map((issueId) => {
        const key = this.keys.values(tenant, issueId);
        return [key, (pipeline) => pipeline.hgetall(key)];
      }),
    );
    const prefix = `${key}\u0000`;
    const counts = new Map<string, TrackedValueCounts>();
    ids.forEach((issueId, index) => {
      const hash = replies[index] as Record<string, string>;
      const values: { value: string; count: number }[] = [];
      let other = 0;
      for (const [field, count] of Object.entries(hash)) {
        if (!field.startsWith(prefix)) continue;
        const value = field.slice(prefix.length);
        if (value === '\u0000') other += Number(count);
        else values.push({ value, count: Number(count) });
      }
      if (values.length === 0 && other === 0) return;
      values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      counts.set(issueId, { values, other });
    });
    return counts;
  }

  /** {@link history} of many issues in one round trip (one per node on a Cluster). */
  async historyOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, IssueChange[]>> {
    const ids = [...new Set(issueIds)];
    if (ids.length === 0) return new Map();
    const replies = await execPerNode(
      this.redis,
      ids.map((issueId) => {
        const key = this.keys.history(tenant, issueId);
        return [key, (pipeline) => pipeline.lrange(key, 0, -1)];
      }),
    );
    return new Map(ids.map((issueId, index) => [issueId, (replies[index] as string[]).map(parseChange)]));
  }
}

/** Counts of one tracked key's values for one issue, as {@link IssueStateStore.valueCountsOf} answers them. */
export interface TrackedValueCounts {
  /** Every value counted for the key, most frequent first, ties by value. */
  values: { value: string; count: number }[];
  /** Occurrences counted under values beyond the per-key limit (not listed). */
  other: number;
}


/** Hash fields (flat list) + env set -> IssueRecord, validated so corrupt state fails loudly. */
function toIssueRecord(flatHash: string[], envs: string[]): IssueRecord {
  const hash = new Map<string, string>();
  for (let index = 0; index + 1 < flatHash.length; index += 2) hash.set(flatHash[index], flatHash[index + 1]);
  const text = (field: string) => hash.get(field) ?? null;
  const integer = (field: string) => (hash.has(field) ? Number(hash.get(field)) : undefined);
  return issueRecordSchema.parse({
    tenant: text('tenant'),
    issueId: text('issueId'),
    fingerprint: text('fingerprint'),
    fingerprintVersion: integer('fingerprintVersion'),
    service: text('service'),
    env: text('env'),
    envs: [...envs].sort(),
    errorType: text('errorType'),
    errorMessage: text('errorMessage'),
    messageTemplate: text('messageTemplate'),
    culprit: text('culprit'),
    status: text('status'),
    count: integer('count'),
    firstSeenMs: integer('firstSeenMs'),
    lastSeenMs: integer('lastSeenMs'),
    firstVersion: text('firstVersion'),
    lastVersion: text('lastVersion'),
    regression: hash.get('regression') === '1',
    assignee: text('assignee'),
    resolvedInVersion: text('resolvedInVersion'),
    revision: integer('revision'),
  });
}

/** Flat [hour start (epoch s), count, ...] -> HourlyCount[], oldest hour first. */
function pairsToHourlyCounts(flat: string[]): HourlyCount[] {
  const counts: HourlyCount[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) counts.push({ hourStartMs: Number(flat[index]) * 1000, count: Number(flat[index + 1]) });
  return counts.sort((a, b) => a.hourStartMs - b.hourStartMs);
}

/** A history entry as the scripts wrote it (JSON), validated. */
function parseChange(json: string): IssueChange {
  return issueChangeSchema.parse(JSON.parse(json));
}

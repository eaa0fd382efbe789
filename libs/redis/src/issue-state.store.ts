import type { Redis } from 'ioredis';
import { issueRecordSchema, type IssueRecord } from '@faultline/contracts';
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
}

export interface HourlyCount {
  /** Start of the hour, milliseconds since the epoch. */
  hourStartMs: number;
  count: number;
}

const HOUR_MS = 3_600_000;
/** Upper bound of one hourlyCounts read (one HMGET field per hour): 90 days. */
export const MAX_HOURLY_RANGE_HOURS = 24 * 90;
const COMMAND = 'faultlineRecordOccurrences';

type RecordOccurrencesReply = [string[], string[]];
type ScriptedPipeline = { [COMMAND](numKeys: number, ...keysAndArgs: (string | number)[]): unknown };

/**
 * Redis key layout. Every key of one issue carries the hash tag `{tenant:issueId}` so they share a
 * Redis Cluster slot and one Lua script can touch them all. Tag parts are URI-encoded, so a brace or
 * colon inside a tenant or issue id cannot end the tag early or make two issues collide.
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
}

function hourStartSec(timestampMs: number): number {
  return Math.floor(timestampMs / HOUR_MS) * 3600;
}

/**
 * The authoritative issue state: counts, first/last seen and version, envs, per-hour counters, and
 * the dedupe of redelivered occurrences. One Lua script per issue applies a batch atomically; the
 * whole batch goes out as one pipeline (one round trip).
 *
 * Exactly-once counting: an occurrence id is counted only the first time it is added to its seen
 * set. Ids are deterministic (tenant, trace id, span id) and a copy always has the same timestamp,
 * so every copy lands in the same hourly seen set; that set lives `dedupeWindowHours` after its last
 * addition, which bounds how late a redelivery may arrive and still be recognised.
 *
 * Redis Cluster later: each script call stays within one slot, but the pipeline spans slots, so a
 * cluster client must split the batch per node (ioredis Cluster pipelines require one slot).
 */
export class IssueStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: IssueStateKeys = new IssueStateKeys(),
  ) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: RECORD_OCCURRENCES_LUA });
  }

  /**
   * Records a batch and returns the state of every issue in it, in the order issues first appear in
   * `items`, including issues whose occurrences were all duplicates (so a caller that crashed after
   * this write but before projecting the state elsewhere re-projects it on redelivery). `revision`
   * increases only when something changed.
   */
  async recordOccurrences(items: readonly IssueOccurrence[], dedupeWindowHours: number): Promise<IssueRecord[]> {
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

    const pipeline = this.redis.pipeline();
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
          index = seenKeys.length + 3; // Lua KEYS is 1-based, after the issue, envs and hourly keys.
          seenIndex.set(hour, index);
        }
        return { id: item.occurrenceId, ts: String(item.timestampMs), version: item.version, env: item.env, seen: index, hour: String(hour) };
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
      const keys = [this.keys.issue(tenant, issueId), this.keys.envs(tenant, issueId), this.keys.hourly(tenant, issueId), ...seenKeys];
      (pipeline as unknown as ScriptedPipeline)[COMMAND](
        keys.length,
        ...keys,
        windowSeconds,
        JSON.stringify(staticFields),
        JSON.stringify(occurrences),
      );
    }

    const replies = await pipeline.exec();
    if (!replies) throw new Error('redis pipeline was discarded');
    const records: IssueRecord[] = [];
    for (const [error, reply] of replies) {
      if (error) throw error;
      const [hash, envs] = reply as RecordOccurrencesReply;
      // Every issue of the batch exists after the script unless all of its occurrences were
      // duplicates of ids whose issue hash has since been lost; there is no state to return then.
      if (hash.length > 0) records.push(toIssueRecord(hash, envs));
    }
    return records;
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
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
      throw new RangeError(`invalid range ${fromMs}..${toMs}`);
    }
    const hours: number[] = [];
    for (let hour = hourStartSec(fromMs); hour * 1000 < toMs; hour += 3600) {
      hours.push(hour);
      if (hours.length > MAX_HOURLY_RANGE_HOURS) throw new RangeError(`range exceeds ${MAX_HOURLY_RANGE_HOURS} hours`);
    }
    if (hours.length === 0) return [];
    const counts = await this.redis.hmget(this.keys.hourly(tenant, issueId), ...hours.map(String));
    return hours.map((hour, index) => ({ hourStartMs: hour * 1000, count: Number(counts[index] ?? 0) }));
  }
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
    revision: integer('revision'),
  });
}

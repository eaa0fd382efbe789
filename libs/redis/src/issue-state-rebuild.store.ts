import { randomUUID } from 'node:crypto';
import { execPerNode, keySlot, knowSlots, type KeyedCommand } from './exec-pipeline';
import { isRedisCluster, type Cluster, type RedisClient } from './redis.client';
import { issueRecordSchema, issueStatusSchema, type IssueRecord } from '@faultline/contracts';
import { IssueStateKeys, type HourlyCount } from './issue-state.store';

const REPLACE_COMMAND = 'faultlineReplaceIssueState';
/** SADD arguments per command when writing a large dedupe set. */
const SEEN_IDS_PER_COMMAND = 1000;
/** Commands per batch when writing dedupe sets (bounds the client's buffer). */
const SEEN_COMMANDS_PER_PIPELINE = 200;

/**
 * Lua for {@link IssueStateRebuildStore.replace}: writes one issue's rebuilt state, compare-and-set
 * on its revision. The rebuild read the revision before it read ClickHouse; the record script bumps
 * the revision whenever it counts something, and always after the occurrence rows are in
 * ClickHouse. So an unchanged revision means every occurrence counted so far was in what the rebuild
 * read; a changed one means the issue moved meanwhile (returns {0}), and the caller reads again.
 *
 * KEYS[1] issue hash, KEYS[2] envs set, KEYS[3] hourly counts hash, KEYS[4] value counts hash (IssueStateKeys)
 * ARGV[1] expected revision ('' = no issue hash)
 * ARGV[2] JSON object of the hash fields except `revision` (strings; null = absent field)
 * ARGV[3] JSON array of envs
 * ARGV[4] JSON array [hour start (epoch s), count, ...] (strings)
 * ARGV[5] lowest acceptable revision (above the projection's)
 * ARGV[6] JSON object of the value counts hash (trackedValueFields)
 *
 * The hash, envs, hourly and value counts are replaced; history, outbox and seen sets are left as they are.
 * The revision is Redis server time in microseconds, at least ARGV[5] and the previous one + 1 (the
 * rule of bumpRevision in issue-lua.shared.ts), so the re-projected row outranks every older one.
 * Returns {1, revision} or {0}.
 */
const REPLACE_ISSUE_STATE_LUA = `
local issueKey, envsKey, hourlyKey, valuesKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local current = redis.call('HGET', issueKey, 'revision')
if (current or '') ~= ARGV[1] then return { 0 } end
redis.call('DEL', issueKey, envsKey, hourlyKey, valuesKey)
for field, value in pairs(cjson.decode(ARGV[6])) do redis.call('HSET', valuesKey, field, value) end
for field, value in pairs(cjson.decode(ARGV[2])) do
  if type(value) == 'string' then redis.call('HSET', issueKey, field, value) end
end
for _, env in ipairs(cjson.decode(ARGV[3])) do redis.call('SADD', envsKey, env) end
local hourly = cjson.decode(ARGV[4])
for index = 1, #hourly, 2 do redis.call('HSET', hourlyKey, hourly[index], hourly[index + 1]) end
local now = redis.call('TIME')
local revision = math.max(tonumber(current or '0') + 1, tonumber(ARGV[5]), tonumber(now[1]) * 1000000 + tonumber(now[2]))
local text = string.format('%.0f', revision)
redis.call('HSET', issueKey, 'revision', text)
return { 1, text }
`;

/** Lua: deletes the lock only if it still holds `token` (KEYS[1] lock, ARGV[1] token). */
const RELEASE_LOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Lua: extends the lock only if it still holds `token` (ARGV[2] ttl ms); 1 when extended. */
const RENEW_LOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

type ReplaceCommand = { [REPLACE_COMMAND](numKeys: number, ...keysAndArgs: string[]): unknown };

/** What a rebuild needs to know of an issue hash that is still in Redis. */
export interface LiveIssueState {
  /** As stored (a decimal string): compared verbatim by {@link IssueStateRebuildStore.replace}. */
  revisionText: string;
  revision: number;
  status: IssueRecord['status'];
  regression: boolean;
  assignee: string | null;
  resolvedInVersion: string | null;
}

/** One issue's rebuilt state for {@link IssueStateRebuildStore.replace}. */
export interface IssueStateReplacement {
  record: Omit<IssueRecord, 'revision'>;
  /** Counters of the hours Redis keeps (older ones are left out). */
  hourlyCounts: readonly HourlyCount[];
  /** The value counts hash (trackedValueFields of the stored occurrences' tracked values). */
  valueFields: Readonly<Record<string, string>>;
  /** `revisionText` of the state the rebuild read, or null when there was no issue hash. */
  expectedRevision: string | null;
  /** The revision must be at least this (the projection's latest + 1). */
  minRevision: number;
}

/** The occurrence ids of one issue-hour's dedupe set. */
export interface SeenSet {
  tenant: string;
  issueId: string;
  hourStartMs: number;
  occurrenceIds: readonly string[];
}

/**
 * Redis writes of a rebuild of the issue state from ClickHouse (apps/aggregator counter-rebuild), in
 * the layout of {@link IssueStateKeys} that IssueStateStore and its scripts use.
 */
export class IssueStateRebuildStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: IssueStateKeys = new IssueStateKeys(),
  ) {
    if (!(REPLACE_COMMAND in redis)) redis.defineCommand(REPLACE_COMMAND, { lua: REPLACE_ISSUE_STATE_LUA });
  }

  /**
   * Redis server time in milliseconds (the clock the record script trims and expires by). On a
   * Cluster, the time of whichever node answers: the nodes' clocks are as close as NTP keeps them.
   */
  async serverTimeMs(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /** The surviving state of each issue (by issue id; absent when Redis has no hash), one pipeline (per node on a Cluster). */
  async liveStates(tenant: string, issueIds: readonly string[]): Promise<Map<string, LiveIssueState>> {
    const states = new Map<string, LiveIssueState>();
    if (issueIds.length === 0) return states;
    const replies = await execPerNode(
      this.redis,
      issueIds.map((issueId) => {
        const key = this.keys.issue(tenant, issueId);
        return [key, (pipeline) => pipeline.hmget(key, 'revision', 'status', 'regression', 'assignee', 'resolvedInVersion')];
      }),
    );
    issueIds.forEach((issueId, index) => {
      const [revision, status, regression, assignee, resolvedInVersion] = replies[index] as (string | null)[];
      if (revision === null) return;
      states.set(issueId, {
        revisionText: revision,
        revision: Number(revision),
        status: issueStatusSchema.parse(status),
        regression: regression === '1',
        assignee,
        resolvedInVersion,
      });
    });
    return states;
  }

  /**
   * Adds the ids to their hour's dedupe set and (re)sets its expiry to `ttlSeconds`, in batches
   * of bounded size (a pipeline each, per node on a Cluster). Adding is safe whatever happens
   * concurrently: every id is of a stored occurrence, so a record script finding it there has
   * nothing new to count.
   */
  async addSeen(sets: readonly SeenSet[], ttlSeconds: number): Promise<number> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttl must be a positive whole number of seconds, got ${ttlSeconds}`);
    let commands: KeyedCommand[] = [];
    let added = 0;
    const flush = async () => {
      if (commands.length === 0) return;
      await execPerNode(this.redis, commands);
      commands = [];
    };
    for (const { tenant, issueId, hourStartMs, occurrenceIds } of sets) {
      if (occurrenceIds.length === 0) continue;
      const key = this.keys.seen(tenant, issueId, Math.floor(hourStartMs / 1000));
      for (let start = 0; start < occurrenceIds.length; start += SEEN_IDS_PER_COMMAND) {
        const ids = occurrenceIds.slice(start, start + SEEN_IDS_PER_COMMAND);
        commands.push([key, (pipeline) => pipeline.sadd(key, ...ids)]);
        if (commands.length >= SEEN_COMMANDS_PER_PIPELINE) await flush();
      }
      commands.push([key, (pipeline) => pipeline.expire(key, ttlSeconds)]);
      added += occurrenceIds.length;
    }
    await flush();
    return added;
  }

  /**
   * Writes each issue's rebuilt state if its revision is still the expected one (one pipeline of one
   * script per issue; per node on a Cluster). Answers, in input order, the written record, or null
   * where the issue changed since its revision was read (read it again and retry).
   */
  async replace(replacements: readonly IssueStateReplacement[]): Promise<(IssueRecord | null)[]> {
    if (replacements.length === 0) return [];
    const commands: KeyedCommand[] = [];
    for (const { record, hourlyCounts, valueFields, expectedRevision, minRevision } of replacements) {
      const { tenant, issueId } = record;
      const fields = {
        tenant,
        issueId,
        fingerprint: record.fingerprint,
        fingerprintVersion: String(record.fingerprintVersion),
        service: record.service,
        env: record.env,
        errorType: record.errorType,
        errorMessage: record.errorMessage,
        messageTemplate: record.messageTemplate,
        culprit: record.culprit,
        status: record.status,
        count: String(record.count),
        firstSeenMs: String(record.firstSeenMs),
        lastSeenMs: String(record.lastSeenMs),
        firstVersion: record.firstVersion,
        lastVersion: record.lastVersion,
        // As the record script writes it: '1' or absent.
        regression: record.regression ? '1' : null,
        assignee: record.assignee,
        resolvedInVersion: record.resolvedInVersion,
      };
      const hourly = hourlyCounts.flatMap(({ hourStartMs, count }) => [String(Math.floor(hourStartMs / 1000)), String(count)]);
      const keys = [this.keys.issue(tenant, issueId), this.keys.envs(tenant, issueId), this.keys.hourly(tenant, issueId), this.keys.values(tenant, issueId)];
      const args = [
        expectedRevision ?? '',
        JSON.stringify(fields),
        JSON.stringify([...record.envs].sort()),
        JSON.stringify(hourly),
        String(Math.trunc(minRevision)),
        JSON.stringify(valueFields),
      ];
      commands.push([keys[0], (pipeline) => (pipeline as unknown as ReplaceCommand)[REPLACE_COMMAND](keys.length, ...keys, ...args)]);
    }
    const replies = await execPerNode(this.redis, commands);
    return replies.map((reply, index) => {
      const [written, revision] = reply as [number, string?];
      if (written !== 1) return null;
      return issueRecordSchema.parse({ ...replacements[index].record, envs: [...replacements[index].record.envs].sort(), revision: Number(revision) });
    });
  }
}

/**
 * Marker keys written on a Cluster, `<epoch>:{0}` .. `<epoch>:{63}`: their tags hash to 64 slots, so
 * each master serves some of them unless it holds very few slots (and so very few issues).
 */
const CLUSTER_MARKERS = 64;

/**
 * Keys outside any issue, under `<prefix>:meta:` (the prefix of IssueStateKeys, 'fl' by default):
 * - `epoch`: present while Redis holds the issue state. Written once the state is complete (after a
 *   rebuild, including the empty one of a new installation) and never expires, so its absence means
 *   Redis lost its data (restarted empty, flushed) and the counters must be rebuilt before counting.
 * - `rebuild-lock`: held, with an expiry, by the one process rebuilding; others wait for `epoch`.
 *
 * On a Redis Cluster, each master can lose its data alone (restarted empty without a replica to take
 * over), taking only its slots' issues with it, so one `epoch` key on one master would not notice.
 * There the marker is written as `epoch:{0}` .. `epoch:{63}` (spread over the masters) and the state
 * counts as marked only while every master still holds the marker of the first of those slots it
 * serves (one EXISTS per master, in parallel). When slots move (resharding), their marker keys move
 * with them, so the check still passes; a master serving none of the 64 marker slots finds no marker
 * and causes one rebuild, which is safe. A standalone server keeps the single `epoch` key, as before.
 */
export class IssueStateMeta {
  readonly epochKey: string;
  readonly lockKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix = 'fl',
  ) {
    this.epochKey = `${prefix}:meta:epoch`;
    this.lockKey = `${prefix}:meta:rebuild-lock`;
  }

  /** Whether the state is marked complete (one EXISTS; on a Cluster one per master, in parallel). */
  async stateMarked(): Promise<boolean> {
    if (!isRedisCluster(this.redis)) return (await this.redis.exists(this.epochKey)) === 1;
    await knowSlots(this.redis);
    const keys = this.markerKeyPerMaster(this.redis);
    const replies = await execPerNode(
      this.redis,
      keys.map((key) => [key, (pipeline) => pipeline.exists(key)]),
    );
    return keys.length > 0 && replies.every((exists) => exists === 1);
  }

  /** Marks the state complete; the value says when and by whom (for operators). */
  async markState(description: string): Promise<void> {
    if (!isRedisCluster(this.redis)) {
      await this.redis.set(this.epochKey, description);
      return;
    }
    await execPerNode(
      this.redis,
      this.clusterMarkerKeys().map((key) => [key, (pipeline) => pipeline.set(key, description)]),
    );
  }

  /** Removes the mark, as a loss of the data would (tests, and an operator forcing a rebuild). */
  async clearState(): Promise<void> {
    if (!isRedisCluster(this.redis)) {
      await this.redis.del(this.epochKey);
      return;
    }
    await execPerNode(
      this.redis,
      [this.epochKey, ...this.clusterMarkerKeys()].map((key) => [key, (pipeline) => pipeline.del(key)]),
    );
  }

  /** Takes the rebuild lock for `ttlMs`; the token to renew and release it, or null when held. */
  async acquireLock(ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await this.redis.set(this.lockKey, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
  }

  /** Extends the lock if `token` still holds it; false when it expired or someone else holds it. */
  async renewLock(token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_LOCK_LUA, 1, this.lockKey, token, String(ttlMs))) === 1;
  }

  async releaseLock(token: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK_LUA, 1, this.lockKey, token);
  }

  /** Whether anyone holds the lock. */
  async lockHeld(): Promise<boolean> {
    return (await this.redis.exists(this.lockKey)) === 1;
  }

  /** The Cluster marker keys, `<epoch>:{n}`. */
  clusterMarkerKeys(): string[] {
    return Array.from({ length: CLUSTER_MARKERS }, (_, index) => this.clusterMarkerKey(index));
  }

  private clusterMarkerKey(index: number): string {
    return `${this.epochKey}:{${index}}`;
  }

  /**
   * For each master in the client's slot map, the marker of the first of the 64 marker slots it
   * serves, or for a master serving none, the first further `<epoch>:{n}` it serves (never written,
   * so it reads as unmarked).
   */
  private markerKeyPerMaster(cluster: Cluster): string[] {
    const masters = new Set(cluster.slots.map((nodes) => nodes[0]).filter((node) => node !== undefined));
    const keyByMaster = new Map<string, string>();
    for (let index = 0; keyByMaster.size < masters.size && index < 16 * 16384; index++) {
      const key = this.clusterMarkerKey(index);
      const master = cluster.slots[keySlot(key)]?.[0];
      if (master !== undefined && !keyByMaster.has(master)) keyByMaster.set(master, key);
    }
    return [...keyByMaster.values()];
  }
}

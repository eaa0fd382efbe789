import { issueLua } from './issue-lua.shared';

/*
 * Lua for the manual workflow changes of {@link IssueStateStore}. Both scripts take
 * KEYS[1] issue hash, KEYS[2] env set, KEYS[3] history list (see record-occurrences.script.ts) and
 * return nil when the issue does not exist, else { issue hash as a flat list, env set members,
 * history entries appended by this call (JSON strings) }. A call that appends nothing leaves the
 * revision as it was.
 */

/**
 * ARGV[1] new status, ARGV[2] actor, ARGV[3] time of the change (ms, as a string).
 * Same status: no change at all. Otherwise the status is set, `regression` cleared (a person looked at
 * it), and `resolvedInVersion` set to the last seen version when resolving (absent when that is
 * unknown, so any later occurrence regresses) or cleared when leaving RESOLVED.
 */
export const UPDATE_ISSUE_STATUS_LUA = issueLua(`
local issueKey, envsKey, historyKey = KEYS[1], KEYS[2], KEYS[3]
local status, actor, atMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', issueKey) == 0 then return nil end

local changes = {}
local previous = redis.call('HGET', issueKey, 'status')
if previous ~= status then
  redis.call('HSET', issueKey, 'status', status)
  redis.call('HDEL', issueKey, 'regression')
  if status == 'RESOLVED' then
    setOrDelete(issueKey, 'resolvedInVersion', redis.call('HGET', issueKey, 'lastVersion'))
  else
    redis.call('HDEL', issueKey, 'resolvedInVersion')
  end
  appendHistory(historyKey, changes, atMs, actor, 'status_changed', previous, status, nil)
  bumpRevision(issueKey)
end
return { redis.call('HGETALL', issueKey), redis.call('SMEMBERS', envsKey), changes }
`);

/**
 * ARGV[1] JSON { assignee: string | null }, ARGV[2] actor, ARGV[3] time of the change (ms, as a string).
 * Always appends an `assigned` entry (from/to null, `assignee` the new one; null = unassigned). When
 * a person is assigned to a FOR_REVIEW issue it also moves to REVIEWED (a `status_changed` entry after
 * the `assigned` one; `regression` is cleared as for any manual status change).
 */
export const ASSIGN_ISSUE_LUA = issueLua(`
local issueKey, envsKey, historyKey = KEYS[1], KEYS[2], KEYS[3]
local assignee, actor, atMs = cjson.decode(ARGV[1]).assignee, ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', issueKey) == 0 then return nil end

local changes = {}
setOrDelete(issueKey, 'assignee', assignee)
appendHistory(historyKey, changes, atMs, actor, 'assigned', nil, nil, assignee)
local status = redis.call('HGET', issueKey, 'status')
if status == 'FOR_REVIEW' and type(assignee) == 'string' then
  redis.call('HSET', issueKey, 'status', 'REVIEWED')
  redis.call('HDEL', issueKey, 'regression')
  appendHistory(historyKey, changes, atMs, actor, 'status_changed', 'FOR_REVIEW', 'REVIEWED', nil)
end
bumpRevision(issueKey)
return { redis.call('HGETALL', issueKey), redis.call('SMEMBERS', envsKey), changes }
`);

/**
 * Compare-and-set resolve by the system (auto-resolve). KEYS[1] issue hash, KEYS[2] env set,
 * KEYS[3] history list, KEYS[4] outbox list (see record-occurrences.script.ts).
 * ARGV[1] expected lastSeenMs, ARGV[2] expected count, ARGV[3] reason, ARGV[4] time of the change (ms).
 *
 * Resolves only when the issue is FOR_REVIEW or REVIEWED and its lastSeenMs and count are still the
 * ones the decision was made on (a projection read moments earlier): an occurrence recorded since,
 * even a late one older than the last seen, makes it refuse. Then as a manual resolve: status
 * RESOLVED, `regression` cleared, `resolvedInVersion` = last seen version (absent when unknown), a
 * `status_changed` entry by `system` with the reason, the revision bumped. The entry also goes to
 * the outbox, so an event the caller failed to publish goes out with the issue's next recorded batch.
 * Returns nil when refused (or the issue does not exist), else { issue hash as a flat list, env set
 * members, { the history entry (JSON) } }.
 */
export const AUTO_RESOLVE_ISSUE_LUA = issueLua(`
local issueKey, envsKey, historyKey, outboxKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local expectedLastSeen, expectedCount, reason, atMs = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local state = redis.call('HMGET', issueKey, 'status', 'lastSeenMs', 'count', 'lastVersion')
local status = state[1]
if status ~= 'FOR_REVIEW' and status ~= 'REVIEWED' then return nil end
if tonumber(state[2]) ~= expectedLastSeen or tonumber(state[3] or '0') ~= expectedCount then return nil end

redis.call('HSET', issueKey, 'status', 'RESOLVED')
redis.call('HDEL', issueKey, 'regression')
setOrDelete(issueKey, 'resolvedInVersion', state[4])
local entry = cjson.encode({
  atMs = atMs, actor = 'system', action = 'status_changed',
  from = status, to = 'RESOLVED', assignee = cjson.null, reason = reason,
})
redis.call('RPUSH', historyKey, entry)
redis.call('LTRIM', historyKey, -HISTORY_LIMIT, -1)
redis.call('RPUSH', outboxKey, entry)
redis.call('LTRIM', outboxKey, -HISTORY_LIMIT, -1)
bumpRevision(issueKey)
return { redis.call('HGETALL', issueKey), redis.call('SMEMBERS', envsKey), { entry } }
`);

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

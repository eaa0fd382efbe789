import { issueLua } from './issue-lua.shared';

/**
 * Lua for {@link IssueStateStore.recordOccurrences}: applies one batch of one issue's occurrences
 * atomically. Kept as a string constant (not a .lua file) so compiled code needs no asset lookup.
 *
 * KEYS[1]   issue hash: static fields (set once, when the issue is created) and the running state
 *           (count, firstSeenMs/firstVersion, lastSeenMs/lastVersion, status, regression ('1' or
 *           absent), assignee, resolvedInVersion, revision). A null value is an absent field.
 * KEYS[2]   set of every env the issue was seen in
 * KEYS[3]   hourly counts hash: field = epoch second of the hour start, value = new occurrences
 * KEYS[4]   history list: IssueChange JSON, oldest first, capped
 * KEYS[5]   outbox list: the entries of KEYS[4] this script appended that are not yet acknowledged as
 *           published to `issue-events` (see IssueStateStore.acknowledgePublished)
 * KEYS[6]   value counts hash: field = key NUL value (the tracked keys of @faultline/domain), value =
 *           occurrences; field `#` NUL key = distinct values of that key, at most MAX_VALUES (later
 *           values are counted under key NUL NUL, "other")
 * KEYS[7..] seen-id sets, one per hour of occurrence timestamp, expiring after the dedupe window
 *
 * ARGV[1]   dedupe window in seconds
 * ARGV[4]   hourly counts retention in seconds: when an hour field is created, fields of hours that
 *           ended more than this long ago (server time) are deleted, so the hash stays bounded
 * ARGV[2]   JSON object of the static fields, written only if the issue does not exist yet
 * ARGV[3]   JSON array of occurrences: { id, ts (ms, as a string), version, env, seen (index into
 *           KEYS of its seen set), hour (hourly field), values (flat [key, value, ...] of its tracked values) }
 *
 * Workflow, applied only when at least one occurrence is new (a redelivery changes nothing):
 * - creation appends a `created` history entry (FOR_REVIEW);
 * - a RESOLVED issue with a new occurrence for which isRegression(resolvedInVersion, version) holds
 *   goes back to FOR_REVIEW with regression = '1', resolvedInVersion cleared and a `regressed`
 *   entry. IGNORED issues keep counting and never regress.
 * History times are Redis server time in milliseconds.
 *
 * `revision` is Redis server time in microseconds, at least the previous revision + 1.
 *
 * Timestamps travel as strings and are stored as received: Lua numbers are doubles, exact for
 * millisecond epochs, but tostring() would print them in exponent form.
 *
 * Returns { issue hash as a flat field/value list, env set members, 1 if created by this call else 0,
 * history entries appended by this call (JSON strings), the outbox (JSON strings, oldest first), the
 * absolute counts of the hours of the batch's occurrences (flat hour, count list) } for the
 * state after the batch, also when every occurrence was a duplicate (the caller re-projects that state).
 */
export const RECORD_OCCURRENCES_LUA = issueLua(`
local issueKey, envsKey, hourlyKey, historyKey, outboxKey, valuesKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local maxValues = tonumber(ARGV[5])

-- Counts one occurrence under its value of a tracked key, or under "other" once the key has maxValues values.
local function countValue(key, value)
  local field = key .. '\\0' .. value
  if redis.call('HEXISTS', valuesKey, field) == 0 then
    if tonumber(redis.call('HGET', valuesKey, '#\\0' .. key) or '0') >= maxValues then
      field = key .. '\\0\\0'
    else
      redis.call('HINCRBY', valuesKey, '#\\0' .. key, 1)
    end
  end
  redis.call('HINCRBY', valuesKey, field, 1)
end
local window = tonumber(ARGV[1])
local static = cjson.decode(ARGV[2])
local occurrences = cjson.decode(ARGV[3])
local hourlyRetention = tonumber(ARGV[4])

local state = redis.call('HMGET', issueKey, 'firstSeenMs', 'firstVersion', 'lastSeenMs', 'lastVersion', 'status', 'resolvedInVersion')
local firstSeen, firstVersion, lastSeen, lastVersion = state[1], state[2], state[3], state[4]
local status, resolvedInVersion = state[5], state[6]
local boundsChanged = false
local regressed = false
local added = 0
local touchedSeenKeys = {}
local batchHours = {}
local newHourField = false

for _, occurrence in ipairs(occurrences) do
  batchHours[occurrence.hour] = true
  local seenKey = KEYS[occurrence.seen]
  if redis.call('SADD', seenKey, occurrence.id) == 1 then
    added = added + 1
    touchedSeenKeys[seenKey] = true
    if redis.call('HINCRBY', hourlyKey, occurrence.hour, 1) == 1 then newHourField = true end
    local values = occurrence.values
    for index = 1, #values, 2 do countValue(values[index], values[index + 1]) end
    if type(occurrence.env) == 'string' then
      redis.call('SADD', envsKey, occurrence.env)
    end
    local ts = tonumber(occurrence.ts)
    if not firstSeen or ts < tonumber(firstSeen) then
      firstSeen, firstVersion, boundsChanged = occurrence.ts, occurrence.version, true
    end
    if not lastSeen or ts > tonumber(lastSeen) then
      lastSeen, lastVersion, boundsChanged = occurrence.ts, occurrence.version, true
    end
    if status == 'RESOLVED' and isRegression(resolvedInVersion, occurrence.version) then
      regressed = true
    end
  end
end

for seenKey in pairs(touchedSeenKeys) do
  redis.call('EXPIRE', seenKey, window)
end

-- Trimming scans the hash, so it runs only when an hour was added (once per issue per hour).
if newHourField then
  local cutoff = tonumber(redis.call('TIME')[1]) - hourlyRetention - 3600
  for _, field in ipairs(redis.call('HKEYS', hourlyKey)) do
    if tonumber(field) < cutoff then redis.call('HDEL', hourlyKey, field) end
  end
end

-- Every hour of the batch, also when nothing in it was new: a redelivery after a crash between this
-- script and the ClickHouse write of these counts writes them then.
local hourCounts = {}
for hour in pairs(batchHours) do
  local count = redis.call('HGET', hourlyKey, hour)
  if count then
    hourCounts[#hourCounts + 1] = hour
    hourCounts[#hourCounts + 1] = count
  end
end

local created = 0
local changes = {}
if added > 0 then
  if redis.call('EXISTS', issueKey) == 0 then
    created = 1
    for field, value in pairs(static) do
      if type(value) == 'string' then
        redis.call('HSET', issueKey, field, value)
      end
    end
    appendHistory(historyKey, changes, serverTimeMs(), 'system', 'created', nil, static.status, nil)
  end
  if boundsChanged then
    redis.call('HSET', issueKey, 'firstSeenMs', firstSeen, 'lastSeenMs', lastSeen)
    setOrDelete(issueKey, 'firstVersion', firstVersion)
    setOrDelete(issueKey, 'lastVersion', lastVersion)
  end
  redis.call('HINCRBY', issueKey, 'count', added)
  if regressed then
    redis.call('HSET', issueKey, 'status', 'FOR_REVIEW', 'regression', '1')
    redis.call('HDEL', issueKey, 'resolvedInVersion')
    appendHistory(historyKey, changes, serverTimeMs(), 'system', 'regressed', 'RESOLVED', 'FOR_REVIEW', nil)
  end
  bumpRevision(issueKey)
  for _, entry in ipairs(changes) do
    redis.call('RPUSH', outboxKey, entry)
  end
  redis.call('LTRIM', outboxKey, -HISTORY_LIMIT, -1)
end

return { redis.call('HGETALL', issueKey), redis.call('SMEMBERS', envsKey), created, changes, redis.call('LRANGE', outboxKey, 0, -1), hourCounts }
`);

/**
 * Lua for {@link IssueStateStore.recordOccurrences}: applies one batch of one issue's occurrences
 * atomically. Kept as a string constant (not a .lua file) so compiled code needs no asset lookup.
 *
 * KEYS[1]   issue hash: static fields (set once, when the issue is created) and the running state
 *           (count, firstSeenMs/firstVersion, lastSeenMs/lastVersion, revision). A null value is
 *           an absent field.
 * KEYS[2]   set of every env the issue was seen in
 * KEYS[3]   hourly counts hash: field = epoch second of the hour start, value = new occurrences
 * KEYS[4..] seen-id sets, one per hour of occurrence timestamp, expiring after the dedupe window
 *
 * ARGV[1]   dedupe window in seconds
 * ARGV[2]   JSON object of the static fields, written only if the issue does not exist yet
 * ARGV[3]   JSON array of occurrences: { id, ts (ms, as a string), version, env, seen (index into
 *           KEYS of its seen set), hour (hourly field) }
 *
 * `revision` is Redis server time in microseconds, at least the previous revision + 1 (see below).
 *
 * Timestamps travel as strings and are stored as received: Lua numbers are doubles, exact for
 * millisecond epochs, but tostring() would print them in exponent form.
 *
 * Returns { issue hash as a flat field/value list, env set members } for the state after the
 * batch, also when every occurrence was a duplicate (the caller re-projects that state).
 */
export const RECORD_OCCURRENCES_LUA = `
local issueKey, envsKey, hourlyKey = KEYS[1], KEYS[2], KEYS[3]
local window = tonumber(ARGV[1])
local static = cjson.decode(ARGV[2])
local occurrences = cjson.decode(ARGV[3])

-- A version is null in JSON (cjson.null) or absent in the hash (false from HMGET): both mean no field.
local function setOrDelete(key, field, value)
  if type(value) == 'string' then
    redis.call('HSET', key, field, value)
  else
    redis.call('HDEL', key, field)
  end
end

local state = redis.call('HMGET', issueKey, 'firstSeenMs', 'firstVersion', 'lastSeenMs', 'lastVersion')
local firstSeen, firstVersion, lastSeen, lastVersion = state[1], state[2], state[3], state[4]
local boundsChanged = false
local added = 0
local touchedSeenKeys = {}

for _, occurrence in ipairs(occurrences) do
  local seenKey = KEYS[occurrence.seen]
  if redis.call('SADD', seenKey, occurrence.id) == 1 then
    added = added + 1
    touchedSeenKeys[seenKey] = true
    redis.call('HINCRBY', hourlyKey, occurrence.hour, 1)
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
  end
end

for seenKey in pairs(touchedSeenKeys) do
  redis.call('EXPIRE', seenKey, window)
end

if added > 0 then
  if redis.call('EXISTS', issueKey) == 0 then
    for field, value in pairs(static) do
      if type(value) == 'string' then
        redis.call('HSET', issueKey, field, value)
      end
    end
  end
  if boundsChanged then
    redis.call('HSET', issueKey, 'firstSeenMs', firstSeen, 'lastSeenMs', lastSeen)
    setOrDelete(issueKey, 'firstVersion', firstVersion)
    setOrDelete(issueKey, 'lastVersion', lastVersion)
  end
  redis.call('HINCRBY', issueKey, 'count', added)
  -- Revisions order the ClickHouse projection rows. Server time in microseconds (never below the
  -- previous revision + 1) keeps them increasing even after Redis lost the issue: an issue re-created
  -- from scratch must not be outranked by the rows it wrote before the loss.
  local now = redis.call('TIME')
  local previous = tonumber(redis.call('HGET', issueKey, 'revision') or '0')
  local revision = math.max(previous + 1, tonumber(now[1]) * 1000000 + tonumber(now[2]))
  redis.call('HSET', issueKey, 'revision', string.format('%.0f', revision))
end

return { redis.call('HGETALL', issueKey), redis.call('SMEMBERS', envsKey) }
`;

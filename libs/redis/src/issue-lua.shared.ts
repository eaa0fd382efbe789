/**
 * Lua shared by the issue scripts (prepended to each script body, so every script stays one EVALSHA).
 *
 * VERSION_ORDER_LUA is the twin of `compareVersions`/`isRegression` in @faultline/domain
 * (libs/domain/src/issue/compare-versions.ts): same segments, same ranks, same results on the
 * domain's VERSION_ORDER_CASES table (see issue-state.store.integration-spec.ts). Strings compare
 * byte by byte rather than with Lua's `<`, which uses the server's collation locale (Redis calls
 * setlocale(LC_COLLATE, "")); UTF-8 byte order is the code point order the TypeScript side uses.
 */
export const VERSION_ORDER_LUA = `
local function versionSegments(version)
  local first = string.sub(version, 1, 1)
  if first == 'v' or first == 'V' then version = string.sub(version, 2) end
  local segments = {}
  for segment in string.gmatch(version, '[^%.%-%+_]+') do segments[#segments + 1] = segment end
  return segments
end

local function compareBytes(a, b)
  local length = math.min(#a, #b)
  for index = 1, length do
    local x, y = string.byte(a, index), string.byte(b, index)
    if x ~= y then return x < y and -1 or 1 end
  end
  if #a == #b then return 0 end
  return #a < #b and -1 or 1
end

local function compareDigits(a, b)
  local x = string.gsub(a, '^0+', '')
  local y = string.gsub(b, '^0+', '')
  if #x ~= #y then return #x < #y and -1 or 1 end
  return compareBytes(x, y)
end

-- A label (non-numeric) segment < no segment < a numeric segment.
local function segmentRank(segment)
  if segment == nil then return 1 end
  if string.match(segment, '^[0-9]+$') then return 2 end
  return 0
end

local function compareVersions(a, b)
  local left, right = versionSegments(a), versionSegments(b)
  for index = 1, math.max(#left, #right) do
    local x, y = left[index], right[index]
    local rankX, rankY = segmentRank(x), segmentRank(y)
    if rankX ~= rankY then return rankX < rankY and -1 or 1 end
    local order
    if rankX == 2 then order = compareDigits(x, y) else order = compareBytes(x, y) end
    if order ~= 0 then return order end
  end
  return 0
end

-- A version is a string, or null as cjson.null (JSON) or false (absent hash field).
local function isRegression(resolvedInVersion, occurrenceVersion)
  if type(resolvedInVersion) ~= 'string' or type(occurrenceVersion) ~= 'string' then return true end
  return compareVersions(occurrenceVersion, resolvedInVersion) > 0
end
`;

/**
 * Helpers for writing issue state: nullable hash fields, the revision rule and the history list.
 * HISTORY_LIMIT is substituted (everywhere in a script) by {@link issueLua}.
 */
const ISSUE_STATE_LUA = `
local function setOrDelete(key, field, value)
  if type(value) == 'string' then
    redis.call('HSET', key, field, value)
  else
    redis.call('HDEL', key, field)
  end
end

local function nullable(value)
  if type(value) == 'string' then return value end
  return cjson.null
end

-- Revisions order the ClickHouse projection rows. Server time in microseconds (never below the
-- previous revision + 1) keeps them increasing even after Redis lost the issue: an issue re-created
-- from scratch must not be outranked by the rows it wrote before the loss.
local function bumpRevision(issueKey)
  local now = redis.call('TIME')
  local previous = tonumber(redis.call('HGET', issueKey, 'revision') or '0')
  local revision = math.max(previous + 1, tonumber(now[1]) * 1000000 + tonumber(now[2]))
  redis.call('HSET', issueKey, 'revision', string.format('%.0f', revision))
end

local function serverTimeMs()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
end

-- Appends one IssueChange (JSON) to the capped history list and to the script's reply.
local function appendHistory(historyKey, changes, atMs, actor, action, from, to, assignee)
  local entry = cjson.encode({
    atMs = atMs, actor = actor, action = action,
    from = nullable(from), to = nullable(to), assignee = nullable(assignee),
  })
  redis.call('RPUSH', historyKey, entry)
  redis.call('LTRIM', historyKey, -HISTORY_LIMIT, -1)
  changes[#changes + 1] = entry
end
`;

/** Entries kept per issue history (the oldest are dropped). */
export const ISSUE_HISTORY_LIMIT = 200;

/** A script body with the shared helpers in front. */
export function issueLua(body: string): string {
  return (VERSION_ORDER_LUA + ISSUE_STATE_LUA + body).split('HISTORY_LIMIT').join(String(ISSUE_HISTORY_LIMIT));
}

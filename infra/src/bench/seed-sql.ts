import { raw, sql, type SqlFragment } from '@faultline/clickhouse';
import { DEFAULT_TENANT } from '@faultline/contracts';

/**
 * The statements of the explorer seed, for ClickHouse 18.16 and later (no query parameters, no
 * DateTime64, no toStartOfInterval; values only through the `sql` tag).
 *
 * Occurrences are generated inside ClickHouse, `INSERT ... SELECT ... FROM numbers(n)`: occurrence n
 * belongs to catalog issue `idx`, drawn from a Zipf-Mandelbrot law (count ∝ (idx + 1 + Q)^-S), so a
 * few issues have hundreds of thousands of occurrences and the long tail a handful. Every other
 * value is a deterministic hash of n (cityHash64, intHash64, MD5), so a re-run writes the same rows.
 * `issue_hourly_counts` and `issues` are then derived from `occurrences` with GROUP BY, as the
 * aggregator's counts would be.
 */

/** The catalog lives in a scratch database of its own, dropped after the seed. */
export const SEED_DATABASE = 'faultline_bench_seed';
export const CATALOG_TABLE = `${SEED_DATABASE}.catalog`;

const Q = 10;
const S = 1.8;
const TWO_POW_64 = '18446744073709551616.0';

export function createCatalogTable(): SqlFragment[] {
  return [
    raw(`CREATE DATABASE IF NOT EXISTS ${SEED_DATABASE}`),
    raw(`DROP TABLE IF EXISTS ${CATALOG_TABLE}`),
    raw(`CREATE TABLE ${CATALOG_TABLE} (
      idx UInt32, issue_id String, fingerprint String, fingerprint_version UInt32, service_idx UInt32, service String,
      error_type String, error_message String, message_template String, stack String, frames String, culprit Nullable(String),
      language String, language_version String, component String, routes Array(String), methods Array(String), status_code String,
      major UInt32, minor_base UInt32, deploy_every_ms UInt64, replicas UInt32, start_ms UInt64, end_ms UInt64, spike_share Float64,
      status String, regression UInt8, actor String
    ) ENGINE = Memory`),
  ];
}

export function dropSeedDatabase(): SqlFragment {
  return raw(`DROP DATABASE IF EXISTS ${SEED_DATABASE}`);
}

export interface OccurrenceChunk {
  database: string;
  /** First occurrence number and how many. */
  offset: number;
  count: number;
  issueCount: number;
  nowMs: number;
  windowStartMs: number;
}

/**
 * One chunk of occurrences. The column list is that of OCCURRENCE_COLUMNS (occurrence-row.ts); the
 * values are what toOccurrenceRow would write for such a span: ids as the domain computes them
 * (occurrence id = sha256 of the JSON array ["occurrence", tenant, traceId, spanId], first 32 hex),
 * tags with sorted keys, trace ids as Datadog sends them (64-bit decimal, 128-bit hex with the
 * start second in the upper half as `_dd.p.tid` carries it).
 */
export function insertOccurrences(chunk: OccurrenceChunk): SqlFragment {
  const table = raw(`${chunk.database}.occurrences`);
  const a = Math.pow(Q + 1, 1 - S);
  const b = Math.pow(Q + 1 + chunk.issueCount, 1 - S);
  const u = (salt: number) => raw(`(cityHash64(n, ${salt}) / ${TWO_POW_64})`);
  return sql`
INSERT INTO ${table} (tenant, issue_id, occurrence_id, fingerprint, fingerprint_version, timestamp_ms, received_at_ms,
  service, env, version, host, container, resource, trace_id, trace_id_hex, span_id, error_type, error_message,
  message_template, stack, frames, culprit, tags.key, tags.value)
SELECT
  ${DEFAULT_TENANT}, issue_id,
  substring(lower(hex(SHA256(concat('["occurrence",', ${JSON.stringify(DEFAULT_TENANT)}, ',"', trace_id, '","', span_id, '"]')))), 1, 32),
  fingerprint, fingerprint_version, ts, ts + 150 + cityHash64(n, 8) % 2500,
  service, env, version, host, container, concat(method, ' ', route), trace_id, trace_id_hex, span_id,
  error_type, error_message, message_template, stack, frames, culprit,
  ['component', 'http.method', 'http.route', 'http.status_code', 'language', 'language.version', 'span.kind'],
  [component, method, route, status_code, language, language_version, 'server']
FROM
(
  SELECT
    n, issue_id, fingerprint, fingerprint_version, service, error_type, error_message, message_template, stack, frames, culprit,
    component, language, language_version, status_code,
    if(${u(3)} < spike_share,
      toUInt64(${chunk.nowMs} - 1 - toUInt64(floor(${u(2)} * least(3600000, ${chunk.nowMs} - start_ms)))),
      toUInt64(start_ms + toUInt64(floor(${u(2)} * (end_ms - start_ms))))) AS ts,
    cityHash64(n, 4) % 100 AS env_roll,
    multiIf(env_roll < 86, 'production', env_roll < 95, 'staging', env_roll < 99, 'canary', 'development') AS env,
    -- Deploys every deploy_every_ms, staggered per service; staging and canary run the next version.
    intDiv(ts - ${chunk.windowStartMs} + service_idx * 7919 * 60000, deploy_every_ms) + if(env_roll >= 86 AND env_roll < 99, 1, 0) AS deploy,
    concat(toString(major), '.', toString(minor_base + intDiv(deploy, 4)), '.', toString(deploy % 4)) AS version,
    cityHash64(n, 5) % replicas AS replica,
    cityHash64(service, deploy, replica) % 40 AS node,
    concat('ip-10-0-', toString(16 + intDiv(node, 10) * 16), '-', toString(3 + node * 37 % 250), '.ec2.internal') AS host,
    concat(lower(hex(MD5(concat(service, '/', toString(deploy), '/', toString(replica))))),
           lower(hex(MD5(concat(toString(replica), '/', toString(deploy), '/', service))))) AS container,
    cityHash64(n, 6) % 100 AS route_roll,
    if(route_roll < 80, 1, 2 + route_roll % (length(routes) - 1)) AS route_index,
    routes[route_index] AS route,
    methods[route_index] AS method,
    substring(lower(hex(MD5(concat('trace/', toString(n))))), 1, 16) AS trace_low_hex,
    toString(reinterpretAsUInt64(reverse(unhex(trace_low_hex)))) AS trace_id,
    concat(lower(hex(toUInt32(intDiv(ts, 1000)))), '00000000', trace_low_hex) AS trace_id_hex,
    toString(cityHash64(n, 7)) AS span_id
  FROM
  (
    SELECT
      number + ${chunk.offset} AS n,
      -- The first occurrences give every catalog issue one, so all of them exist.
      toUInt32(if(n < ${chunk.issueCount}, n, toUInt64(least(${chunk.issueCount - 1},
        floor(pow(${a} - (intHash64(n) / ${raw(TWO_POW_64)}) * ${a - b}, ${1 / (1 - S)})) - ${Q + 1})))) AS idx
    FROM numbers(${chunk.count})
  )
  ANY INNER JOIN ${raw(CATALOG_TABLE)} USING idx
)`;
}

/** Absolute occurrences per issue per UTC hour, as the aggregator writes them (migrations/0007). */
export function insertHourlyCounts(database: string): SqlFragment {
  return sql`
INSERT INTO ${raw(`${database}.issue_hourly_counts`)} (tenant, issue_id, hour_start_ms, count)
SELECT tenant, issue_id, intDiv(timestamp_ms, 3600000) * 3600000 AS hour_start_ms, count() AS count
FROM ${raw(`${database}.occurrences`)}
WHERE tenant = ${DEFAULT_TENANT}
GROUP BY tenant, issue_id, hour_start_ms`;
}

/**
 * One `issues` row per issue from its occurrences (first occurrence's env and version, last
 * occurrence's version, every env), plus the triage state the catalog gives it. `revision` is the
 * one the Redis hash gets too.
 */
export function insertIssues(database: string, revision: number): SqlFragment {
  return sql`
INSERT INTO ${raw(`${database}.issues`)} (tenant, issue_id, fingerprint, fingerprint_version, service, env, envs, error_type,
  error_message, message_template, culprit, status, occurrence_count, first_seen_ms, last_seen_ms, first_version, last_version,
  regression, assignee, resolved_in_version, revision)
SELECT tenant, issue_id, fingerprint, fingerprint_version, service, first_env, envs, error_type, error_message, message_template,
  culprit, status, occurrence_count, first_seen_ms, last_seen_ms, first_version, last_version, regression,
  CAST(NULL AS Nullable(String)), if(status = 'RESOLVED', last_version, CAST(NULL AS Nullable(String))), ${revision}
FROM
(
  SELECT tenant, issue_id, any(fingerprint) AS fingerprint, any(fingerprint_version) AS fingerprint_version,
    any(toString(service)) AS service, argMin(toNullable(toString(assumeNotNull(env))), timestamp_ms) AS first_env,
    arraySort(groupUniqArray(toString(assumeNotNull(env)))) AS envs,
    any(toString(error_type)) AS error_type, any(error_message) AS error_message, any(message_template) AS message_template,
    any(culprit) AS culprit, count() AS occurrence_count, min(timestamp_ms) AS first_seen_ms, max(timestamp_ms) AS last_seen_ms,
    argMin(toNullable(toString(assumeNotNull(version))), timestamp_ms) AS first_version,
    argMax(toNullable(toString(assumeNotNull(version))), timestamp_ms) AS last_version
  FROM ${raw(`${database}.occurrences`)}
  WHERE tenant = ${DEFAULT_TENANT}
  GROUP BY tenant, issue_id
)
ANY INNER JOIN (SELECT issue_id, status, regression FROM ${raw(CATALOG_TABLE)}) USING issue_id`;
}

import { joinSql, raw, sql, type SqlFragment } from './sql';

/**
 * The names the explorer uses for an occurrence's values (tag distributions, facets, `key:value`
 * filters), resolved to SQL over the `occurrences` table. Each expression yields '' when the
 * occurrence has no value, so callers treat '' as "absent".
 *
 * - columns: service, env, version, host, container, resource;
 * - `runtime`: the OpenTelemetry `process.runtime.name`/`version` attributes, else Datadog's
 *   `language`/`language.version` tags (from the tracer's request headers), e.g. `nodejs v20.19.0`;
 * - anything else: the span tag of that name (`http.route`, `http.status_code`, user tags).
 */
const COLUMN_KEYS: Record<string, string> = {
  service: 'service',
  env: "ifNull(env, '')",
  version: "ifNull(version, '')",
  host: "ifNull(host, '')",
  container: "ifNull(container, '')",
  resource: 'resource',
};

/** Longest key accepted; span tag keys are short in practice. */
export const MAX_OCCURRENCE_KEY_LENGTH = 200;

export class InvalidOccurrenceKeyError extends Error {
  constructor(readonly key: string) {
    super(`invalid key ${JSON.stringify(key.slice(0, 50))}: 1 to ${MAX_OCCURRENCE_KEY_LENGTH} characters`);
    this.name = 'InvalidOccurrenceKeyError';
  }
}

/** The span tag `key` of an occurrence ('' when absent): arrayElement with index 0 is the default value. */
export function tagValue(key: string): SqlFragment {
  return sql`tags.value[indexOf(tags.key, ${key})]`;
}

function withVersion(name: SqlFragment, version: SqlFragment): SqlFragment {
  return sql`if(${version} = '', ${name}, concat(${name}, ' ', ${version}))`;
}

const RUNTIME = sql`if(${tagValue('process.runtime.name')} != '',
  ${withVersion(tagValue('process.runtime.name'), tagValue('process.runtime.version'))},
  if(${tagValue('language')} != '', ${withVersion(tagValue('language'), tagValue('language.version'))}, ''))`;

/** SQL for the value of `key` on one `occurrences` row ('' when absent). */
export function occurrenceValue(key: string): SqlFragment {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_OCCURRENCE_KEY_LENGTH) throw new InvalidOccurrenceKeyError(String(key));
  const column = COLUMN_KEYS[key];
  if (column) return raw(column);
  if (key === 'runtime') return RUNTIME;
  return tagValue(key);
}

/** Conditions on single occurrences; every given one must hold. */
export interface OccurrenceConditions {
  env?: string;
  version?: string;
  host?: string;
  /** Inclusive, milliseconds since the epoch. */
  fromMs?: number;
  /** Exclusive. */
  toMs?: number;
  /** Each key (as {@link occurrenceValue} names it) must have exactly this value. */
  tags?: readonly { key: string; value: string }[];
}

/**
 * The WHERE terms for `conditions` (without the tenant/issue scope). A time bound also bounds the
 * partition key's day, so ClickHouse prunes whole days before reading.
 */
export function occurrenceConditionTerms(conditions: OccurrenceConditions): SqlFragment[] {
  const terms: SqlFragment[] = [];
  if (conditions.env !== undefined) terms.push(sql`env = ${conditions.env}`);
  if (conditions.version !== undefined) terms.push(sql`version = ${conditions.version}`);
  if (conditions.host !== undefined) terms.push(sql`host = ${conditions.host}`);
  if (conditions.fromMs !== undefined) {
    terms.push(sql`timestamp_ms >= ${conditions.fromMs}`);
    if (prunesDays(conditions.fromMs)) terms.push(sql`toDate(timestamp) >= toDate(toDateTime(${Math.floor(conditions.fromMs / 1000)}, 'UTC'))`);
  }
  if (conditions.toMs !== undefined) {
    terms.push(sql`timestamp_ms < ${conditions.toMs}`);
    if (prunesDays(conditions.toMs)) terms.push(sql`toDate(timestamp) <= toDate(toDateTime(${Math.floor(conditions.toMs / 1000)}, 'UTC'))`);
  }
  for (const { key, value } of conditions.tags ?? []) terms.push(sql`${occurrenceValue(key)} = ${value}`);
  return terms;
}

/**
 * 2100-01-01 UTC. 18.16's toDateTime/toDate wrap outside [1970, ~2105] (a bound in year 2200 became a
 * day in 1990 and pruned every real row), so a day term is only added for bounds inside this range;
 * the exact `timestamp_ms` term alone is correct, the day term only saves reading.
 */
const DAY_PRUNING_END_MS = 4_102_444_800_000;

function prunesDays(ms: number): boolean {
  return ms >= 0 && ms < DAY_PRUNING_END_MS;
}

/** `terms` joined with AND, or `1` when there are none. */
export function allOf(terms: readonly SqlFragment[]): SqlFragment {
  return terms.length > 0 ? joinSql([...terms], ' AND ') : raw('1');
}

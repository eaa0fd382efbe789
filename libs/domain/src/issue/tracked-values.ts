/**
 * The keys whose value counts the aggregator keeps per issue in Redis (exact: counted with the
 * occurrence, once), so Issue.tagDistribution for them is a hash read instead of a scan of the
 * issue's occurrences. Other keys are counted from ClickHouse on demand.
 */
export const TRACKED_VALUE_KEYS = ['service', 'env', 'version', 'host', 'container', 'resource', 'runtime', 'http.route', 'http.status_code', 'http.method'] as const;
export type TrackedValueKey = (typeof TRACKED_VALUE_KEYS)[number];

/** Distinct values kept per issue and key; further values are counted together as "other". */
export const MAX_TRACKED_VALUES_PER_KEY = 200;

export function isTrackedValueKey(key: string): key is TrackedValueKey {
  return (TRACKED_VALUE_KEYS as readonly string[]).includes(key);
}

/** What the tracked values are read from: an occurrence's fields and span tags. */
export interface ValueSource {
  service: string;
  env: string | null;
  version: string | null;
  host: string | null;
  container: string | null;
  resource: string;
  tags: Readonly<Record<string, string>>;
}

/**
 * The occurrence's value for each tracked key that has one (non-empty), as [key, value] pairs in
 * TRACKED_VALUE_KEYS order. `runtime` is the OpenTelemetry `process.runtime.name` (+ version), else
 * Datadog's `language` (+ `language.version`), e.g. `nodejs v20.19.0` — the same rule as the
 * ClickHouse expression in libs/clickhouse/src/occurrence-fields.ts (both are tested on the same cases).
 */
export function trackedValues(source: ValueSource): [TrackedValueKey, string][] {
  const values: Record<TrackedValueKey, string> = {
    service: source.service,
    env: source.env ?? '',
    version: source.version ?? '',
    host: source.host ?? '',
    container: source.container ?? '',
    resource: source.resource,
    runtime: runtimeOf(source.tags),
    'http.route': source.tags['http.route'] ?? '',
    'http.status_code': source.tags['http.status_code'] ?? '',
    'http.method': source.tags['http.method'] ?? '',
  };
  return TRACKED_VALUE_KEYS.filter((key) => values[key] !== '').map((key) => [key, values[key]]);
}

function runtimeOf(tags: Readonly<Record<string, string>>): string {
  const withVersion = (name: string, version: string | undefined) => (version ? `${name} ${version}` : name);
  const otelName = tags['process.runtime.name'];
  if (otelName) return withVersion(otelName, tags['process.runtime.version']);
  const language = tags['language'];
  if (language) return withVersion(language, tags['language.version']);
  return '';
}

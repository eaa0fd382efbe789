/** Helpers for integration and end-to-end specs. */

/**
 * A variable the global setup exported (REDIS_URL, CLICKHOUSE_URL, KAFKA_BROKERS, ...). Throws with
 * the variable's name when it is missing, which means the spec ran without its global setup.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: this spec needs the environment its jest global setup exports ` +
        '(run it through `npx jest --selectProjects integration` or `e2e`, not on its own).',
    );
  }
  return value;
}

/**
 * A name unique to this call (a table, consumer group or Redis key prefix), for specs that share
 * one server and must not see each other's data: `<prefix>_<time>_<random>`.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

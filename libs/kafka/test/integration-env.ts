/**
 * Integration specs get the broker from the integration jest project's global setup (libs/testing),
 * which starts it and exports KAFKA_BROKERS. These mirror `@faultline/testing`'s helpers, which this
 * lib cannot import: testing -> local-stack -> kafka would make a dependency cycle.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run integration specs through the jest "integration" project, whose global setup starts the dependencies`);
  }
  return value;
}

/** A name unique to this call (topic, consumer group), so specs sharing the broker never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

import { ConfigError, loadConfig } from '../load-config';
import { aggregatorConfigSchema } from './aggregator.config';
import { gatewayConfigSchema } from './gateway.config';

// clickhouseEnv's CLICKHOUSE_CLUSTER, in every schema that talks to ClickHouse (the migrate Job's is
// checked with the chart tests, which parse its rendered env).
describe('clickhouseEnv: CLICKHOUSE_CLUSTER', () => {
  const base = { KAFKA_BROKERS: 'kafka-0:9093' };

  it.each([
    ['aggregator', aggregatorConfigSchema],
    ['gateway', gatewayConfigSchema],
  ] as const)('%s: one server when unset or empty, the named cluster otherwise', (_name, schema) => {
    expect(loadConfig(schema, base).CLICKHOUSE_CLUSTER).toBeUndefined();
    expect(loadConfig(schema, { ...base, CLICKHOUSE_CLUSTER: '' }).CLICKHOUSE_CLUSTER).toBeUndefined();
    expect(loadConfig(schema, { ...base, CLICKHOUSE_CLUSTER: 'events-2s.eu' }).CLICKHOUSE_CLUSTER).toBe('events-2s.eu');
  });

  it('refuses a name that could not be a remote_servers cluster, naming the variable', () => {
    let problems: string[] = [];
    try {
      loadConfig(aggregatorConfigSchema, { ...base, CLICKHOUSE_CLUSTER: "events' OR 1" });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([expect.stringContaining('CLICKHOUSE_CLUSTER')]);
  });
});

import { loadConfig } from '../load-config';
import { aggregatorConfigSchema } from './aggregator.config';
import { fingerprinterConfigSchema } from './fingerprinter.config';

const required = { KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://redis:6379', CLICKHOUSE_URL: 'http://clickhouse:8123' };

describe('the workers\' invalid-message ratio', () => {
  it('is one half by default and may be raised to 1 (never stop)', () => {
    expect(loadConfig(fingerprinterConfigSchema, required).FINGERPRINTER_MAX_INVALID_RATIO).toBe(0.5);
    expect(loadConfig(aggregatorConfigSchema, required).AGGREGATOR_MAX_INVALID_RATIO).toBe(0.5);
    expect(loadConfig(fingerprinterConfigSchema, { ...required, FINGERPRINTER_MAX_INVALID_RATIO: '1' }).FINGERPRINTER_MAX_INVALID_RATIO).toBe(1);
    expect(loadConfig(aggregatorConfigSchema, { ...required, AGGREGATOR_MAX_INVALID_RATIO: '0.05' }).AGGREGATOR_MAX_INVALID_RATIO).toBe(0.05);
  });

  it.each(['0', '1.5', '-0.1', 'half'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig(fingerprinterConfigSchema, { ...required, FINGERPRINTER_MAX_INVALID_RATIO: value })).toThrow(/FINGERPRINTER_MAX_INVALID_RATIO/);
  });
});

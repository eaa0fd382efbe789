import { aggregatorConfigSchema, ConfigError, ingestionConfigSchema, loadConfig } from './index';

describe('loadConfig', () => {
  it('applies defaults and splits the broker list', () => {
    const config = loadConfig(ingestionConfigSchema, { KAFKA_BROKERS: 'a:9092, b:9092' });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(config.INGESTION_PORT).toBe(8126);
    expect(config.KAFKA_IDEMPOTENT_PRODUCER).toBe(true);
  });

  it('reads boolean flags strictly', () => {
    expect(loadConfig(ingestionConfigSchema, { KAFKA_BROKERS: 'a:9092', KAFKA_IDEMPOTENT_PRODUCER: 'false' }).KAFKA_IDEMPOTENT_PRODUCER).toBe(false);
    expect(() => loadConfig(ingestionConfigSchema, { KAFKA_BROKERS: 'a:9092', KAFKA_IDEMPOTENT_PRODUCER: 'yes' })).toThrow(/KAFKA_IDEMPOTENT_PRODUCER/);
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig(aggregatorConfigSchema, { AGGREGATOR_BATCH_SIZE: '-1', REDIS_URL: 'http://x' })).toThrow(ConfigError);
    try {
      loadConfig(aggregatorConfigSchema, { AGGREGATOR_BATCH_SIZE: '-1', REDIS_URL: 'http://x' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('KAFKA_BROKERS');
      expect(message).toContain('AGGREGATOR_BATCH_SIZE');
      expect(message).toContain('REDIS_URL');
    }
  });
});

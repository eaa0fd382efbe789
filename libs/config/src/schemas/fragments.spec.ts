import { ConfigError, loadConfig } from '../load-config';
import { aggregatorConfigSchema } from './aggregator.config';
import { fingerprinterConfigSchema } from './fingerprinter.config';
import { gatewayConfigSchema } from './gateway.config';
import { ingestionConfigSchema } from './ingestion.config';

const base = { KAFKA_BROKERS: 'kafka-0:9093' };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('kafkaEnv: TLS and SASL', () => {
  it('is plaintext without authentication by default', () => {
    const config = loadConfig(ingestionConfigSchema, base);
    expect(config).toMatchObject({ KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true });
    expect(config.KAFKA_SSL_CA_FILE).toBeUndefined();
    expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it('reads TLS with a CA file and SCRAM credentials', () => {
    const config = loadConfig(ingestionConfigSchema, {
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/faultline/kafka-tls/ca.crt',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'faultline',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(config).toMatchObject({
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: '/etc/faultline/kafka-tls/ca.crt',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'faultline',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig(ingestionConfigSchema, { ...base, KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SSL_CA_FILE: '' });
    expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
    expect(config.KAFKA_SASL_USERNAME).toBeUndefined();
    expect(config.KAFKA_SSL_CA_FILE).toBeUndefined();
  });

  it('names the missing credential when a mechanism is set, in every schema that connects to Kafka', () => {
    for (const schema of [ingestionConfigSchema, fingerprinterConfigSchema, aggregatorConfigSchema, gatewayConfigSchema]) {
      expect(problemsOf(() => loadConfig(schema, { ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'faultline' }))).toEqual([
        'KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM is set (plain)',
      ]);
    }
    expect(problemsOf(() => loadConfig(ingestionConfigSchema, { ...base, KAFKA_SASL_MECHANISM: 'scram-sha-256' }))).toEqual([
      'KAFKA_SASL_USERNAME: is required when KAFKA_SASL_MECHANISM is set (scram-sha-256)',
      'KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM is set (scram-sha-256)',
    ]);
  });

  it('refuses credentials without a mechanism, an unknown mechanism and a CA file without TLS', () => {
    expect(problemsOf(() => loadConfig(ingestionConfigSchema, { ...base, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }))).toEqual([
      'KAFKA_SASL_MECHANISM: must be set (plain, scram-sha-256 or scram-sha-512) when KAFKA_SASL_USERNAME is set',
      'KAFKA_SASL_MECHANISM: must be set (plain, scram-sha-256 or scram-sha-512) when KAFKA_SASL_PASSWORD is set',
    ]);
    expect(problemsOf(() => loadConfig(ingestionConfigSchema, { ...base, KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }))).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: /),
    ]);
    expect(problemsOf(() => loadConfig(ingestionConfigSchema, { ...base, KAFKA_SSL_CA_FILE: '/ca.pem' }))).toEqual(['KAFKA_SSL_CA_FILE: is only used with KAFKA_SSL=true']);
    expect(problemsOf(() => loadConfig(ingestionConfigSchema, { ...base, KAFKA_SSL: 'yes' }))).toEqual([expect.stringMatching(/^KAFKA_SSL: /)]);
  });

  it('reports the SASL rule together with the other invalid variables', () => {
    const problems = problemsOf(() => loadConfig(ingestionConfigSchema, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^KAFKA_BROKERS: /), expect.stringMatching(/^KAFKA_SASL_PASSWORD: /)]));
  });
});

describe('redisEnv: Sentinel', () => {
  it('is a standalone server by default', () => {
    const config = loadConfig(gatewayConfigSchema, base);
    expect(config.REDIS_SENTINELS).toBeUndefined();
    expect(config.REDIS_SENTINEL_NAME).toBeUndefined();
  });

  it('splits the sentinel list into hosts and ports', () => {
    const config = loadConfig(aggregatorConfigSchema, {
      ...base,
      REDIS_SENTINELS: 'sentinel-0.redis:26379, sentinel-1.redis:26379,10.0.0.7:26380',
      REDIS_SENTINEL_NAME: 'mymaster',
    });
    expect(config.REDIS_SENTINELS).toEqual([
      { host: 'sentinel-0.redis', port: 26379 },
      { host: 'sentinel-1.redis', port: 26379 },
      { host: '10.0.0.7', port: 26380 },
    ]);
    expect(config.REDIS_SENTINEL_NAME).toBe('mymaster');
  });

  it('names what is missing or malformed', () => {
    for (const schema of [fingerprinterConfigSchema, aggregatorConfigSchema, gatewayConfigSchema]) {
      expect(problemsOf(() => loadConfig(schema, { ...base, REDIS_SENTINELS: 'sentinel:26379' }))).toEqual([
        'REDIS_SENTINEL_NAME: is required when REDIS_SENTINELS is set (the master group name)',
      ]);
      expect(problemsOf(() => loadConfig(schema, { ...base, REDIS_SENTINEL_NAME: 'mymaster' }))).toEqual([
        'REDIS_SENTINELS: must list the sentinels (host:port,...) when REDIS_SENTINEL_NAME is set',
      ]);
    }
    expect(problemsOf(() => loadConfig(gatewayConfigSchema, { ...base, REDIS_SENTINELS: 'sentinel', REDIS_SENTINEL_NAME: 'mymaster' }))).toEqual([
      expect.stringMatching(/^REDIS_SENTINELS\.0: must be host:port/),
    ]);
  });
});

describe('redisEnv: Cluster', () => {
  it('splits the seed nodes into hosts and ports, with the URL carrying credentials and TLS', () => {
    const config = loadConfig(aggregatorConfigSchema, {
      ...base,
      REDIS_URL: 'rediss://faultline:s3cret@ignored:6379',
      REDIS_CLUSTER_NODES: 'redis-0.redis-headless:6379, redis-1.redis-headless:6379,10.0.0.9:7000',
    });
    expect(config.REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-0.redis-headless', port: 6379 },
      { host: 'redis-1.redis-headless', port: 6379 },
      { host: '10.0.0.9', port: 7000 },
    ]);
    expect(config.REDIS_URL).toBe('rediss://faultline:s3cret@ignored:6379');
    // Empty counts as unset (the local stack clears them this way).
    expect(loadConfig(gatewayConfigSchema, { ...base, REDIS_CLUSTER_NODES: '', REDIS_SENTINELS: '', REDIS_SENTINEL_NAME: '' })).toMatchObject({
      REDIS_CLUSTER_NODES: undefined,
      REDIS_SENTINELS: undefined,
      REDIS_SENTINEL_NAME: undefined,
    });
  });

  it('accepts database 0 in the URL, and refuses any other database in every schema that connects to Redis', () => {
    expect(loadConfig(gatewayConfigSchema, { ...base, REDIS_URL: 'redis://x:6379/0', REDIS_CLUSTER_NODES: 'a:7000' }).REDIS_CLUSTER_NODES).toHaveLength(1);
    for (const schema of [fingerprinterConfigSchema, aggregatorConfigSchema, gatewayConfigSchema]) {
      expect(problemsOf(() => loadConfig(schema, { ...base, REDIS_URL: 'redis://:pw@x:6379/2', REDIS_CLUSTER_NODES: 'a:7000' }))).toEqual([
        'REDIS_URL: selects database 2, but Redis Cluster has database 0 only (REDIS_CLUSTER_NODES is set): drop the /2',
      ]);
    }
    // Standalone and Sentinel keep their database.
    expect(loadConfig(gatewayConfigSchema, { ...base, REDIS_URL: 'redis://x:6379/2' }).REDIS_URL).toBe('redis://x:6379/2');
  });

  it('is either a cluster or Sentinel, and names a malformed node', () => {
    expect(
      problemsOf(() => loadConfig(aggregatorConfigSchema, { ...base, REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'mymaster' })),
    ).toEqual(['REDIS_CLUSTER_NODES: cannot be set together with REDIS_SENTINELS (a cluster or a Sentinel-managed master, not both)']);
    expect(problemsOf(() => loadConfig(gatewayConfigSchema, { ...base, REDIS_CLUSTER_NODES: 'a:7000,b' }))).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES\.1: must be host:port/)]);
  });
});

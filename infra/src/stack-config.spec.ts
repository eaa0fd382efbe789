import * as path from 'node:path';
import { ConfigError } from '@faultline/config';
import { listenPortsOf, loadLocalStackConfig } from './stack-config';

describe('loadLocalStackConfig', () => {
  it('defaults to the dev ports, a state dir in the repo and the Kafka mock', () => {
    const config = loadLocalStackConfig({});
    expect(config.home).toBe(path.join(config.repoRoot, '.faultline'));
    expect(config.redisPort).toBe(16379);
    expect([config.clickhouseHttpPort, config.clickhouseTcpPort]).toEqual([18123, 19000]);
    expect(config.servicePorts).toEqual({ ingestion: 8126, fingerprinter: 8127, aggregator: 8128, gateway: 4000 });
    expect(config.ingestionOtlpPort).toBe(4318);
    expect(listenPortsOf(config, 'ingestion')).toEqual([{ variable: 'INGESTION_PORT', port: 8126 }, { variable: 'INGESTION_OTLP_PORT', port: 4318 }]);
    expect(config.clickhouseDatabase).toBe('faultline');
    expect(config.externalKafkaBrokers).toBeUndefined();
    expect(config.skipMissingApps).toBe(false);
  });

  it('takes every port, the state dir and an external Kafka from the environment', () => {
    const config = loadLocalStackConfig({
      FAULTLINE_HOME: '/tmp/elsewhere',
      FAULTLINE_REDIS_PORT: '26379',
      FAULTLINE_CLICKHOUSE_HTTP_PORT: '28123',
      FAULTLINE_CLICKHOUSE_TCP_PORT: '29000',
      INGESTION_PORT: '28126',
      INGESTION_OTLP_PORT: '24318',
      GATEWAY_PORT: '24000',
      KAFKA_BROKERS: ' kafka-0:9092,kafka-1:9092 ',
      FAULTLINE_SKIP_MISSING_APPS: '1',
    });
    expect(config.home).toBe('/tmp/elsewhere');
    expect([config.redisPort, config.clickhouseHttpPort, config.clickhouseTcpPort]).toEqual([26379, 28123, 29000]);
    expect(config.servicePorts.ingestion).toBe(28126);
    expect(config.ingestionOtlpPort).toBe(24318);
    expect(config.servicePorts.gateway).toBe(24000);
    expect(config.externalKafkaBrokers).toBe('kafka-0:9092,kafka-1:9092');
    expect(config.skipMissingApps).toBe(true);
  });

  it('treats an empty KAFKA_BROKERS as unset', () => {
    expect(loadLocalStackConfig({ KAFKA_BROKERS: '' }).externalKafkaBrokers).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => loadLocalStackConfig({ FAULTLINE_REDIS_PORT: 'redis' })).toThrow(ConfigError);
    expect(() => loadLocalStackConfig({ FAULTLINE_REDIS_PORT: '70000' })).toThrow(/FAULTLINE_REDIS_PORT/);
  });
});

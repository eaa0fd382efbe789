/**
 * Jest global setup of the integration tier: real Redis, ClickHouse and a Kafka-protocol broker
 * (the librdkafka mock, or the cluster in KAFKA_BROKERS) started once per run on free loopback
 * ports in a temporary state dir, migrations applied to a fresh database. The connection settings
 * reach the test workers as environment variables (workers inherit the env set here):
 * REDIS_URL, CLICKHOUSE_URL, CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, KAFKA_BROKERS.
 */
import './register-source-paths';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyMigrations, findFreePort, loadLocalStackConfig, startDependencies, stopDependencies } from '@faultline/local-stack';
import { rememberIntegrationStack } from './integration-stack-handle';

const DATABASE = 'faultline_it';

export default async function integrationGlobalSetup(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `faultline-it-${process.pid}-`));
  const [redisPort, clickhouseHttpPort, clickhouseTcpPort] = await distinctFreePorts(3);
  const config = loadLocalStackConfig({
    ...process.env,
    FAULTLINE_HOME: home,
    FAULTLINE_REDIS_PERSISTENCE: 'false',
    FAULTLINE_REDIS_PORT: String(redisPort),
    FAULTLINE_CLICKHOUSE_HTTP_PORT: String(clickhouseHttpPort),
    FAULTLINE_CLICKHOUSE_TCP_PORT: String(clickhouseTcpPort),
    FAULTLINE_STARTUP_TIMEOUT_SECONDS: process.env.FAULTLINE_STARTUP_TIMEOUT_SECONDS ?? '60',
  });
  rememberIntegrationStack(config);
  const log = (line: string) => process.stdout.write(`[integration setup] ${line}\n`);
  process.stdout.write('\n');
  try {
    const dependencies = await startDependencies(config, log);
    await applyMigrations(
      { url: dependencies.clickhouseUrl, username: dependencies.clickhouseUser, password: dependencies.clickhousePassword, database: DATABASE },
      log,
    );
    Object.assign(process.env, {
      REDIS_URL: dependencies.redisUrl,
      CLICKHOUSE_URL: dependencies.clickhouseUrl,
      CLICKHOUSE_DATABASE: DATABASE,
      CLICKHOUSE_USER: dependencies.clickhouseUser,
      CLICKHOUSE_PASSWORD: dependencies.clickhousePassword,
      KAFKA_BROKERS: dependencies.kafkaBrokers,
    });
  } catch (error) {
    // Jest skips the teardown when the setup throws: stop what did start before failing the run.
    await stopDependencies(config, log).catch(() => undefined);
    process.stdout.write(`[integration setup] logs kept in ${home}/logs\n`);
    throw error;
  }
}

/** Kernel-chosen free ports, distinct from each other (each probe socket is closed before the next). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

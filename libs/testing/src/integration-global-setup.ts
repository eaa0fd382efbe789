/**
 * Jest global setup of the integration tier: real Redis, ClickHouse and a Kafka-protocol broker
 * (the librdkafka mock, or the cluster in KAFKA_BROKERS) started once per run on free loopback
 * ports in a temporary state dir, migrations applied to a fresh database. The connection settings
 * reach the test workers as environment variables (workers inherit the env set here):
 * REDIS_URL, CLICKHOUSE_URL, CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, KAFKA_BROKERS.
 * A Redis Cluster of 3 masters (no persistence) runs next to them for the specs that run their
 * Redis behaviour against both: REDIS_CLUSTER_NODES_FOR_TESTS (host:port,...).
 * A ClickHouse cluster (ZooKeeper and two servers, one shard each) runs for the specs of the
 * CLICKHOUSE_CLUSTER schema: CLICKHOUSE_CLUSTER_NAME_FOR_TESTS and CLICKHOUSE_CLUSTER_URLS_FOR_TESTS
 * (one HTTP URL per shard, comma-separated); those specs migrate their own database on it. If it
 * cannot start, the other suites still run and those specs fail with the reason
 * (CLICKHOUSE_CLUSTER_START_ERROR_FOR_TESTS).
 */
import './register-source-paths';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  applyMigrations,
  findFreePort,
  label,
  loadLocalStackConfig,
  startClickHouseCluster,
  startDependencies,
  startRedisCluster,
  stopDependencies,
  stopRedisCluster,
} from '@faultline/local-stack';
import { rememberClickHouseCluster, rememberIntegrationStack, rememberRedisCluster } from './integration-stack-handle';

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
  const redisClusterStart = startRedisCluster();
  // Settled into a value: a cluster that does not start fails only the specs that need it.
  const clickhouseClusterStart = startClickHouseCluster({ name: 'faultline_it_cluster', log }).then(
    (cluster) => ({ cluster, error: undefined }),
    (error: unknown) => ({ cluster: undefined, error: error instanceof Error ? error.message : String(error) }),
  );
  try {
    const [dependencies, redisCluster] = await Promise.all([startDependencies(config, log), redisClusterStart]);
    rememberRedisCluster(redisCluster);
    log(`${label('redis cluster')}started (3 masters) on ${redisCluster.nodesList}`);
    const { cluster: clickhouseCluster, error: clickhouseClusterError } = await clickhouseClusterStart;
    if (clickhouseCluster) rememberClickHouseCluster(clickhouseCluster);
    else log(`${label('ch-cluster')}did not start, its specs will fail: ${clickhouseClusterError}`);
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
      REDIS_CLUSTER_NODES_FOR_TESTS: redisCluster.nodesList,
      ...(clickhouseCluster
        ? {
            CLICKHOUSE_CLUSTER_NAME_FOR_TESTS: clickhouseCluster.name,
            CLICKHOUSE_CLUSTER_URLS_FOR_TESTS: clickhouseCluster.nodes.map((node) => node.url).join(','),
          }
        : { CLICKHOUSE_CLUSTER_START_ERROR_FOR_TESTS: clickhouseClusterError }),
    });
  } catch (error) {
    // Jest skips the teardown when the setup throws: stop what did start before failing the run.
    await stopDependencies(config, log).catch(() => undefined);
    await redisClusterStart.then((cluster) => stopRedisCluster(cluster)).catch(() => undefined);
    await clickhouseClusterStart.then(({ cluster }) => cluster?.stop()).catch(() => undefined);
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

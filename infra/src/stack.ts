import * as fs from 'node:fs';
import { CLICKHOUSE, startClickHouse } from './clickhouse-server';
import { KAFKA, readBootstrap, startKafkaMock } from './kafka-mock';
import { applyMigrations } from './migrations';
import { isPortOpen, portsOfBrokerList } from './net-probes';
import { stopProcess } from './process-supervisor';
import { sleep } from './readiness';
import { REDIS, startRedis } from './redis-server';
import { startServices, stopService } from './services';
import { LocalStackConfig, SERVICE_NAMES, label, listenPortsOf, StackLog } from './stack-config';
import { StateDir } from './state-dir';
import { ensureTopicsOnCluster } from './topics';

export interface DependencyEndpoints {
  redisUrl: string;
  clickhouseUrl: string;
  /** Credentials of our own ClickHouse (infra/clickhouse/users.xml). */
  clickhouseUser: string;
  clickhousePassword: string;
  kafkaBrokers: string;
  /** True when the Kafka mock was (re)started now, so clients of an older one must reconnect. */
  kafkaRestarted: boolean;
  /** True when KAFKA_BROKERS named a cluster and no broker was started. */
  externalKafka: boolean;
}

/**
 * Starts Redis, ClickHouse and (unless KAFKA_BROKERS is set) the Kafka mock with its topics; keeps
 * whichever already run. On a real cluster, creates missing topics. Does not run migrations.
 */
export async function startDependencies(config: LocalStackConfig, log: StackLog): Promise<DependencyEndpoints> {
  const state = new StateDir(config.home);
  state.ensure();
  const startKafka = async () => {
    if (config.externalKafkaBrokers === undefined) return startKafkaMock(config, state, log);
    await ensureTopicsOnCluster(config.externalKafkaBrokers, log);
    return { brokers: config.externalKafkaBrokers, started: false };
  };
  const [redisUrl, clickhouseUrl, kafka] = await Promise.all([
    startRedis(config, state, log),
    startClickHouse(config, state, log),
    startKafka(),
  ]);
  return {
    redisUrl,
    clickhouseUrl,
    clickhouseUser: 'default',
    clickhousePassword: '',
    kafkaBrokers: kafka.brokers,
    kafkaRestarted: kafka.started,
    externalKafka: config.externalKafkaBrokers !== undefined,
  };
}

export interface StackUrls extends DependencyEndpoints {
  ingestionUrl: string;
  /** OTLP/HTTP base URL (SDKs append /v1/traces): OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpUrl: string;
  graphqlUrl: string;
}

/** `npm run up`: dependencies, migrations, topics, services; idempotent, restarts what is down. */
export async function upStack(config: LocalStackConfig, log: StackLog): Promise<StackUrls> {
  const state = new StateDir(config.home);
  const dependencies = await startDependencies(config, log);
  await applyMigrations(
    {
      url: dependencies.clickhouseUrl,
      username: dependencies.clickhouseUser,
      password: dependencies.clickhousePassword,
      database: config.clickhouseDatabase,
    },
    log,
  );
  await startServices(
    config,
    state,
    {
      kafkaBrokers: dependencies.kafkaBrokers,
      clickhouseUrl: dependencies.clickhouseUrl,
      clickhouseDatabase: config.clickhouseDatabase,
      redisUrl: dependencies.redisUrl,
    },
    { restartRunning: dependencies.kafkaRestarted },
    log,
  );
  return {
    ...dependencies,
    ingestionUrl: `http://localhost:${config.servicePorts.ingestion}`,
    otlpUrl: `http://localhost:${config.ingestionOtlpPort}`,
    graphqlUrl: `http://localhost:${config.servicePorts.gateway}/graphql`,
  };
}

/** `npm run down`: services first (they flush and commit), then the dependencies. */
export async function downStack(config: LocalStackConfig, log: StackLog): Promise<void> {
  const state = new StateDir(config.home);
  await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const pid = await stopService(state, name);
      if (pid !== undefined) log(`${label(name)}stopped (pid ${pid})`);
    }),
  );
  await stopDependencies(config, log);
  const servicePorts = SERVICE_NAMES.flatMap((name) => listenPortsOf(config, name).map(({ port }) => port));
  await reportPortsStillOpen(servicePorts, log);
}

/** Stops what startDependencies started in this state dir; waits until their ports are closed. */
export async function stopDependencies(config: LocalStackConfig, log: StackLog): Promise<void> {
  const state = new StateDir(config.home);
  const kafkaPorts = portsOfBrokerList(readBootstrap(state) ?? '');
  await Promise.all(
    [
      { name: KAFKA, graceMs: 5000 },
      { name: CLICKHOUSE, graceMs: 30_000 },
      { name: REDIS, graceMs: 10_000 },
    ].map(async ({ name, graceMs }) => {
      const pid = await stopProcess(state, name, { graceMs });
      if (pid !== undefined) log(`${label(name)}stopped (pid ${pid})`);
    }),
  );
  if (fs.existsSync(state.kafkaBootstrapFile)) fs.rmSync(state.kafkaBootstrapFile, { force: true });
  await reportPortsStillOpen([config.redisPort, config.clickhouseHttpPort, config.clickhouseTcpPort, ...kafkaPorts], log);
}

/** The processes are gone once stopProcess returns; a port still open belongs to something else. */
async function reportPortsStillOpen(ports: number[], log: StackLog): Promise<void> {
  // The kernel closes listeners as the process exits; allow a moment before calling a port foreign.
  for (let attempt = 0; attempt < 10; attempt++) {
    const open = (await Promise.all(ports.map(async (port) => ((await isPortOpen(port, 300)) ? port : undefined)))).filter(
      (port): port is number => port !== undefined,
    );
    if (open.length === 0) return;
    if (attempt === 9) log(`warning: still listening on ${open.join(', ')} (not started by this stack, or started with other ports)`);
    await sleep(200);
  }
}

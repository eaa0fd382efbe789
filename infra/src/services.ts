import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpStatus, isPortOpen } from './net-probes';
import { runningPid, startDetached, stopProcess } from './process-supervisor';
import { StackStartError, waitUntil } from './readiness';
import { LocalStackConfig, SERVICE_NAMES, SERVICE_PORT_VARIABLES, ServiceName, label, listenPortsOf, StackLog } from './stack-config';
import { StateDir } from './state-dir';

/** Where each dependency of the services is; the services get them as the env their config schemas read. */
export interface ServiceEndpoints {
  kafkaBrokers: string;
  clickhouseUrl: string;
  clickhouseDatabase: string;
  redisUrl: string;
}

export function serviceEntrypoint(repoRoot: string, name: ServiceName): string {
  return path.join(repoRoot, 'dist', 'apps', name, 'src', 'main.js');
}

export function serviceEnv(config: LocalStackConfig, endpoints: ServiceEndpoints): NodeJS.ProcessEnv {
  const ports = Object.fromEntries(SERVICE_NAMES.map((name) => [SERVICE_PORT_VARIABLES[name], String(config.servicePorts[name])]));
  return {
    ...config.inheritedEnv,
    ...ports,
    INGESTION_OTLP_PORT: String(config.ingestionOtlpPort),
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    // librdkafka's mock cluster does not implement idempotent producers; a real cluster keeps the default.
    ...(config.externalKafkaBrokers === undefined ? { KAFKA_IDEMPOTENT_PRODUCER: 'false' } : {}),
    CLICKHOUSE_URL: endpoints.clickhouseUrl,
    CLICKHOUSE_DATABASE: endpoints.clickhouseDatabase,
    // Our own ClickHouse has one passwordless user (infra/clickhouse/users.xml).
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    REDIS_URL: endpoints.redisUrl,
    // Our own Redis is one server: a Sentinel or Cluster setting from the shell must not redirect the services (empty = unset).
    REDIS_SENTINELS: '',
    REDIS_SENTINEL_NAME: '',
    REDIS_CLUSTER_NODES: '',
    LOG_LEVEL: config.logLevel,
  };
}

/**
 * Starts every service that is not running and waits until each answers `GET /health/ready` with
 * 200. `restartRunning` first stops the running ones (their Kafka bootstrap changed).
 */
export async function startServices(
  config: LocalStackConfig,
  state: StateDir,
  endpoints: ServiceEndpoints,
  options: { restartRunning: boolean },
  log: StackLog,
): Promise<ServiceName[]> {
  const env = serviceEnv(config, endpoints);
  const started: { name: ServiceName; pid: number }[] = [];
  const skipped: ServiceName[] = [];
  for (const name of SERVICE_NAMES) {
    let pid = runningPid(state, name);
    if (pid !== undefined && options.restartRunning) {
      log(`${label(name)}restarting (new Kafka bootstrap servers)`);
      await stopService(state, name);
      pid = undefined;
    }
    if (pid !== undefined) continue;
    const entrypoint = serviceEntrypoint(config.repoRoot, name);
    if (!fs.existsSync(entrypoint)) {
      if (config.skipMissingApps) {
        log(`${label(name)}skipped: ${path.relative(config.repoRoot, entrypoint)} does not exist (FAULTLINE_SKIP_MISSING_APPS)`);
        skipped.push(name);
        continue;
      }
      throw new StackStartError(`${name}: ${path.relative(config.repoRoot, entrypoint)} does not exist; run \`npm run build\`.`);
    }
    for (const { variable, port } of listenPortsOf(config, name)) {
      if (await isPortOpen(port)) {
        throw new StackStartError(`${name}: port ${port} is taken by a process this stack did not start; set ${variable} to another port.`);
      }
    }
    started.push({
      name,
      pid: startDetached(state, {
        name,
        command: process.execPath,
        args: ['-r', './infra/runtime/register-paths.js', path.relative(config.repoRoot, entrypoint)],
        cwd: config.repoRoot,
        env,
        marker: `dist/apps/${name}/src/main.js`,
      }),
    });
  }

  // All at once: the workers need a while to join their consumer groups, and nothing orders them.
  await Promise.all(
    SERVICE_NAMES.filter((name) => !skipped.includes(name)).map(async (name) => {
      const url = `http://127.0.0.1:${config.servicePorts[name]}/health/ready`;
      const pid = started.find((entry) => entry.name === name)?.pid ?? runningPid(state, name);
      await waitUntil(`${name} (${url})`, async () => (await httpStatus(url)) === 200, {
        timeoutMs: config.startupTimeoutMs,
        pid,
        logFile: state.logFile(name),
        intervalMs: 300,
      });
      const fresh = started.some((entry) => entry.name === name);
      const ports = listenPortsOf(config, name).map(({ port }) => port);
      log(`${label(name)}${fresh ? 'started' : 'already running'} (pid ${pid}), ready on port ${ports.join(' and ')}`);
    }),
  );
  return started.map((entry) => entry.name);
}

/** Services drain their in-flight batches on SIGTERM; give them time before SIGKILL. */
export function stopService(state: StateDir, name: ServiceName): Promise<number | undefined> {
  return stopProcess(state, name, { graceMs: 15_000 });
}

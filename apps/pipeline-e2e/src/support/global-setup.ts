/**
 * Jest global setup of the e2e tier: the whole stack (dependencies, migrations, the four compiled
 * services) brought up by the real `up` CLI, in its own state dir (`.faultline/e2e`) and on its own
 * ports, so a developer's running stack is left alone. Starts from empty state every run: e2e
 * assertions count exact occurrences. Exposes to the specs:
 *   FAULTLINE_INGESTION_URL  base URL of the Datadog trace intake (DD_TRACE_AGENT_URL for tracers)
 *   FAULTLINE_OTLP_URL       base URL of the OTLP/HTTP intake (OTEL_EXPORTER_OTLP_ENDPOINT for OTel SDKs)
 *   FAULTLINE_GATEWAY_URL    base URL of the gateway; FAULTLINE_GRAPHQL_URL is its /graphql endpoint
 *   REDIS_URL, CLICKHOUSE_URL, CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, KAFKA_BROKERS
 * Runs the compiled CLIs, so it needs dist/ (`npm test` builds first). No @faultline/* imports here:
 * jest does not apply moduleNameMapper to global setup modules.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../../..');
const home = path.join(repoRoot, '.faultline', 'e2e');

/** Ports apart from the dev stack's defaults (8126, 4318, 4000, 8127, 8128, 16379, 18123, 19000). */
export function e2eStackEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FAULTLINE_HOME: home,
    FAULTLINE_REDIS_PERSISTENCE: 'false',
    INGESTION_PORT: '28126',
    INGESTION_OTLP_PORT: '24318',
    GATEWAY_PORT: '24000',
    FINGERPRINTER_PORT: '28127',
    AGGREGATOR_PORT: '28128',
    FAULTLINE_REDIS_PORT: '26379',
    FAULTLINE_CLICKHOUSE_HTTP_PORT: '28123',
    FAULTLINE_CLICKHOUSE_TCP_PORT: '29000',
    CLICKHOUSE_DATABASE: 'faultline',
    // The specs read a whole scenario in one request (up to 50 issues with 50 full occurrences each, cost
    // about 33 600; the grouping corpus's 100 × 100 occurrence ids, about 30 000), which is not an explorer
    // page: raise the cost limit here instead of in the default (5000).
    GATEWAY_MAX_QUERY_COST: '50000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
}

/** Runs dist/infra/src/<command>.js as `npm run up|down` would; rejects on a non-zero exit. */
export function runStackCli(command: 'up' | 'down', env: NodeJS.ProcessEnv): Promise<void> {
  const script = path.join('dist', 'infra', 'src', `${command}.js`);
  if (!fs.existsSync(path.join(repoRoot, script))) {
    return Promise.reject(new Error(`${script} does not exist: run \`npm run build\` (npm test does) before the e2e tests`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './infra/runtime/register-paths.js', script], { cwd: repoRoot, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`e2e stack: \`${command}\` failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/**
 * Brings a stack up from empty state with the real `up` CLI: `down` first (a run killed half-way may
 * have left it running), its state dir removed, then `up`; a failed `up` is followed by `down` (Jest
 * runs no teardown after a failed setup) and reported with where the logs are.
 */
export async function startFreshStack(env: NodeJS.ProcessEnv): Promise<void> {
  const stackHome = env.FAULTLINE_HOME as string;
  process.stdout.write('\n');
  await runStackCli('down', env);
  fs.rmSync(stackHome, { recursive: true, force: true });
  try {
    await runStackCli('up', env);
  } catch (error) {
    await runStackCli('down', env).catch(() => undefined);
    throw new Error(`${error instanceof Error ? error.message : String(error)}; logs in ${path.join(stackHome, 'logs')}`);
  }
}

/**
 * What the specs read of a stack started with `env`: its state dir and URLs. Not the dependencies'
 * connection settings (REDIS_URL, KAFKA_BROKERS, ...): a spec that runs `up` again passes its env on,
 * and `up` takes a set KAFKA_BROKERS for an external cluster.
 */
export function stackEndpoints(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    FAULTLINE_HOME: env.FAULTLINE_HOME as string,
    FAULTLINE_INGESTION_URL: `http://127.0.0.1:${env.INGESTION_PORT}`,
    FAULTLINE_OTLP_URL: `http://127.0.0.1:${env.INGESTION_OTLP_PORT}`,
    FAULTLINE_GATEWAY_URL: `http://127.0.0.1:${env.GATEWAY_PORT}`,
    FAULTLINE_GRAPHQL_URL: `http://127.0.0.1:${env.GATEWAY_PORT}/graphql`,
    CLICKHOUSE_URL: `http://127.0.0.1:${env.FAULTLINE_CLICKHOUSE_HTTP_PORT}`,
    CLICKHOUSE_DATABASE: env.CLICKHOUSE_DATABASE as string,
  };
}

export default async function e2eGlobalSetup(): Promise<void> {
  const env = e2eStackEnv();
  await startFreshStack(env);
  Object.assign(process.env, stackEndpoints(env), {
    REDIS_URL: `redis://127.0.0.1:${env.FAULTLINE_REDIS_PORT}`,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    KAFKA_BROKERS: env.KAFKA_BROKERS || fs.readFileSync(path.join(home, 'kafka.bootstrap'), 'utf8').trim(),
  });
}

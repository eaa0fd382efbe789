import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { loadConfig, positiveInt } from '@faultline/config';
import { findRepoRoot } from '../repo-root';

/**
 * The explorer benchmark's own stack: the real `up` CLI with its own state dir (`.faultline/bench`)
 * and ports, so neither a developer's stack (8126, 4318, 4000, 8127, 8128, 16379, 18123, 19000) nor
 * the e2e tier's (2xxxx) is touched. Redis persists (append-only file under the state dir): the seed
 * takes minutes, and a `down`/`up` of the bench stack should not lose what ClickHouse still has.
 */
export const BENCH_STACK_PORTS = {
  INGESTION_PORT: '38126',
  INGESTION_OTLP_PORT: '34318',
  GATEWAY_PORT: '34000',
  FINGERPRINTER_PORT: '38127',
  AGGREGATOR_PORT: '38128',
  FAULTLINE_REDIS_PORT: '36379',
  FAULTLINE_CLICKHOUSE_HTTP_PORT: '38123',
  FAULTLINE_CLICKHOUSE_TCP_PORT: '39000',
} as const;

export const BENCH_DATABASE = 'faultline';

/** What the seed and the bench read from the environment (validated once, at start). */
export const benchEnvSchema = z.object({
  /** Occurrences the seed writes; 10 million is the issue's data set, 1 million a quick run. */
  SEED_OCCURRENCES: positiveInt(10_000_000),
  /** Issues the occurrences are spread over. */
  SEED_ISSUES: positiveInt(10_000),
  /** Timed requests per scenario, after the warm-up. */
  BENCH_ITERATIONS: positiveInt(50),
  BENCH_WARMUP: positiveInt(5),
  /** Hours of per-hour counters Redis keeps (the aggregator's REDIS_HOURLY_COUNTS_RETENTION_HOURS). */
  REDIS_HOURLY_COUNTS_RETENTION_HOURS: positiveInt(14 * 24),
});
export type BenchEnv = z.infer<typeof benchEnvSchema>;

export function loadBenchEnv(env: NodeJS.ProcessEnv = process.env): BenchEnv {
  return loadConfig(benchEnvSchema, env);
}

export interface BenchStack {
  repoRoot: string;
  home: string;
  env: NodeJS.ProcessEnv;
  graphqlUrl: string;
  clickhouseUrl: string;
  redisUrl: string;
}

export function benchStack(env: NodeJS.ProcessEnv = process.env): BenchStack {
  const repoRoot = findRepoRoot();
  const home = path.join(repoRoot, '.faultline', 'bench');
  return {
    repoRoot,
    home,
    env: {
      ...env,
      ...BENCH_STACK_PORTS,
      FAULTLINE_HOME: home,
      FAULTLINE_REDIS_PERSISTENCE: 'true',
      CLICKHOUSE_DATABASE: BENCH_DATABASE,
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    },
    graphqlUrl: `http://127.0.0.1:${BENCH_STACK_PORTS.GATEWAY_PORT}/graphql`,
    clickhouseUrl: `http://127.0.0.1:${BENCH_STACK_PORTS.FAULTLINE_CLICKHOUSE_HTTP_PORT}`,
    redisUrl: `redis://127.0.0.1:${BENCH_STACK_PORTS.FAULTLINE_REDIS_PORT}`,
  };
}

/**
 * ClickHouse settings the bench stack adds to the rendered config (config.d / users.d next to it):
 * the query log, so a slow GraphQL request can be traced to the ClickHouse queries it ran and the
 * rows they read. The developer's and the e2e stacks are left as they are.
 */
export function writeBenchClickHouseOverrides(stack: BenchStack): void {
  const confDir = path.join(stack.home, 'conf', 'clickhouse');
  fs.mkdirSync(path.join(confDir, 'config.d'), { recursive: true });
  fs.mkdirSync(path.join(confDir, 'users.d'), { recursive: true });
  fs.writeFileSync(
    path.join(confDir, 'config.d', 'bench-query-log.xml'),
    '<yandex><query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log></yandex>\n',
  );
  fs.writeFileSync(
    path.join(confDir, 'users.d', 'bench-log-queries.xml'),
    '<yandex><profiles><default><log_queries>1</log_queries></default></profiles></yandex>\n',
  );
}

/** Runs the compiled `up` CLI (as `npm run up` does, without the install step) against the bench stack. */
export function upBenchStack(stack: BenchStack): Promise<void> {
  return runStackCli(stack, 'up');
}

/** `down` of the bench stack (its data stays: ClickHouse's tables and Redis's append-only file). */
export function downBenchStack(stack: BenchStack): Promise<void> {
  return runStackCli(stack, 'down');
}

function runStackCli(stack: BenchStack, command: 'up' | 'down'): Promise<void> {
  const script = path.join('dist', 'infra', 'src', `${command}.js`);
  if (!fs.existsSync(path.join(stack.repoRoot, script))) {
    return Promise.reject(new Error(`${script} does not exist: run \`npm run build\``));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './infra/runtime/register-paths.js', script], {
      cwd: stack.repoRoot,
      env: stack.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`bench stack: \`${command}\` failed (${signal ?? `exit ${code}`}); logs in ${path.join(stack.home, 'logs')}`)),
    );
  });
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExecutable } from './executables';
import { httpStatus, isPortOpen } from './net-probes';
import { runningPid, startDetached } from './process-supervisor';
import { StackStartError, waitUntil } from './readiness';
import { LocalStackConfig, label, StackLog } from './stack-config';
import { StateDir } from './state-dir';

export const CLICKHOUSE = 'clickhouse';

export function clickhouseUrl(httpPort: number): string {
  return `http://127.0.0.1:${httpPort}`;
}

/**
 * Starts our own ClickHouse (Debian's 18.16 or any newer build) with configs rendered from
 * infra/clickhouse into the state dir. The system instance, if any, is never touched.
 */
export async function startClickHouse(config: LocalStackConfig, state: StateDir, log: StackLog): Promise<string> {
  const url = clickhouseUrl(config.clickhouseHttpPort);
  const logFile = state.logFile(CLICKHOUSE);
  const ready = async () => (await httpStatus(`${url}/ping`)) === 200;
  const existing = runningPid(state, CLICKHOUSE);
  if (existing !== undefined) {
    await waitUntil(`ClickHouse on ${url}`, ready, { timeoutMs: config.startupTimeoutMs, pid: existing, logFile });
    log(`${label(CLICKHOUSE)}already running (pid ${existing}) on ${url}`);
    return url;
  }
  for (const [port, variable] of [
    [config.clickhouseHttpPort, 'FAULTLINE_CLICKHOUSE_HTTP_PORT'],
    [config.clickhouseTcpPort, 'FAULTLINE_CLICKHOUSE_TCP_PORT'],
  ] as const) {
    if (await isPortOpen(port)) {
      throw new StackStartError(`Port ${port} is taken by a process this stack did not start; set ${variable} to another port.`);
    }
  }
  const [command, ...leadingArgs] = clickhouseServerCommand(config.inheritedEnv.PATH);
  const configFile = renderConfig(config, state);
  const pid = startDetached(state, {
    name: CLICKHOUSE,
    command,
    args: [...leadingArgs, `--config-file=${configFile}`],
    cwd: state.dataDir(CLICKHOUSE),
    env: config.inheritedEnv,
    marker: configFile,
  });
  await waitUntil(`ClickHouse on ${url}`, ready, { timeoutMs: config.startupTimeoutMs, pid, logFile });
  log(`${label(CLICKHOUSE)}started (pid ${pid}) on ${url}`);
  return url;
}

/** Debian ships `clickhouse-server`; current official packages ship one `clickhouse` binary with a `server` verb. */
export function clickhouseServerCommand(pathVariable: string | undefined): string[] {
  const server = findExecutable('clickhouse-server', pathVariable);
  if (server) return [server];
  const multi = findExecutable('clickhouse', pathVariable);
  if (multi) return [multi, 'server'];
  throw new StackStartError('clickhouse-server is not installed (infra/bin/ensure-system-deps.sh installs it).');
}

function renderConfig(config: LocalStackConfig, state: StateDir): string {
  const templates = path.join(config.repoRoot, 'infra', 'clickhouse');
  const confDir = state.confDir(CLICKHOUSE);
  const dataDir = state.dataDir(CLICKHOUSE);
  fs.mkdirSync(confDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  return renderClickHouseConfigFiles(templates, confDir, {
    HTTP_PORT: String(config.clickhouseHttpPort),
    TCP_PORT: String(config.clickhouseTcpPort),
    DATA_DIR: dataDir,
    LOG_FILE: state.logFile(CLICKHOUSE),
    USERS_FILE: path.join(confDir, 'users.xml'),
  });
}

/**
 * Renders infra/clickhouse's config.xml and users.xml into `confDir` (which must exist) with the
 * placeholder `values`; returns the config file's path.
 */
export function renderClickHouseConfigFiles(templates: string, confDir: string, values: Record<string, string>): string {
  for (const file of ['config.xml', 'users.xml']) {
    const template = fs.readFileSync(path.join(templates, file), 'utf8');
    const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`infra/clickhouse/${file}: unknown placeholder ${placeholder}`);
      return escapeXml(value);
    });
    fs.writeFileSync(path.join(confDir, file), rendered);
  }
  return path.join(confDir, 'config.xml');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

import * as fs from 'node:fs';
import { findExecutable } from './executables';
import { isPortOpen, redisPing } from './net-probes';
import { runningPid, startDetached } from './process-supervisor';
import { StackStartError, waitUntil } from './readiness';
import { LocalStackConfig, label, StackLog } from './stack-config';
import { StateDir } from './state-dir';

export const REDIS = 'redis';

export function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

/** Starts our Redis unless it already answers; with an append-only file unless the stack is a throwaway test stack. */
export async function startRedis(config: LocalStackConfig, state: StateDir, log: StackLog): Promise<string> {
  const port = config.redisPort;
  const url = redisUrl(port);
  const logFile = state.logFile(REDIS);
  const existing = runningPid(state, REDIS);
  if (existing !== undefined) {
    await waitUntil(`Redis on port ${port}`, () => redisPing(port), { timeoutMs: config.startupTimeoutMs, pid: existing, logFile });
    log(`${label(REDIS)}already running (pid ${existing}) on ${url}`);
    return url;
  }
  if (await isPortOpen(port)) {
    throw new StackStartError(`Port ${port} is taken by a process this stack did not start; set FAULTLINE_REDIS_PORT to another port.`);
  }
  const executable = findExecutable('redis-server', config.inheritedEnv.PATH);
  if (!executable) throw new StackStartError('redis-server is not installed (infra/bin/ensure-system-deps.sh installs it).');
  const dataDir = state.dataDir(REDIS);
  fs.mkdirSync(dataDir, { recursive: true });
  const pid = startDetached(state, {
    name: REDIS,
    command: executable,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', config.redisPersistence ? 'yes' : 'no', '--dir', dataDir, '--daemonize', 'no'],
    cwd: dataDir,
    env: config.inheritedEnv,
    marker: 'redis-server',
  });
  await waitUntil(`Redis on port ${port}`, () => redisPing(port), { timeoutMs: config.startupTimeoutMs, pid, logFile });
  log(`${label(REDIS)}started (pid ${pid}) on ${url}`);
  return url;
}

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from './executables';
import { findFreePort, redisPing } from './net-probes';
import { startDetached, stopProcess } from './process-supervisor';
import { StackStartError, waitUntil } from './readiness';
import { StateDir } from './state-dir';

const run = promisify(execFile);

/** A throwaway Redis Cluster on loopback (tests only): its masters and where they keep logs and config. */
export interface RedisClusterHandle {
  /** The masters, seed nodes for a client. */
  nodes: { host: string; port: number }[];
  /** The same as REDIS_CLUSTER_NODES takes them: `127.0.0.1:7000,127.0.0.1:7001,...`. */
  nodesList: string;
  /** Temporary directory of the nodes' config files, data dirs, pid files and logs. */
  home: string;
}

export interface RedisClusterOptions {
  /** Masters, each serving an equal share of the 16384 slots; no replicas. Default 3, the fewest `--cluster create` takes. */
  masters?: number;
  /** How long the nodes get to start and agree on the cluster. */
  timeoutMs?: number;
  /** Inherited environment (its PATH finds redis-server and redis-cli). */
  env?: NodeJS.ProcessEnv;
}

const HOST = '127.0.0.1';

/**
 * Starts a Redis Cluster of `masters` nodes (`cluster-enabled`, no persistence) on free loopback
 * ports in a temporary directory, assigns the slots with `redis-cli --cluster create`, and resolves
 * once every node reports `cluster_state:ok`. Each node's cluster bus gets a free port of its own
 * (`--cluster-port`) instead of the default port + 10000, which may be taken or above 65535.
 * On failure, stops what it started and throws with the log of the node or tool that failed.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const env = options.env ?? process.env;
  const server = findExecutable('redis-server', env.PATH);
  const cli = findExecutable('redis-cli', env.PATH);
  if (!server || !cli) throw new StackStartError('redis-server and redis-cli are needed for a Redis Cluster (infra/bin/ensure-system-deps.sh installs them).');

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-redis-cluster-'));
  const state = new StateDir(home);
  state.ensure();
  const ports = await distinctFreePorts(masters * 2);
  const nodes = Array.from({ length: masters }, (_, index) => ({ host: HOST, port: ports[index * 2], busPort: ports[index * 2 + 1] }));
  const handle: RedisClusterHandle = { nodes: nodes.map(({ host, port }) => ({ host, port })), nodesList: nodes.map(({ host, port }) => `${host}:${port}`).join(','), home };
  try {
    await Promise.all(
      nodes.map(async ({ port, busPort }) => {
        const name = nodeName(port);
        const dataDir = state.dataDir(name);
        fs.mkdirSync(dataDir, { recursive: true });
        // One process each: the config file is the node's own record of the cluster, kept in its data dir.
        const pid = startDetached(state, {
          name,
          command: server,
          args: [
            '--port', String(port),
            '--bind', HOST,
            '--cluster-enabled', 'yes',
            '--cluster-port', String(busPort),
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', '5000',
            '--save', '',
            '--appendonly', 'no',
            '--dir', dataDir,
            '--daemonize', 'no',
          ],
          cwd: dataDir,
          env,
          marker: 'redis-server',
        });
        await waitUntil(`Redis Cluster node on port ${port}`, () => redisPing(port), { timeoutMs, pid, logFile: state.logFile(name) });
      }),
    );
    const createLog = path.join(state.logsDir, 'cluster-create.log');
    try {
      const { stdout, stderr } = await run(cli, ['--cluster', 'create', ...handle.nodesList.split(','), '--cluster-yes'], { env, timeout: timeoutMs });
      fs.writeFileSync(createLog, stdout + stderr);
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      fs.writeFileSync(createLog, `${stdout}${stderr}${(error as Error).message}\n`);
      throw new StackStartError('redis-cli --cluster create failed', createLog);
    }
    await waitUntil(
      'Redis Cluster state ok on every node',
      async () => (await Promise.all(nodes.map(({ port }) => clusterStateOk(cli, port, env)))).every(Boolean),
      { timeoutMs, intervalMs: 50, logFile: createLog },
    );
    return handle;
  } catch (error) {
    await stopRedisCluster(handle).catch(() => undefined);
    throw error;
  }
}

/** Stops every node of the cluster and removes its directory (unless `keepHome`, to read its logs). */
export async function stopRedisCluster(handle: RedisClusterHandle, options: { keepHome?: boolean } = {}): Promise<void> {
  const state = new StateDir(handle.home);
  await Promise.all(handle.nodes.map(({ port }) => stopProcess(state, nodeName(port), { graceMs: 5000 })));
  if (!options.keepHome) fs.rmSync(handle.home, { recursive: true, force: true });
}

function nodeName(port: number): string {
  return `redis-cluster-${port}`;
}

async function clusterStateOk(cli: string, port: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const { stdout } = await run(cli, ['-h', HOST, '-p', String(port), 'cluster', 'info'], { env, timeout: 2000 });
    return /^cluster_state:ok\r?$/m.test(stdout);
  } catch {
    return false;
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

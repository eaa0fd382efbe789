import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { clickhouseServerCommand, clickhouseUrl, renderClickHouseConfigFiles } from './clickhouse-server';
import { findExecutable } from './executables';
import { findFreePort, httpStatus } from './net-probes';
import { startDetached, stopProcess } from './process-supervisor';
import { StackStartError, waitUntil } from './readiness';
import { findRepoRoot } from './repo-root';
import { label, StackLog } from './stack-config';
import { StateDir } from './state-dir';

/**
 * A real ClickHouse cluster for the cluster tests of libs/clickhouse: one standalone ZooKeeper
 * (Debian's `zookeeper` package, run with java) and two ClickHouse servers (Debian's 18.16 or a newer
 * build), each one shard of one replica, on free loopback ports in a temporary directory. The servers
 * share the `remote_servers` cluster, the ZooKeeper and the distributed DDL queue; each has its
 * `{shard}`/`{replica}` macros. Everything started is stopped by `stop()`, and by a failed start.
 */

/** Where the Debian package puts ZooKeeper; its manifest's Class-Path brings the dependencies. */
const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** An SLF4J binding (a dependency of the package) so ZooKeeper's log is not dropped. */
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
const ZOOKEEPER = 'zookeeper';

export interface ClickHouseClusterOptions {
  /** The cluster's name in remote_servers (CLICKHOUSE_CLUSTER). */
  name?: string;
  /** Shards, one server each. */
  shards?: number;
  startupTimeoutMs?: number;
  /** The servers' log level (`warning`; `debug` logs every query and DDL task, to diagnose). */
  serverLogLevel?: 'warning' | 'information' | 'debug' | 'trace';
  log?: StackLog;
}

export interface ClickHouseClusterNode {
  /** 1-based; also the `{shard}` macro. */
  shard: number;
  url: string;
  tcpPort: number;
}

export interface ClickHouseCluster {
  name: string;
  /** `host:port` of the ZooKeeper. */
  zookeeper: string;
  nodes: ClickHouseClusterNode[];
  /** The temporary directory holding configs, data and logs (`logs/<process>.log`). */
  root: string;
  /** How long the start took. */
  startupMs: number;
  /** Stops every process; removes the directory unless `keepFiles` (e.g. to read the logs of a failed run). */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * Ports are picked free, then bound by processes that start a moment later, so another process may
 * take one in between (test runs start in parallel on one machine): a start that fails is retried
 * on new ports, in a new directory. The files of the last failed attempt are kept for its logs.
 */
const START_ATTEMPTS = 3;

export async function startClickHouseCluster(options: ClickHouseClusterOptions = {}): Promise<ClickHouseCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, { keepFilesOnFailure: attempt === START_ATTEMPTS });
    } catch (error) {
      if (attempt === START_ATTEMPTS || !(error instanceof StackStartError)) throw error;
      options.log?.(`${label('ch-cluster')}start failed (attempt ${attempt} of ${START_ATTEMPTS}), retrying on other ports: ${error.message.split('\n')[0]}`);
    }
  }
}

async function startOnce(options: ClickHouseClusterOptions, { keepFilesOnFailure }: { keepFilesOnFailure: boolean }): Promise<ClickHouseCluster> {
  const started = Date.now();
  const name = options.name ?? 'faultline_test';
  const shards = options.shards ?? 2;
  const timeoutMs = options.startupTimeoutMs ?? 60_000;
  const log = options.log ?? (() => undefined);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-ch-cluster-'));
  const state = new StateDir(root);
  state.ensure();
  const processes: string[] = [];
  const stop = async (stopOptions: { keepFiles?: boolean } = {}) => {
    // Servers first: a ClickHouse losing its ZooKeeper logs errors while it shuts down.
    for (const processName of [...processes].reverse()) await stopProcess(state, processName, { graceMs: 10_000 });
    if (!stopOptions.keepFiles) fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    const ports = await distinctFreePorts(1 + 3 * shards);
    const zookeeperPort = ports[0];
    const nodes = Array.from({ length: shards }, (_, index) => ({
      shard: index + 1,
      httpPort: ports[1 + 3 * index],
      tcpPort: ports[2 + 3 * index],
      interserverPort: ports[3 + 3 * index],
    }));

    const zookeeperPid = startZooKeeper(state, zookeeperPort);
    processes.push(ZOOKEEPER);
    // ZooKeeper first: 18.16's distributed DDL worker connects at server start and, when that fails,
    // the server crashes on its first DDL task (a null session; seen as a segfault in createImpl).
    await waitUntil(`ZooKeeper on 127.0.0.1:${zookeeperPort}`, () => zookeeperIsOk(zookeeperPort), {
      timeoutMs,
      pid: zookeeperPid,
      logFile: state.logFile(ZOOKEEPER),
      intervalMs: 50,
    });
    const serverPids = nodes.map((node) => {
      const processName = `clickhouse-${node.shard}`;
      const configFile = renderNodeConfig(state, processName, { cluster: name, zookeeperPort, logLevel: options.serverLogLevel ?? 'warning' }, node, nodes);
      const [command, ...leadingArgs] = clickhouseServerCommand(process.env.PATH);
      const pid = startDetached(state, {
        name: processName,
        command,
        args: [...leadingArgs, `--config-file=${configFile}`],
        cwd: state.dataDir(processName),
        env: process.env,
        marker: configFile,
      });
      processes.push(processName);
      return pid;
    });

    await Promise.all(
      nodes.map((node, index) =>
        waitUntil(`ClickHouse shard ${node.shard} on ${clickhouseUrl(node.httpPort)}`, async () => (await httpStatus(`${clickhouseUrl(node.httpPort)}/ping`)) === 200, {
          timeoutMs,
          pid: serverPids[index],
          logFile: state.logFile(`clickhouse-${node.shard}`),
          intervalMs: 100,
        }),
      ),
    );
    const startupMs = Date.now() - started;
    log(`${label('ch-cluster')}${name}: ZooKeeper 127.0.0.1:${zookeeperPort}, ${shards} shards (${nodes.map((node) => clickhouseUrl(node.httpPort)).join(', ')}) in ${startupMs} ms`);
    return {
      name,
      zookeeper: `127.0.0.1:${zookeeperPort}`,
      nodes: nodes.map((node) => ({ shard: node.shard, url: clickhouseUrl(node.httpPort), tcpPort: node.tcpPort })),
      root,
      startupMs,
      stop,
    };
  } catch (error) {
    await stop({ keepFiles: keepFilesOnFailure }).catch(() => undefined);
    if (!(error instanceof StackStartError)) throw error;
    throw new StackStartError(keepFilesOnFailure ? `${error.message}\n(files kept in ${root})` : error.message);
  }
}

/** Standalone ZooKeeper: a zoo.cfg of our own, data in the state dir, four-letter `srvr` for readiness. */
function startZooKeeper(state: StateDir, port: number): number {
  const java = findExecutable('java', process.env.PATH);
  if (!java || !fs.existsSync(ZOOKEEPER_JAR)) {
    throw new StackStartError('ZooKeeper is not installed (infra/bin/ensure-system-deps.sh installs the zookeeper package and a Java runtime).');
  }
  const confDir = state.confDir(ZOOKEEPER);
  const dataDir = state.dataDir(ZOOKEEPER);
  fs.mkdirSync(confDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.join(confDir, 'zoo.cfg');
  fs.writeFileSync(
    configFile,
    [
      // Short ticks: sessions and elections of a test instance need not survive long pauses.
      'tickTime=500',
      `dataDir=${dataDir}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      // No admin web server (it would take port 8080) and only the readiness command.
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr',
      // Test data: no fsync per transaction.
      'forceSync=no',
      '',
    ].join('\n'),
  );
  return startDetached(state, {
    name: ZOOKEEPER,
    command: java,
    args: [
      '-Xms64m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      // A 1 MB transaction log instead of 64 MB written ahead: preallocating that delayed the first
      // session past 18.16's handshake timeout, and its DDL worker then crashed the server.
      '-Dzookeeper.preAllocSize=1024',
      '-cp',
      [ZOOKEEPER_JAR, ...(fs.existsSync(SLF4J_SIMPLE_JAR) ? [SLF4J_SIMPLE_JAR] : [])].join(path.delimiter),
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      configFile,
    ],
    cwd: dataDir,
    env: process.env,
    marker: configFile,
  });
}

function renderNodeConfig(
  state: StateDir,
  processName: string,
  { cluster, zookeeperPort, logLevel }: { cluster: string; zookeeperPort: number; logLevel: string },
  node: { shard: number; httpPort: number; tcpPort: number; interserverPort: number },
  nodes: readonly { tcpPort: number }[],
): string {
  const confDir = state.confDir(processName);
  const dataDir = state.dataDir(processName);
  fs.mkdirSync(path.join(confDir, 'config.d'), { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = renderClickHouseConfigFiles(path.join(findRepoRoot(), 'infra', 'clickhouse'), confDir, {
    HTTP_PORT: String(node.httpPort),
    TCP_PORT: String(node.tcpPort),
    DATA_DIR: dataDir,
    LOG_FILE: state.logFile(processName),
    USERS_FILE: path.join(confDir, 'users.xml'),
  });
  // Merged into config.xml by the server (config.d next to the main file). internal_replication:
  // replicated tables copy their own rows, so a Distributed insert writes one replica per shard.
  const shards = nodes
    .map((other) => `      <shard><internal_replication>true</internal_replication><replica><host>127.0.0.1</host><port>${other.tcpPort}</port></replica></shard>`)
    .join('\n');
  fs.writeFileSync(
    path.join(confDir, 'config.d', 'cluster.xml'),
    `<?xml version="1.0"?>
<!-- Written by infra/src/clickhouse-cluster.ts: shard ${node.shard} of the test cluster ${cluster}. -->
<yandex>
    <logger><level>${logLevel}</level></logger>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <interserver_http_port>${node.interserverPort}</interserver_http_port>
    <zookeeper>
        <node><host>127.0.0.1</host><port>${zookeeperPort}</port></node>
        <session_timeout_ms>10000</session_timeout_ms>
    </zookeeper>
    <remote_servers>
    <${cluster}>
${shards}
    </${cluster}>
    </remote_servers>
    <macros>
        <shard>${String(node.shard).padStart(2, '0')}</shard>
        <replica>replica-1</replica>
    </macros>
    <distributed_ddl>
        <path>/clickhouse/task_queue/ddl</path>
    </distributed_ddl>
</yandex>
`,
  );
  return configFile;
}

/**
 * Serving sessions: `srvr` names the mode (standalone) only then. `ruok` is not enough: it answers
 * `imok` while the server still closes every session ("ZooKeeperServer not running").
 */
function zookeeperIsOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('srvr'));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.once('end', () => done(/^Mode: standalone$/m.test(answer)));
  });
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

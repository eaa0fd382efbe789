import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPortOpen, portsOfBrokerList } from './net-probes';
import { runningPid, startDetached, stopProcess } from './process-supervisor';
import { StackStartError, waitUntil } from './readiness';
import { LocalStackConfig, label, StackLog } from './stack-config';
import { StateDir } from './state-dir';
import { mockTopicArguments } from './topics';

export const KAFKA = 'kafka';
const BOOTSTRAP_LINE = /^bootstrap\.servers=(\S+)$/m;

export interface KafkaMockStatus {
  brokers: string;
  /** A new mock means new broker ports: anything connected to the old one must be restarted. */
  started: boolean;
}

/**
 * Runs librdkafka's in-memory mock cluster (3 brokers, our topics) through the launcher in
 * infra/kafka-mock, built on first use. Its bootstrap list is kept in `kafka.bootstrap`.
 * Data lives in the launcher's memory only: restarting it loses every message and committed offset.
 */
export async function startKafkaMock(config: LocalStackConfig, state: StateDir, log: StackLog): Promise<KafkaMockStatus> {
  const existing = runningPid(state, KAFKA);
  const knownBrokers = readBootstrap(state);
  if (existing !== undefined && knownBrokers !== undefined) {
    const [firstPort] = portsOfBrokerList(knownBrokers);
    if (firstPort !== undefined && (await isPortOpen(firstPort))) {
      log(`${label(KAFKA)}mock already running (pid ${existing}) on ${knownBrokers}`);
      return { brokers: knownBrokers, started: false };
    }
  }
  if (existing !== undefined) await stopProcess(state, KAFKA, { graceMs: 5000 });
  fs.rmSync(state.kafkaBootstrapFile, { force: true });

  const binary = buildLauncher(config.repoRoot);
  const logFile = state.logFile(KAFKA);
  state.ensure();
  const logOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const pid = startDetached(state, {
    name: KAFKA,
    command: binary,
    args: mockTopicArguments(),
    cwd: config.repoRoot,
    env: config.inheritedEnv,
    marker: 'kafka-mock',
  });
  // The launcher prints its bootstrap list on stdout, which is the log file: read it from there.
  let brokers: string | undefined;
  await waitUntil(
    'Kafka mock cluster',
    async () => {
      brokers = readFrom(logFile, logOffset).match(BOOTSTRAP_LINE)?.[1];
      return brokers !== undefined;
    },
    { timeoutMs: config.startupTimeoutMs, pid, logFile, intervalMs: 50 },
  );
  if (brokers === undefined) throw new StackStartError('Kafka mock printed no bootstrap servers', logFile);
  fs.writeFileSync(state.kafkaBootstrapFile, `${brokers}\n`);
  log(`${label(KAFKA)}mock started (pid ${pid}) on ${brokers}`);
  return { brokers, started: true };
}

export function readBootstrap(state: StateDir): string | undefined {
  try {
    const value = fs.readFileSync(state.kafkaBootstrapFile, 'utf8').trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/** The launcher binary lives in `<repo>/.faultline/bin` whatever the state dir, so every stack shares one build. */
function buildLauncher(repoRoot: string): string {
  const output = path.join(repoRoot, '.faultline', 'bin', 'kafka-mock');
  try {
    execFileSync('bash', [path.join(repoRoot, 'infra', 'bin', 'build-kafka-mock.sh'), output], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new StackStartError(`Could not build the Kafka mock launcher:\n${stderr}`);
  }
  return output;
}

function readFrom(file: string, offset: number): string {
  try {
    return fs.readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

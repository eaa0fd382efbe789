import * as path from 'node:path';
import { z } from 'zod';
import { clickhouseEnv, commonEnv, loadConfig, port, positiveInt } from '@faultline/config';
import { findRepoRoot } from './repo-root';

export const SERVICE_NAMES = ['ingestion', 'fingerprinter', 'aggregator', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The variable each app reads its own HTTP port from (see libs/config); the local stack sets the same one. */
export const SERVICE_PORT_VARIABLES = {
  ingestion: 'INGESTION_PORT',
  fingerprinter: 'FINGERPRINTER_PORT',
  aggregator: 'AGGREGATOR_PORT',
  gateway: 'GATEWAY_PORT',
} as const satisfies Record<ServiceName, string>;

const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['1', '0', 'true', 'false', ''])
    .default(fallback)
    .transform((value) => value === '1' || value === 'true');

/**
 * Everything the local stack (up/down/migrate, the test global setups) reads from the environment.
 * Redis and ClickHouse default to non-standard loopback ports so a machine's own servers never clash.
 */
export const localStackEnvSchema = z.object({
  FAULTLINE_HOME: z.string().min(1).optional(),
  FAULTLINE_REDIS_PORT: port(16379),
  FAULTLINE_CLICKHOUSE_HTTP_PORT: port(18123),
  FAULTLINE_CLICKHOUSE_TCP_PORT: port(19000),
  /** Set: use that Kafka cluster and start no broker. Unset: librdkafka's in-memory mock cluster. */
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined)),
  INGESTION_PORT: port(8126),
  /** The ingestion service's second listener, OTLP/HTTP: OpenTelemetry SDKs default to 4318. */
  INGESTION_OTLP_PORT: port(4318),
  FINGERPRINTER_PORT: port(8127),
  AGGREGATOR_PORT: port(8128),
  GATEWAY_PORT: port(4000),
  CLICKHOUSE_DATABASE: clickhouseEnv.CLICKHOUSE_DATABASE,
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  /** How long `up` waits for each dependency and service to report ready. */
  FAULTLINE_STARTUP_TIMEOUT_SECONDS: positiveInt(90),
  /** Development of the stack scripts only: skip apps whose compiled entrypoint does not exist. */
  FAULTLINE_SKIP_MISSING_APPS: flag('false'),
  /**
   * Redis holds the authoritative issue state (counts, status), so the local stack keeps it on disk
   * (append-only file under FAULTLINE_HOME) across down/up. Test stacks turn it off: they are thrown away.
   */
  FAULTLINE_REDIS_PERSISTENCE: flag('true'),
});

export interface LocalStackConfig {
  repoRoot: string;
  /** State directory: pids, logs, data, rendered configs. */
  home: string;
  redisPort: number;
  clickhouseHttpPort: number;
  clickhouseTcpPort: number;
  clickhouseDatabase: string;
  /** External cluster; undefined means the local Kafka mock. */
  externalKafkaBrokers: string | undefined;
  servicePorts: Record<ServiceName, number>;
  /** OTLP/HTTP port of the ingestion service (INGESTION_OTLP_PORT). */
  ingestionOtlpPort: number;
  logLevel: string;
  startupTimeoutMs: number;
  skipMissingApps: boolean;
  redisPersistence: boolean;
  /** Environment handed on to the services (they validate their own part of it). */
  inheritedEnv: NodeJS.ProcessEnv;
}

export function loadLocalStackConfig(env: NodeJS.ProcessEnv = process.env): LocalStackConfig {
  const parsed = loadConfig(localStackEnvSchema, env);
  const repoRoot = findRepoRoot();
  return {
    repoRoot,
    home: path.resolve(repoRoot, parsed.FAULTLINE_HOME ?? '.faultline'),
    redisPort: parsed.FAULTLINE_REDIS_PORT,
    clickhouseHttpPort: parsed.FAULTLINE_CLICKHOUSE_HTTP_PORT,
    clickhouseTcpPort: parsed.FAULTLINE_CLICKHOUSE_TCP_PORT,
    clickhouseDatabase: parsed.CLICKHOUSE_DATABASE,
    externalKafkaBrokers: parsed.KAFKA_BROKERS,
    servicePorts: {
      ingestion: parsed.INGESTION_PORT,
      fingerprinter: parsed.FINGERPRINTER_PORT,
      aggregator: parsed.AGGREGATOR_PORT,
      gateway: parsed.GATEWAY_PORT,
    },
    ingestionOtlpPort: parsed.INGESTION_OTLP_PORT,
    logLevel: parsed.LOG_LEVEL,
    startupTimeoutMs: parsed.FAULTLINE_STARTUP_TIMEOUT_SECONDS * 1000,
    skipMissingApps: parsed.FAULTLINE_SKIP_MISSING_APPS,
    redisPersistence: parsed.FAULTLINE_REDIS_PERSISTENCE,
    inheritedEnv: { ...env },
  };
}

/** Every port a service listens on, with the variable that sets it: the ingestion service has two. */
export function listenPortsOf(config: LocalStackConfig, name: ServiceName): { variable: string; port: number }[] {
  const ports: { variable: string; port: number }[] = [{ variable: SERVICE_PORT_VARIABLES[name], port: config.servicePorts[name] }];
  if (name === 'ingestion') ports.push({ variable: 'INGESTION_OTLP_PORT', port: config.ingestionOtlpPort });
  return ports;
}

/** Progress lines for a person watching `up`/`down` or a test run's setup. */
export type StackLog = (line: string) => void;

/** Left column of progress lines: the process name, padded to the longest one. */
export function label(name: string): string {
  return name.padEnd('fingerprinter'.length + 1);
}

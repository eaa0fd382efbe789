import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const commaList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
  .refine((items) => items.length > 0, 'must list at least one host:port');

export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bind address of the HTTP listener (health, metrics, API). Containers set 0.0.0.0. */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

const booleanFlag = (fallback: 'true' | 'false') =>
  z.enum(['true', 'false']).default(fallback).transform((value) => value === 'true');

/** An empty variable counts as unset (a chart or compose file may render `NAME=""`). */
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);
const optionalText = z.preprocess(emptyAsUnset, z.string().optional());

/** `host:port`, as a sentinel list is written. */
const hostPortList = commaList.pipe(
  z.array(
    z
      .string()
      .regex(/^[^\s:,]+:\d{1,5}$/, 'must be host:port')
      .transform((item) => {
        const separator = item.lastIndexOf(':');
        return { host: item.slice(0, separator), port: Number(item.slice(separator + 1)) };
      }),
  ),
);

export const kafkaEnv = {
  /** Comma-separated bootstrap brokers, e.g. `kafka-0:9092,kafka-1:9092`. */
  KAFKA_BROKERS: commaList,
  KAFKA_CLIENT_ID: z.string().min(1).default('faultline'),
  /**
   * Idempotent producer: a retried send is not written twice. On by default; only librdkafka's mock
   * cluster (local development) does not support it, and the local stack turns it off there.
   */
  KAFKA_IDEMPOTENT_PRODUCER: booleanFlag('true'),
  /** TLS to the brokers. Without KAFKA_SSL_CA_FILE the system CAs verify them. */
  KAFKA_SSL: booleanFlag('false'),
  /** PEM file of the CA that signed the brokers' certificates (read at start-up); needs KAFKA_SSL=true. */
  KAFKA_SSL_CA_FILE: optionalText,
  /** Verify the brokers' certificates. Turn off only to diagnose; the connection is then open to a man in the middle. */
  KAFKA_SSL_REJECT_UNAUTHORIZED: booleanFlag('true'),
  /** SASL authentication; when set, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required. */
  KAFKA_SASL_MECHANISM: z.preprocess(emptyAsUnset, z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional()),
  KAFKA_SASL_USERNAME: optionalText,
  KAFKA_SASL_PASSWORD: optionalText,
};

/**
 * The rules of kafkaEnv that span variables; every schema spreading kafkaEnv adds it with
 * `.check(kafkaEnvRules)`. It also runs when other variables are invalid, so one start-up names every problem.
 */
export const kafkaEnvRules = z.superRefine<Record<string, unknown>>(
  (env, context) => {
    const mechanism = env['KAFKA_SASL_MECHANISM'];
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
      if (mechanism && !env[variable]) {
        context.addIssue({ code: 'custom', path: [variable], message: `is required when KAFKA_SASL_MECHANISM is set (${String(mechanism)})` });
      }
      if (!mechanism && env[variable]) {
        context.addIssue({ code: 'custom', path: ['KAFKA_SASL_MECHANISM'], message: `must be set (plain, scram-sha-256 or scram-sha-512) when ${variable} is set` });
      }
    }
    if (env['KAFKA_SSL_CA_FILE'] && env['KAFKA_SSL'] !== true) {
      context.addIssue({ code: 'custom', path: ['KAFKA_SSL_CA_FILE'], message: 'is only used with KAFKA_SSL=true' });
    }
  },
  { when: () => true },
);

export const clickhouseEnv = {
  CLICKHOUSE_URL: z.url().default('http://127.0.0.1:18123'),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('faultline'),
  /**
   * A cluster of the ClickHouse servers' remote_servers config. Set: the migrations create the schema
   * ON CLUSTER (replicated shard tables behind Distributed tables, sharded by issue), inserts wait
   * until every shard has its rows, and IN subqueries read the shard's own tables. Unset or empty:
   * one server. Every component that talks to ClickHouse must get the same value.
   */
  CLICKHOUSE_CLUSTER: z.preprocess(
    emptyAsUnset,
    z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a remote_servers cluster name (letters, digits, _ . -)').optional(),
  ),
};

export const redisEnv = {
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:16379'),
  /**
   * Redis Sentinel: comma-separated sentinels (host:port) asked for the master of REDIS_SENTINEL_NAME.
   * The host of REDIS_URL is then ignored; its credentials, database and rediss:// (TLS) still apply,
   * to the master and to the sentinels.
   */
  REDIS_SENTINELS: z.preprocess(emptyAsUnset, hostPortList.optional()),
  /** The master group name the sentinels monitor (`sentinel monitor <name> ...`); required with REDIS_SENTINELS. */
  REDIS_SENTINEL_NAME: optionalText,
  /**
   * Redis Cluster: comma-separated seed nodes (host:port); the client discovers the other nodes from
   * them. The host of REDIS_URL is then ignored; its credentials and rediss:// (TLS) apply to every
   * node. A cluster has database 0 only, so REDIS_URL may not select another one.
   */
  REDIS_CLUSTER_NODES: z.preprocess(emptyAsUnset, hostPortList.optional()),
};

/** The rules of redisEnv that span variables; every schema spreading redisEnv adds it with `.check(redisEnvRules)`. */
export const redisEnvRules = z.superRefine<Record<string, unknown>>(
  (env, context) => {
    if (env['REDIS_SENTINELS'] && !env['REDIS_SENTINEL_NAME']) {
      context.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_NAME'], message: 'is required when REDIS_SENTINELS is set (the master group name)' });
    }
    if (!env['REDIS_SENTINELS'] && env['REDIS_SENTINEL_NAME']) {
      context.addIssue({ code: 'custom', path: ['REDIS_SENTINELS'], message: 'must list the sentinels (host:port,...) when REDIS_SENTINEL_NAME is set' });
    }
    if (env['REDIS_CLUSTER_NODES'] && env['REDIS_SENTINELS']) {
      context.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'cannot be set together with REDIS_SENTINELS (a cluster or a Sentinel-managed master, not both)' });
    }
    const database = typeof env['REDIS_URL'] === 'string' ? redisUrlDatabase(env['REDIS_URL']) : undefined;
    if (env['REDIS_CLUSTER_NODES'] && database !== undefined && database !== 0) {
      context.addIssue({ code: 'custom', path: ['REDIS_URL'], message: `selects database ${database}, but Redis Cluster has database 0 only (REDIS_CLUSTER_NODES is set): drop the /${database}` });
    }
  },
  { when: () => true },
);

/**
 * The database number a `redis://host:port/<db>` URL selects; undefined when it names none (or is not
 * a URL, which REDIS_URL's own check reports). Shared with libs/redis, which refuses it in cluster mode too.
 */
export function redisUrlDatabase(redisUrl: string): number | undefined {
  let pathname: string;
  try {
    pathname = new URL(redisUrl).pathname;
  } catch {
    return undefined;
  }
  const database = pathname.replace(/^\//, '');
  return database === '' ? undefined : Number(database);
}

/**
 * How many hours of per-issue hourly counters Redis keeps (older hours are read from ClickHouse).
 * The aggregator trims to it and the gateway reads Redis only within it, so both must agree.
 */
export const hourlyCountsEnv = {
  REDIS_HOURLY_COUNTS_RETENTION_HOURS: z.coerce.number().int().positive().default(14 * 24),
};

/** The validated Kafka connection settings, as every service's config holds them. */
export type KafkaEnv = z.infer<z.ZodObject<typeof kafkaEnv>>;
/** The validated Redis connection settings, as every service's config holds them. */
export type RedisEnv = z.infer<z.ZodObject<typeof redisEnv>>;

export { booleanFlag, port, positiveInt };

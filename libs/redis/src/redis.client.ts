import type { RedisEnv } from '@faultline/config';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export type { Cluster, Redis } from 'ioredis';

/**
 * What every store takes: a connection to one server (standalone, or the master Sentinel names) or
 * a Redis Cluster. Both run the same commands; what differs is that a Cluster pipeline, transaction
 * or script may only touch keys of one hash slot (see IssueStateKeys and exec-pipeline.ts).
 */
export type RedisClient = Redis | Cluster;

/** Whether `redis` is a Cluster client (a type guard: `isCluster` is a plain boolean on both classes). */
export function isRedisCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster === true;
}

export interface RedisClientOptions {
  /** Retries of one command across reconnects before it fails (and the caller's own retry takes over). */
  maxRetriesPerRequest?: number;
}

/**
 * Where a client connects, as libs/config's redisEnv validates it: REDIS_URL alone for a standalone
 * server, with REDIS_SENTINELS and REDIS_SENTINEL_NAME for a master found through Sentinel, or with
 * REDIS_CLUSTER_NODES for a Redis Cluster.
 */
export type RedisConnectionSettings = Pick<RedisEnv, 'REDIS_URL'> &
  Partial<Pick<RedisEnv, 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_CLUSTER_NODES'>>;

/** A connection's ioredis settings: a URL (standalone), or options alone; `clusterNodes` when it is a Cluster. */
export interface RedisConnectionOptions {
  url?: string;
  /** For a Cluster, the options of each node connection (ioredis `redisOptions`). */
  options: RedisOptions;
  clusterNodes?: { host: string; port: number }[];
}

/**
 * The ioredis options of a connection besides the URL (pure, so the spec can check the mapping).
 * Through Sentinel or Cluster, the URL's host is not used; its user, password and rediss:// (TLS)
 * apply to the master and the sentinels (as bitnami's chart configures them, auth.sentinel=true), or
 * to every cluster node. Its database applies through Sentinel; a Cluster has only database 0.
 */
export function redisConnectionOptions(settings: RedisConnectionSettings): RedisConnectionOptions {
  const sentinels = settings.REDIS_SENTINELS?.length ? settings.REDIS_SENTINELS : undefined;
  const clusterNodes = settings.REDIS_CLUSTER_NODES?.length ? settings.REDIS_CLUSTER_NODES : undefined;
  if (!sentinels && !clusterNodes) return { url: settings.REDIS_URL, options: {} };
  if (sentinels && clusterNodes) throw new Error('REDIS_CLUSTER_NODES and REDIS_SENTINELS cannot both be set');
  const url = new URL(settings.REDIS_URL);
  const username = decodeURIComponent(url.username) || undefined;
  const password = decodeURIComponent(url.password) || undefined;
  const database = url.pathname.replace(/^\//, '');
  const tls = url.protocol === 'rediss:';
  if (clusterNodes) {
    if (database !== '' && Number(database) !== 0) {
      throw new Error(`REDIS_URL selects database ${database}, but Redis Cluster (REDIS_CLUSTER_NODES) has database 0 only`);
    }
    return {
      clusterNodes: clusterNodes.map(({ host, port }) => ({ host, port })),
      options: { ...(username ? { username } : {}), ...(password ? { password } : {}), ...(tls ? { tls: {} } : {}) },
    };
  }
  if (!settings.REDIS_SENTINEL_NAME) throw new Error('REDIS_SENTINEL_NAME is required when REDIS_SENTINELS is set');
  return {
    options: {
      sentinels: sentinels?.map(({ host, port }) => ({ host, port })),
      name: settings.REDIS_SENTINEL_NAME,
      ...(username ? { username, sentinelUsername: username } : {}),
      ...(password ? { password, sentinelPassword: password } : {}),
      ...(database ? { db: Number(database) } : {}),
      ...(tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    },
  };
}

/** Reconnect with a capped backoff: 50 ms, 100 ms, ... up to 2 s between attempts. */
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 50, 2000);

/**
 * Connects at once. A command fails after a few reconnect attempts rather than waiting forever, so
 * a Redis outage surfaces to the consumer runtime, which backs off and retries the whole batch
 * (its offsets are not committed until the write succeeded). A string is REDIS_URL alone.
 */
export function createRedisClient(connection: string | RedisConnectionSettings, options: RedisClientOptions = {}): RedisClient {
  const { url, options: connectionOptions, clusterNodes } = redisConnectionOptions(typeof connection === 'string' ? { REDIS_URL: connection } : connection);
  const maxRetriesPerRequest = options.maxRetriesPerRequest ?? 3;
  if (clusterNodes) return createClusterClient(clusterNodes, connectionOptions, maxRetriesPerRequest);
  const clientOptions: RedisOptions = {
    ...connectionOptions,
    lazyConnect: false,
    maxRetriesPerRequest,
    connectionName: 'faultline',
    retryStrategy: reconnectDelayMs,
  };
  return url === undefined ? new Redis(clientOptions) : new Redis(url, clientOptions);
}

/**
 * A Cluster client with the standalone client's failure behaviour. ioredis queues the commands sent
 * while no node answers and, unlike a standalone client, never fails them on its own: after
 * `maxRetriesPerRequest` reconnect attempts of the whole cluster, each further attempt fails what is
 * queued (reconnecting goes on). A single failed node is ioredis's job: it follows MOVED and
 * refreshes the slot map, so the node connections themselves do not reconnect.
 */
function createClusterClient(nodes: { host: string; port: number }[], nodeOptions: RedisOptions, maxRetriesPerRequest: number): Cluster {
  const clusterOptions: ClusterOptions = {
    lazyConnect: false,
    redisOptions: { ...nodeOptions, maxRetriesPerRequest, connectionName: 'faultline' },
    clusterRetryStrategy: (attempt) => {
      if (attempt > maxRetriesPerRequest) failQueuedCommands(cluster, attempt);
      return reconnectDelayMs(attempt);
    },
  };
  const cluster = new Cluster(nodes, clusterOptions);
  return cluster;
}

/** `flushQueue` is ioredis Cluster's own (private) way of failing its offline queue, as on `end`. */
function failQueuedCommands(cluster: Cluster, attempt: number): void {
  const flushQueue = (cluster as unknown as { flushQueue?: (error: Error) => void }).flushQueue;
  flushQueue?.call(cluster, new Error(`Redis Cluster unreachable: no node answered in ${attempt - 1} reconnect attempts`));
}

/**
 * Readiness of a client for a health check (`HealthCheckResult`'s shape): ready only once connected
 * and not reconnecting, so a probe reports a Redis outage before the commands start failing. A
 * Cluster client is ready once it holds the slot map and its ready check (`cluster info`) passed.
 */
export function redisReadiness(redis: RedisClient): { ok: boolean; detail?: string } {
  const kind = isRedisCluster(redis) ? 'redis cluster' : 'redis';
  return redis.status === 'ready' ? { ok: true } : { ok: false, detail: `${kind} ${redis.status}` };
}

import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';

export type { ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseClientOptions {
  url: string;
  username: string;
  password: string;
  /**
   * Default database of the connection. Repositories and migrations qualify every table with the
   * database they are given, so nothing depends on it; leave it unset for the migration runner,
   * because the server rejects every request naming a database that does not exist yet.
   */
  database?: string;
  /** Per-request timeout; inserts of a full batch and the list queries finish far below it. */
  requestTimeoutMs?: number;
  /**
   * The remote_servers cluster the schema was migrated on (CLICKHOUSE_CLUSTER), so the tables are
   * Distributed ones; unset for one server.
   */
  cluster?: string | null;
}

/**
 * What every request sends when the tables are Distributed (see migration-template.ts); nothing for
 * one server. Both exist on 18.16 and current ClickHouse.
 * - insert_distributed_sync: an INSERT returns once every shard has stored its rows, not when they
 *   are queued on the receiving server, so the aggregator commits Kafka offsets only after the data
 *   is durable on its shard (and a failure of a shard fails the insert, which is then retried).
 * - distributed_product_mode = 'local': an `IN (subquery)` over a Distributed table inside a query on
 *   a Distributed table runs on each shard against the shard's own table. Every table is sharded by
 *   (tenant, issue_id) and every such subquery selects issues of one tenant, or keys that include the
 *   issue, so each shard holds all rows its part of the answer needs, and the results are those of
 *   one server without shipping sets between servers (the default 'deny' refuses these queries).
 */
export function clusterSettings(cluster: string | null | undefined): ClickHouseSettings {
  return cluster ? { insert_distributed_sync: 1, distributed_product_mode: 'local' } : {};
}

/**
 * The HTTP client shared by the repositories. `clickhouse_settings` holds only the cluster settings:
 * settings sent with a query must exist on both the 18.16 server developers run and current
 * ClickHouse, and the ones we might want (e.g. `allow_experimental_low_cardinality_type`) exist on only
 * one of them; server-side needs belong in the server's profile.
 */
export function createClickHouseClient(options: ClickHouseClientOptions): ClickHouseClient {
  return createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    database: options.database,
    request_timeout: options.requestTimeoutMs ?? 30_000,
    clickhouse_settings: clusterSettings(options.cluster),
    application: 'faultline',
  });
}

/** Readiness of a service that needs ClickHouse: the server answers a ping. Shape of a health check result. */
export async function clickhouseReadiness(client: ClickHouseClient): Promise<{ ok: boolean; detail?: string }> {
  return (await client.ping()).success ? { ok: true } : { ok: false, detail: 'ping failed' };
}

import { createClient, type ClickHouseClient } from '@clickhouse/client';

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
}

/**
 * The HTTP client shared by the repositories. `clickhouse_settings` stays empty on purpose: settings
 * sent with a query must exist on both the 18.16 server developers run and current ClickHouse, and
 * the ones we might want (e.g. `allow_experimental_low_cardinality_type`) exist on only one of them;
 * server-side needs belong in the server's profile.
 */
export function createClickHouseClient(options: ClickHouseClientOptions): ClickHouseClient {
  return createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    database: options.database,
    request_timeout: options.requestTimeoutMs ?? 30_000,
    clickhouse_settings: {},
    application: 'faultline',
  });
}

/** Readiness of a service that needs ClickHouse: the server answers a ping. Shape of a health check result. */
export async function clickhouseReadiness(client: ClickHouseClient): Promise<{ ok: boolean; detail?: string }> {
  return (await client.ping()).success ? { ok: true } : { ok: false, detail: 'ping failed' };
}

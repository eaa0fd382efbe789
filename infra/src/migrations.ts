import { createClickHouseClient, runMigrations } from '@faultline/clickhouse';
import { label, StackLog } from './stack-config';

export interface ClickHouseTarget {
  url: string;
  username: string;
  password: string;
  database: string;
  /** CLICKHOUSE_CLUSTER: migrate every host of this remote_servers cluster (ON CLUSTER, Distributed tables); unset for one server. */
  cluster?: string | null;
}

/** Longest one migration statement may take: backfills copy every stored occurrence (about a minute per 10 million on 2 cores). */
export const MIGRATION_TIMEOUT_MS = 60 * 60 * 1000;

/** Applies the numbered migrations of libs/clickhouse to `database` (created if missing). Returns the ones applied now. */
export async function applyMigrations(target: ClickHouseTarget, log: StackLog): Promise<string[]> {
  // No default database on the connection: it may not exist yet (see createClickHouseClient). Backfill
  // migrations (INSERT ... SELECT over every stored occurrence) run for minutes on a large table.
  const client = createClickHouseClient({
    url: target.url,
    username: target.username,
    password: target.password,
    cluster: target.cluster,
    requestTimeoutMs: MIGRATION_TIMEOUT_MS,
  });
  try {
    return await runMigrations(client, target.database, { log: (message) => log(`${label('migrate')}${message}`), cluster: target.cluster });
  } finally {
    await client.close();
  }
}

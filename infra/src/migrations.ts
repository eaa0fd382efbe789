import { createClickHouseClient, runMigrations } from '@faultline/clickhouse';
import { label, StackLog } from './stack-config';

export interface ClickHouseTarget {
  url: string;
  username: string;
  password: string;
  database: string;
}

/** Applies the numbered migrations of libs/clickhouse to `database` (created if missing). Returns the ones applied now. */
export async function applyMigrations(target: ClickHouseTarget, log: StackLog): Promise<string[]> {
  // No default database on the connection: it may not exist yet (see createClickHouseClient).
  const client = createClickHouseClient({ url: target.url, username: target.username, password: target.password });
  try {
    return await runMigrations(client, target.database, (message) => log(`${label('migrate')}${message}`));
  } finally {
    await client.close();
  }
}

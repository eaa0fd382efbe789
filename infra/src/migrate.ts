/**
 * `npm run migrate`: applies ClickHouse migrations to the database named by CLICKHOUSE_* (defaults
 * match the local stack), e.g. against a staging or production server, or with CLICKHOUSE_CLUSTER
 * to every host of a cluster.
 */
import { loadConfig } from '@faultline/config';
import { migrateEnvSchema } from './job-env';
import { applyMigrations } from './migrations';

async function main(): Promise<void> {
  const env = loadConfig(migrateEnvSchema);
  const applied = await applyMigrations(
    {
      url: env.CLICKHOUSE_URL,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE,
      cluster: env.CLICKHOUSE_CLUSTER,
    },
    (line) => console.log(line),
  );
  console.log(applied.length > 0 ? `applied ${applied.length} migration(s) to ${env.CLICKHOUSE_DATABASE}` : `${env.CLICKHOUSE_DATABASE} is up to date`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

import { createClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { describeClickHouseContract, type ClickHouseTarget } from '../test/clickhouse-contract';
import { describeIssueListContract } from '../test/issue-list-contract';
import { clusterSettings } from './clickhouse.client';
import { loadMigrations, runMigrations } from './migrate';
import { renderMigrationStatement } from './migration-template';

// Users run current ClickHouse while the local stack runs Debian's 18.16: the same migrations and
// repository calls run here on the current engine embedded through chdb, plugged into the same
// @clickhouse/client, so SQL that works on only one of the two fails the test command.
// chdb types its Connection against @clickhouse/client-common, which @clickhouse/client 1.23.1 now
// bundles as its own copy: the shapes agree at runtime but TypeScript sees two distinct declarations.
const connection = createChdbConnection({ path: ':memory:' }) as unknown as ClickHouseClientConfigOptions['connection'];
const target: ClickHouseTarget = {
  client: createClient({ connection }),
  database: `fl_current_${process.pid}`,
};

beforeAll(async () => {
  await runMigrations(target.client, target.database);
});

afterAll(async () => {
  await target.client.close();
});

describe('current ClickHouse (chdb)', () => {
  it('is a current release', async () => {
    const result = await target.client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
    const [{ version }] = await result.json<{ version: string }>();
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  // chdb is one embedded server: no cluster to run the cluster schema on (the 18.16 cluster spec does).
  // What can drift between versions is checked here: the rendered cluster DDL parses and the cluster
  // settings exist.
  it('parses every migration statement as rendered for a cluster, and accepts the cluster settings', async () => {
    const rendered = loadMigrations().flatMap((migration) =>
      migration.statements.flatMap((statement) => renderMigrationStatement(statement, { database: target.database, cluster: 'faultline' })),
    );
    expect(rendered.filter((statement) => statement.includes(' ON CLUSTER `faultline`')).length).toBeGreaterThan(20);
    const refused: string[] = [];
    for (const statement of rendered) {
      await target.client.command({ query: `EXPLAIN AST ${statement}` }).catch((error: Error) => refused.push(`${statement.split('\n')[0]}: ${error.message}`));
    }
    expect(refused).toEqual([]);
    const result = await target.client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow', clickhouse_settings: clusterSettings('faultline') });
    expect(await result.json()).toEqual([{ one: 1 }]);
  });

  describeClickHouseContract(() => target);
  describeIssueListContract(() => target);
});

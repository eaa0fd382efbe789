import { createClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { describeClickHouseContract, type ClickHouseTarget } from '../test/clickhouse-contract';
import { describeIssueListContract } from '../test/issue-list-contract';
import { runMigrations } from './migrate';

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

  describeClickHouseContract(() => target);
  describeIssueListContract(() => target);
});

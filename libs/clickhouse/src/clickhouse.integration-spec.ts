import { describeClickHouseContract, type ClickHouseTarget } from '../test/clickhouse-contract';
import { describeIssueListContract } from '../test/issue-list-contract';
import { optionalEnv, requireEnv } from '../test/integration-env';
import { createClickHouseClient } from './clickhouse.client';

// The ClickHouse server of the local stack (Debian's 18.16 in development), with the run's fresh
// database already migrated by the integration global setup.
const target: ClickHouseTarget = {
  client: createClickHouseClient({
    url: requireEnv('CLICKHOUSE_URL'),
    username: optionalEnv('CLICKHOUSE_USER', 'default'),
    password: optionalEnv('CLICKHOUSE_PASSWORD', ''),
    database: requireEnv('CLICKHOUSE_DATABASE'),
  }),
  database: requireEnv('CLICKHOUSE_DATABASE'),
};

afterAll(async () => {
  await target.client.close();
});

describe('ClickHouse server', () => {
  it('answers', async () => {
    const result = await target.client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
    const [{ version }] = await result.json<{ version: string }>();
    expect(version).toMatch(/^\d+\.\d+/);
  });

  describeClickHouseContract(() => target);
  describeIssueListContract(() => target);
});

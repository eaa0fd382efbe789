import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { describeClickHouseContract, storageTables, type ClickHouseTarget } from '../test/clickhouse-contract';
import { describeIssueListContract } from '../test/issue-list-contract';
import { hexId, occurrenceMessage, uniqueTenant } from '../test/fixtures';
import { optionalEnv, requireEnv } from '../test/integration-env';
import { clusterSettings, createClickHouseClient } from './clickhouse.client';
import { loadMigrations, runMigrations } from './migrate';
import { OccurrenceRepository } from './occurrence.repository';
import { toOccurrenceRow } from './occurrence-row';
import { raw, sql, sqlIdentifier } from './sql';

// The schema and every repository read on a real cluster: ZooKeeper and two ClickHouse servers (Debian's
// 18.16 here), one shard each, started by the integration global setup. The migrations run ON CLUSTER
// through the first server; the shared contracts then write and read through the Distributed tables of
// that server, so every read merges both shards.
const startError = optionalEnv('CLICKHOUSE_CLUSTER_START_ERROR_FOR_TESTS', '');
if (startError) throw new Error(`the integration global setup could not start the ClickHouse cluster: ${startError}`);
const CLUSTER = requireEnv('CLICKHOUSE_CLUSTER_NAME_FOR_TESTS');
const URLS = requireEnv('CLICKHOUSE_CLUSTER_URLS_FOR_TESTS').split(',');
const DATABASE = `fl_cluster_${process.pid}`;

/**
 * As the services' client (clusterSettings), plus insert_deduplicate = 0: Replicated tables drop an
 * INSERT whose block equals a recent one, and the contracts insert the same batch twice on purpose
 * to prove that reads count unmerged redelivered copies once.
 */
function clusterClient(url: string): ClickHouseClient {
  return createClient({ url, username: 'default', password: '', clickhouse_settings: { ...clusterSettings(CLUSTER), insert_deduplicate: 0 } });
}

const hosts = URLS.map(clusterClient);
const target: ClickHouseTarget = { client: hosts[0], database: DATABASE, cluster: { name: CLUSTER, hosts } };

beforeAll(async () => {
  expect(await runMigrations(target.client, DATABASE, { cluster: CLUSTER })).toEqual(loadMigrations().map((migration) => migration.name));
}, 120_000);

afterAll(async () => {
  await target.client.command({ query: sql`DROP DATABASE IF EXISTS ${raw(sqlIdentifier(DATABASE))} ON CLUSTER ${raw(sqlIdentifier(CLUSTER))}`.text });
  for (const host of hosts) await host.close();
});

describe('ClickHouse cluster (2 shards)', () => {
  it('has two servers, each its own shard of the cluster', async () => {
    expect(hosts).toHaveLength(2);
    for (const [index, host] of hosts.entries()) {
      const [row] = await select<{ shard: string; hosts: number | string }>(
        host,
        sql`SELECT (SELECT substitution FROM system.macros WHERE macro = 'shard') AS shard,
          (SELECT count() FROM system.clusters WHERE cluster = ${CLUSTER}) AS hosts`.text,
      );
      expect({ shard: row.shard, hosts: Number(row.hosts) }).toEqual({ shard: `0${index + 1}`, hosts: 2 });
    }
  });

  it('created replicated shard tables behind Distributed tables on every host, and the bookkeeping on every host', async () => {
    for (const host of hosts) {
      const tables = await select<{ name: string; engine: string }>(
        host,
        sql`SELECT name, engine FROM system.tables WHERE database = ${DATABASE} AND engine != 'MaterializedView' ORDER BY name`.text,
      );
      const engines = Object.fromEntries(tables.map((table) => [table.name, table.engine]));
      for (const table of ['occurrences', 'issues', 'issue_hourly_counts', 'occurrences_by_issue', 'issue_facet_values', 'issue_representatives']) {
        expect({ table, engine: engines[table] }).toEqual({ table, engine: 'Distributed' });
        expect({ table, engine: engines[`${table}_local`] }).toEqual({ table, engine: expect.stringMatching(/^Replicated\w*MergeTree$/) });
      }
      expect(engines['schema_migrations']).toBe('ReplicatedMergeTree');
      // Every host sees every applied migration, whichever host the runner talked to.
      const [applied] = await select<{ n: number | string }>(host, sql`SELECT count() AS n FROM ${raw(sqlIdentifier(DATABASE))}.schema_migrations`.text);
      expect(Number(applied.n)).toBe(loadMigrations().length);
    }
  });

  it('migrates again through either host without applying anything', async () => {
    for (const host of hosts) expect(await runMigrations(host, DATABASE, { cluster: CLUSTER })).toEqual([]);
  });

  it('refuses a cluster the servers do not know', async () => {
    await expect(runMigrations(target.client, `${DATABASE}_unknown`, { cluster: 'no_such_cluster' })).rejects.toThrow(/not in the server's remote_servers/);
  });

  it('returns from an insert through the services\' client only once every shard has stored its rows', async () => {
    // The client the services build (createClickHouseClient with the cluster), not the contracts' one.
    const client = createClickHouseClient({ url: URLS[0], username: 'default', password: '', cluster: CLUSTER });
    try {
      const tenant = uniqueTenant('sync');
      const rows = Array.from({ length: 40 }, (_, index) => toOccurrenceRow(occurrenceMessage({ tenant, occurrenceId: hexId(tenant, index) }), `issue-${index}`));
      await new OccurrenceRepository(client, DATABASE).insert(rows);
      // Read at once from the shard tables themselves: nothing may still sit in a Distributed queue.
      const perShard: number[] = [];
      for (const storage of storageTables(target, 'occurrences')) {
        const [row] = await select<{ n: number | string }>(storage.client, sql`SELECT count() AS n FROM ${storage.table} WHERE tenant = ${tenant}`.text);
        perShard.push(Number(row.n));
      }
      expect(perShard.reduce((sum, n) => sum + n, 0)).toBe(rows.length);
      expect(perShard.every((n) => n > 0)).toBe(true);
      // `timestamp` (DEFAULT on a cluster) was computed, not left zero, and each shard's view copied its rows.
      const db = raw(sqlIdentifier(DATABASE));
      const [counts] = await select<{ epoch: number | string; by_issue: number | string }>(
        client,
        sql`SELECT (SELECT countIf(toUInt32(timestamp) = 0) FROM ${db}.occurrences WHERE tenant = ${tenant}) AS epoch,
          (SELECT count() FROM ${db}.occurrences_by_issue WHERE tenant = ${tenant}) AS by_issue`.text,
      );
      expect([Number(counts.epoch), Number(counts.by_issue)]).toEqual([0, rows.length]);
    } finally {
      await client.close();
    }
  });

  describeClickHouseContract(() => target);
  describeIssueListContract(() => target);

  // Last, after the contracts' rows are in: sharding by issue must have put rows on both shards (or
  // the contracts proved nothing about merging shards), and each issue's rows on one shard only.
  it("spread the contracts' rows over both shards, each issue on one shard", async () => {
    for (const table of ['occurrences', 'issues', 'issue_hourly_counts', 'occurrences_by_issue', 'issue_facet_values', 'issue_representatives']) {
      const issuesPerShard: Set<string>[] = [];
      for (const storage of storageTables(target, table)) {
        const rows = await select<{ issue: string }>(storage.client, sql`SELECT DISTINCT concat(tenant, '/', issue_id) AS issue FROM ${storage.table}`.text);
        issuesPerShard.push(new Set(rows.map((row) => row.issue)));
      }
      expect({ table, shardsWithRows: issuesPerShard.filter((issues) => issues.size > 0).length }).toEqual({ table, shardsWithRows: 2 });
      expect({ table, onBothShards: [...issuesPerShard[0]].filter((issue) => issuesPerShard[1].has(issue)) }).toEqual({ table, onBothShards: [] });
    }
  });
});

async function select<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

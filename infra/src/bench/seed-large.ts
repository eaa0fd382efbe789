/**
 * `npm run seed:large`: the explorer benchmark's data set on the bench stack (see bench-stack.ts).
 * Builds nothing itself (the npm script builds first), brings the bench stack up with the real `up`
 * CLI, wipes the default tenant's data there, writes SEED_OCCURRENCES occurrences (default 10 million)
 * over SEED_ISSUES issues (default 10 000) and 30 days into ClickHouse, derives the hourly counts and
 * the issue projection from them, writes the matching Redis state, checks that the gateway's store
 * reads it back as ClickHouse has it, and prints what it wrote.
 */
import { createClickHouseClient, raw, sql, type ClickHouseClient } from '@faultline/clickhouse';
import { DEFAULT_TENANT } from '@faultline/contracts';
import { createRedisClient, deleteKeysMatching, IssueStateKeys, IssueStateMeta, IssueStateStore, type RedisClient } from '@faultline/redis';
import { BENCH_DATABASE, benchStack, loadBenchEnv, upBenchStack } from './bench-stack';
import { buildCatalog } from './seed-catalog';
import { CATALOG_TABLE, createCatalogTable, dropSeedDatabase, insertHourlyCounts, insertIssues, insertOccurrences } from './seed-sql';
import { writeRedisState } from './seed-redis';

const DAYS = 30;
const DAY_MS = 24 * 3_600_000;
/** Rows per INSERT ... SELECT: bounded memory on 18.16 (max_memory_usage 2 GB) and progress lines. */
const OCCURRENCES_PER_INSERT = 2_000_000;
const TABLES = ['occurrences', 'issues', 'issue_hourly_counts', 'occurrences_by_issue'] as const;

async function main(): Promise<void> {
  const env = loadBenchEnv();
  const stack = benchStack();
  const started = Date.now();
  await upBenchStack(stack);

  const clickhouse = createClickHouseClient({ url: stack.clickhouseUrl, username: 'default', password: '', requestTimeoutMs: 30 * 60_000 });
  const redis = createRedisClient(stack.redisUrl);
  try {
    const nowMs = Date.now();
    const windowStartMs = nowMs - DAYS * DAY_MS;
    console.log(`\nseed: ${env.SEED_OCCURRENCES} occurrences over ${env.SEED_ISSUES} issues and ${DAYS} days, ending ${new Date(nowMs).toISOString()}`);

    await wipeClickHouse(clickhouse);
    const deletedKeys = await wipeRedis(redis);
    console.log(`seed: wiped tenant ${DEFAULT_TENANT} (ClickHouse tables, ${deletedKeys} Redis keys)`);

    let phase = Date.now();
    const catalog = buildCatalog(env.SEED_ISSUES, nowMs, DAYS);
    for (const statement of createCatalogTable()) await clickhouse.command({ query: statement.text });
    await clickhouse.insert({ table: CATALOG_TABLE, values: catalog, format: 'JSONEachRow' });
    console.log(`seed: catalog of ${catalog.length} issues from the grouping corpus (${seconds(phase)} s)`);

    phase = Date.now();
    for (let offset = 0; offset < env.SEED_OCCURRENCES; offset += OCCURRENCES_PER_INSERT) {
      const count = Math.min(OCCURRENCES_PER_INSERT, env.SEED_OCCURRENCES - offset);
      await clickhouse.command({
        query: insertOccurrences({ database: BENCH_DATABASE, offset, count, issueCount: env.SEED_ISSUES, nowMs, windowStartMs }).text,
      });
      console.log(`seed: occurrences ${offset + count}/${env.SEED_OCCURRENCES} (${seconds(phase)} s)`);
    }

    phase = Date.now();
    await clickhouse.command({ query: insertHourlyCounts(BENCH_DATABASE).text });
    const revision = nowMs * 1000;
    await clickhouse.command({ query: insertIssues(BENCH_DATABASE, revision).text });
    console.log(`seed: issue_hourly_counts and issues derived (${seconds(phase)} s)`);

    phase = Date.now();
    const written = await writeRedisState({
      clickhouse,
      database: BENCH_DATABASE,
      redis,
      catalog,
      nowMs,
      hourlyRetentionHours: env.REDIS_HOURLY_COUNTS_RETENTION_HOURS,
    });
    // Complete state: without the marker the aggregator would take Redis for emptied and rebuild it all.
    await new IssueStateMeta(redis).markState(`seed:large ${new Date(nowMs).toISOString()}`);
    console.log(`seed: Redis state of ${written.issues} issues, ${written.hourlyFields} hourly fields (${seconds(phase)} s)`);
    await clickhouse.command({ query: dropSeedDatabase().text });

    phase = Date.now();
    await verify(clickhouse, redis, nowMs, env.REDIS_HOURLY_COUNTS_RETENTION_HOURS);
    console.log(`seed: verified Redis against ClickHouse (${seconds(phase)} s)`);

    await report(clickhouse, started);
  } finally {
    redis.disconnect();
    await clickhouse.close();
  }
}

/**
 * Empties the default tenant's rows. The bench stack normally holds nothing else, so a table without
 * other tenants is truncated (instant); otherwise a DELETE mutation runs and is waited for.
 */
async function wipeClickHouse(clickhouse: ClickHouseClient): Promise<void> {
  for (const table of TABLES) {
    const qualified = raw(`${BENCH_DATABASE}.${table}`);
    const others = await scalar(clickhouse, sql`SELECT count() FROM ${qualified} WHERE tenant != ${DEFAULT_TENANT}`.text);
    if (others === 0) {
      await clickhouse.command({ query: sql`TRUNCATE TABLE ${qualified}`.text });
      continue;
    }
    await clickhouse.command({ query: sql`ALTER TABLE ${qualified} DELETE WHERE tenant = ${DEFAULT_TENANT}`.text });
    for (;;) {
      const pending = await scalar(
        clickhouse,
        sql`SELECT count() FROM system.mutations WHERE database = ${BENCH_DATABASE} AND table = ${table} AND is_done = 0`.text,
      );
      if (pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Deletes every key of the default tenant's issues (all carry the `{tenant:issueId}` hash tag; every master of a Cluster). */
async function wipeRedis(redis: RedisClient): Promise<number> {
  return deleteKeysMatching(redis, `fl:${new IssueStateKeys().tag(DEFAULT_TENANT, '').slice(0, -1)}*`, 5000);
}

/**
 * Fails loudly unless the gateway's store reads every seeded issue back with ClickHouse's count, and
 * the hourly counters of sampled issues (the largest ones and a spread of the rest) equal the
 * ClickHouse hourly table over the hours Redis keeps.
 */
async function verify(clickhouse: ClickHouseClient, redis: RedisClient, nowMs: number, retentionHours: number): Promise<void> {
  const store = new IssueStateStore(redis, new IssueStateKeys(), { hourlyRetentionHours: retentionHours });
  const issues = await (
    await clickhouse.query({
      query: sql`SELECT issue_id, occurrence_count, last_version FROM ${raw(`${BENCH_DATABASE}.issues`)}
        WHERE tenant = ${DEFAULT_TENANT} ORDER BY occurrence_count DESC, issue_id`.text,
      format: 'JSONEachRow',
    })
  ).json<{ issue_id: string; occurrence_count: number | string; last_version: string | null }>();
  const failures: string[] = [];
  const batch = 200;
  for (let start = 0; start < issues.length; start += batch) {
    const slice = issues.slice(start, start + batch);
    const records = await Promise.all(slice.map((issue) => store.findIssue(DEFAULT_TENANT, issue.issue_id)));
    slice.forEach((issue, index) => {
      const record = records[index];
      if (!record) failures.push(`${issue.issue_id}: not found in Redis`);
      else if (record.count !== Number(issue.occurrence_count)) failures.push(`${issue.issue_id}: Redis count ${record.count}, ClickHouse ${issue.occurrence_count}`);
      else if (record.lastVersion !== issue.last_version) failures.push(`${issue.issue_id}: Redis lastVersion ${record.lastVersion}, ClickHouse ${issue.last_version}`);
    });
  }

  const fromMs = (Math.floor(nowMs / 3_600_000) - retentionHours) * 3_600_000;
  const toMs = nowMs + 1;
  const sampleIndexes = [0, 1, 2, 10, 100, 1000, Math.floor(issues.length / 2), issues.length - 1].filter((index) => index < issues.length);
  for (const index of new Set(sampleIndexes)) {
    const issueId = issues[index].issue_id;
    const fromRedis = (await store.hourlyCounts(DEFAULT_TENANT, issueId, fromMs, toMs)).filter((hour) => hour.count > 0);
    const fromClickHouse = await (
      await clickhouse.query({
        query: sql`SELECT hour_start_ms, max(count) AS count FROM ${raw(`${BENCH_DATABASE}.issue_hourly_counts`)}
          WHERE tenant = ${DEFAULT_TENANT} AND issue_id = ${issueId} AND hour_start_ms >= ${fromMs} AND hour_start_ms < ${toMs}
          GROUP BY hour_start_ms ORDER BY hour_start_ms`.text,
        format: 'JSONEachRow',
      })
    ).json<{ hour_start_ms: number | string; count: number | string }>();
    const redisText = fromRedis.map((hour) => `${hour.hourStartMs}:${hour.count}`).join(',');
    const clickhouseText = fromClickHouse.map((hour) => `${hour.hour_start_ms}:${hour.count}`).join(',');
    if (redisText !== clickhouseText) failures.push(`${issueId}: hourly counts differ (Redis ${fromRedis.length} hours, ClickHouse ${fromClickHouse.length})`);
  }
  if (failures.length > 0) {
    throw new Error(`Redis state does not match ClickHouse for ${failures.length} checks:\n  ${failures.slice(0, 20).join('\n  ')}`);
  }
}

async function report(clickhouse: ClickHouseClient, started: number): Promise<void> {
  const rows = await (
    await clickhouse.query({
      query: sql`SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes, sum(data_uncompressed_bytes) AS uncompressed
        FROM system.parts WHERE database = ${BENCH_DATABASE} AND active GROUP BY table ORDER BY table`.text,
      format: 'JSONEachRow',
    })
  ).json<{ table: string; rows: number | string; bytes: number | string; uncompressed: number | string }>();
  const issueCount = await scalar(clickhouse, sql`SELECT uniqExact(issue_id) FROM ${raw(`${BENCH_DATABASE}.issues`)} WHERE tenant = ${DEFAULT_TENANT}`.text);
  const largest = await scalar(clickhouse, sql`SELECT max(occurrence_count) FROM ${raw(`${BENCH_DATABASE}.issues`)} WHERE tenant = ${DEFAULT_TENANT}`.text);
  console.log('\nSeeded the bench stack (ClickHouse http://127.0.0.1:38123, database faultline; Redis 36379; GraphQL :34000):');
  let totalBytes = 0;
  for (const row of rows) {
    totalBytes += Number(row.bytes);
    console.log(`  ${row.table.padEnd(20)} ${String(row.rows).padStart(11)} rows  ${mib(Number(row.bytes)).padStart(9)} on disk (${mib(Number(row.uncompressed))} uncompressed)`);
  }
  console.log(`  issues: ${issueCount} (largest: ${largest} occurrences)`);
  console.log(`  ClickHouse on disk: ${mib(totalBytes)}`);
  console.log(`  total time: ${seconds(started)} s`);
}

async function scalar(clickhouse: ClickHouseClient, query: string): Promise<number> {
  const text = await (await clickhouse.query({ query, format: 'TabSeparated' })).text();
  return Number(text.trim());
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

main().catch((error: unknown) => {
  console.error(`\nseed:large failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = 1;
});

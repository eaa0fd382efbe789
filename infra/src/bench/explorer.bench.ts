/**
 * `npm run bench:explorer`: explorer requests against the bench stack's gateway over HTTP, as a
 * frontend sends them (POST /graphql, JSON), after `npm run seed:large`. Restarts the bench stack
 * first, so the gateway runs the build the npm script just made (the data stays). For each scenario:
 * BENCH_WARMUP untimed requests, then BENCH_ITERATIONS timed ones, one at a time; prints p50/p95/max
 * and the verdict against the issue's targets (lists and facets p95 < 100 ms, detail p95 < 150 ms).
 * Any response with `errors` fails the scenario and the bench (exit code 1). Then lists the slowest
 * ClickHouse queries of the run from system.query_log with the rows and bytes they read.
 */
import { createClickHouseClient, raw, sql, type ClickHouseClient } from '@faultline/clickhouse';
import { DEFAULT_TENANT } from '@faultline/contracts';
import { BENCH_DATABASE, benchStack, downBenchStack, loadBenchEnv, upBenchStack, writeBenchClickHouseOverrides } from './bench-stack';

const HOUR_MS = 3_600_000;
const LIST_TARGET_MS = 100;
const DETAIL_TARGET_MS = 150;

const LIST_FIELDS = `
  totalCount
  pageInfo { hasNextPage endCursor }
  edges { cursor node {
    id errorType messageTemplate culprit status count firstSeen lastSeen isNew regression
    countSeries(from: $seriesFrom, to: $seriesTo, interval: "1h") { at count }
  } }`;

const LIST_QUERY = `query IssueList($filter: IssueFilter, $sort: IssueSort, $after: String, $seriesFrom: DateTime!, $seriesTo: DateTime!) {
  issues(filter: $filter, sort: $sort, first: 25, after: $after) {${LIST_FIELDS}
  }
}`;

const DETAIL_QUERY = `query IssueDetail($id: ID!, $from: DateTime!, $to: DateTime!) {
  issue(id: $id) {
    id errorType errorMessage messageTemplate culprit service status assignee
    count firstSeen lastSeen firstVersion lastVersion isNew regression envs
    countSeries(from: $from, to: $to, interval: "1h") { at count }
    versions: tagDistribution(key: "version") { value count percentage }
    hosts: tagDistribution(key: "host") { value count percentage }
    routes: tagDistribution(key: "http.route") { value count percentage }
    latestOccurrence { timestamp version host stack tags { key value } }
    representativeOccurrences { timestamp version host traceIdHex }
    affectedTraces
    history { at actor action from to }
  }
}`;

const FACETS_QUERY = `query Facets($filter: IssueFilter) {
  facets(keys: ["service", "env", "version", "http.route"], filter: $filter) { key values { value count } }
}`;

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface Scenario {
  name: string;
  targetMs: number;
  query: string;
  variables: () => Record<string, unknown>;
}

interface Result {
  scenario: Scenario;
  timings: number[];
  error: string | null;
}

async function main(): Promise<void> {
  const env = loadBenchEnv();
  const stack = benchStack();
  // A restart, so the services run the current build (`up` alone leaves running ones alone).
  await downBenchStack(stack);
  writeBenchClickHouseOverrides(stack);
  await upBenchStack(stack).catch(async () => {
    // ClickHouse may hold its port a moment after `down` returned: one more try after a pause.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await upBenchStack(stack);
  });

  const clickhouse = createClickHouseClient({ url: stack.clickhouseUrl, username: 'default', password: '', requestTimeoutMs: 120_000 });
  try {
    const picks = await pickIssues(clickhouse);
    const nowMs = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const sparkline = { seriesFrom: iso(nowMs - 24 * HOUR_MS), seriesTo: iso(nowMs) };
    const filter = { service: picks.service, env: 'production', search: picks.search, from: iso(nowMs - 7 * 24 * HOUR_MS), to: iso(nowMs) };
    const scenarios: Scenario[] = [
      { name: 'list: default (25, sparklines)', targetMs: LIST_TARGET_MS, query: LIST_QUERY, variables: () => ({ ...sparkline }) },
      {
        name: `list: service+env+search+7d, COUNT`,
        targetMs: LIST_TARGET_MS,
        query: LIST_QUERY,
        variables: () => ({ ...sparkline, filter, sort: { field: 'COUNT', direction: 'DESC' } }),
      },
      {
        name: `list: service+env+7d, RELEVANCE`,
        targetMs: LIST_TARGET_MS,
        query: LIST_QUERY,
        variables: () => ({ ...sparkline, filter: { ...filter, search: undefined }, sort: { field: 'RELEVANCE', direction: 'DESC' } }),
      },
      { name: 'list: RELEVANCE, no filter', targetMs: LIST_TARGET_MS, query: LIST_QUERY, variables: () => ({ ...sparkline, sort: { field: 'RELEVANCE', direction: 'DESC' } }) },
      ...picks.details.map(
        (issue): Scenario => ({
          name: `detail: #${issue.rank} (${issue.count} occ.)`,
          targetMs: DETAIL_TARGET_MS,
          query: DETAIL_QUERY,
          variables: () => ({ id: issue.id, from: iso(nowMs - 14 * 24 * HOUR_MS), to: iso(nowMs) }),
        }),
      ),
      { name: 'facets: 4 keys, no filter', targetMs: LIST_TARGET_MS, query: FACETS_QUERY, variables: () => ({}) },
      {
        name: 'facets: 4 keys, service+7d',
        targetMs: LIST_TARGET_MS,
        query: FACETS_QUERY,
        variables: () => ({ filter: { service: picks.service, from: filter.from, to: filter.to } }),
      },
    ];

    console.log(`\nexplorer bench: ${stack.graphqlUrl}, ${env.BENCH_WARMUP} warm-up + ${env.BENCH_ITERATIONS} timed requests per scenario`);
    console.log(`  filter: service=${picks.service} env=production search=${JSON.stringify(picks.search)} last 7 days\n`);
    const runStartedAt = new Date();
    const results: Result[] = [];
    for (const scenario of scenarios) results.push(await run(stack.graphqlUrl, scenario, env.BENCH_WARMUP, env.BENCH_ITERATIONS));

    // Page 2: the cursor of a first page, then `after` it (the snapshot stays valid 15 minutes).
    const firstPage = await post(stack.graphqlUrl, LIST_QUERY, { ...sparkline });
    const endCursor = (firstPage.data?.issues as { pageInfo?: { endCursor?: string } } | undefined)?.pageInfo?.endCursor;
    const pageTwo: Scenario = {
      name: 'list: page 2 (after)',
      targetMs: LIST_TARGET_MS,
      query: LIST_QUERY,
      variables: () => ({ ...sparkline, after: endCursor }),
    };
    results.push(
      firstPage.errors || !endCursor
        ? { scenario: pageTwo, timings: [], error: firstPage.errors?.[0]?.message ?? 'first page has no endCursor' }
        : await run(stack.graphqlUrl, pageTwo, env.BENCH_WARMUP, env.BENCH_ITERATIONS),
    );

    printResults(results);
    await printSlowQueries(clickhouse, runStartedAt);
    if (results.some((result) => result.error !== null)) {
      console.error('\nexplorer bench FAILED: some responses had errors (see above)');
      process.exitCode = 1;
    }
  } finally {
    await clickhouse.close();
  }
}

/** Issues for the detail scenarios (by size rank: the largest, then down the tail) and a filter that matches data. */
async function pickIssues(clickhouse: ClickHouseClient): Promise<{
  details: { rank: number; id: string; count: number }[];
  service: string;
  search: string;
}> {
  const issues = await (
    await clickhouse.query({
      query: sql`SELECT issue_id, max(occurrence_count) AS count, any(service) AS service, any(error_type) AS error_type
        FROM ${raw(`${BENCH_DATABASE}.issues`)} WHERE tenant = ${DEFAULT_TENANT} GROUP BY issue_id ORDER BY count DESC, issue_id`.text,
      format: 'JSONEachRow',
    })
  ).json<{ issue_id: string; count: number | string; service: string; error_type: string }>();
  if (issues.length === 0) throw new Error('the bench stack has no issues: run `npm run seed:large` first');
  const ranks = [1, 10, 100, 1000, Math.ceil(issues.length / 2)].filter((rank) => rank <= issues.length);
  const details = [...new Set(ranks)].map((rank) => ({ rank, id: issues[rank - 1].issue_id, count: Number(issues[rank - 1].count) }));
  // The largest issue's service, searched for the error type of one of its mid-sized issues.
  const service = issues[0].service;
  const inService = issues.filter((issue) => issue.service === service);
  const search = inService[Math.min(10, inService.length - 1)].error_type;
  return { details, service, search };
}

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse;
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
  }
}

async function run(url: string, scenario: Scenario, warmup: number, iterations: number): Promise<Result> {
  const timings: number[] = [];
  for (let index = 0; index < warmup + iterations; index++) {
    const started = process.hrtime.bigint();
    const response = await post(url, scenario.query, scenario.variables());
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.errors && response.errors.length > 0) {
      const [first] = response.errors;
      return { scenario, timings, error: `${first.extensions?.code ?? 'ERROR'}: ${first.message}` };
    }
    if (!response.data) return { scenario, timings, error: 'no data in the response' };
    if (index >= warmup) timings.push(elapsedMs);
  }
  return { scenario, timings, error: null };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function printResults(results: Result[]): void {
  const width = Math.max(...results.map((result) => result.scenario.name.length));
  console.log(`${'scenario'.padEnd(width)}   p50 ms   p95 ms   max ms   target   verdict`);
  for (const { scenario, timings, error } of results) {
    if (error !== null) {
      console.log(`${scenario.name.padEnd(width)}   FAILED: ${error.slice(0, 300)}`);
      continue;
    }
    const sorted = [...timings].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    const cells = [percentile(sorted, 50), p95, sorted[sorted.length - 1]].map((value) => value.toFixed(1).padStart(8));
    console.log(`${scenario.name.padEnd(width)} ${cells.join(' ')}   <${String(scenario.targetMs).padStart(4)}    ${p95 < scenario.targetMs ? 'ok' : 'MISSED'}`);
  }
}

/** The slowest ClickHouse queries since `since` (the gateway's, during the timed runs). */
async function printSlowQueries(clickhouse: ClickHouseClient, since: Date): Promise<void> {
  try {
    await clickhouse.command({ query: 'SYSTEM FLUSH LOGS' });
    const sinceSec = Math.floor(since.getTime() / 1000);
    const rows = await (
      await clickhouse.query({
        query: sql`SELECT count() AS runs, round(quantileExact(0.95)(query_duration_ms)) AS p95_ms, round(avg(read_rows)) AS read_rows,
            round(avg(read_bytes) / 1048576, 1) AS read_mib, any(substring(replaceRegexpAll(query, '[[:space:]]+', ' '), 1, 240)) AS sample
          FROM system.query_log
          WHERE type = 2 AND event_time >= toDateTime(${sinceSec}) AND query NOT LIKE '%system.%' 
          GROUP BY normalized
          ORDER BY p95_ms DESC LIMIT 8`.text.replace('GROUP BY normalized', 'GROUP BY substring(replaceRegexpAll(query, \'[0-9a-f]{16}|[0-9]{10,}\', \'?\'), 1, 160)'),
        format: 'JSONEachRow',
      })
    ).json<{ runs: number | string; p95_ms: number | string; read_rows: number | string; read_mib: number | string; sample: string }>();
    console.log('\nslowest ClickHouse queries of the run (system.query_log, by p95):');
    for (const row of rows) {
      console.log(`  ${String(row.p95_ms).padStart(5)} ms p95  ${String(row.read_rows).padStart(9)} rows  ${String(row.read_mib).padStart(6)} MiB  x${row.runs}  ${row.sample}`);
    }
  } catch (error) {
    console.log(`\n(no query log: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}

main().catch((error: unknown) => {
  console.error(`\nbench:explorer failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = 1;
});

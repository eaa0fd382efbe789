import { createHash } from 'node:crypto';
import {
  createClickHouseClient,
  IssueHourlyCountsRepository,
  IssueListQueries,
  IssueRepository,
  OccurrenceRepository,
  toOccurrenceRow,
  type ClickHouseClient,
} from '@faultline/clickhouse';
import { DEFAULT_TENANT, type OccurrenceMessage } from '@faultline/contracts';
import { trackedValues } from '@faultline/domain';
import { createRedisClient, isRedisCluster, IssueStateStore, ListSnapshotStore, type RedisClient } from '@faultline/redis';
import { CountSeriesSource } from '../issue-detail/count-series.loader';
import { IssueListService } from '../issue-list/issue-list.service';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { createApolloServer } from './graphql.server';
import { ClickHouseIssueReader } from './issue-reader.adapter';
import { createRequestContext } from './request-context';

/*
 * What an explorer page costs in round trips, counted on the real ClickHouse and Redis clients: a
 * page of 100 issues with counts, two sparklines (one served by Redis, one reaching back into
 * ClickHouse), three tag distributions, frames, latest and representative occurrences, affected
 * traces and history must cost the same number of queries as a page of 10. The same page on the
 * run's Redis Cluster costs one round trip per master for each batched Redis read.
 */

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration specs through the jest "integration" project`);
  return value;
}

const HOUR = 3_600_000;
const NOW = Date.now();
const database = requireEnv('CLICKHOUSE_DATABASE');
const clickhouse = createClickHouseClient({
  url: requireEnv('CLICKHOUSE_URL'),
  username: process.env['CLICKHOUSE_USER'] ?? 'default',
  password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
  database,
});
const redis = createRedisClient(requireEnv('REDIS_URL'));
const clusterRedis = createRedisClient({
  REDIS_URL: 'redis://',
  REDIS_CLUSTER_NODES: requireEnv('REDIS_CLUSTER_NODES_FOR_TESTS')
    .split(',')
    .map((node) => ({ host: node.slice(0, node.lastIndexOf(':')), port: Number(node.slice(node.lastIndexOf(':') + 1)) })),
});
const service = `batching-${process.pid}-${NOW.toString(36)}`;

/** Round trips made through the wrapped clients since the last reset. */
const trips = { clickhouse: 0, redis: 0 };

/** The ClickHouse client, counting every query. */
function countingClickHouse(client: ClickHouseClient): ClickHouseClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'query') return (...args: Parameters<ClickHouseClient['query']>) => ((trips.clickhouse += 1), target.query(...args));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The Redis client, counting each pipeline or transaction as one round trip and every other command as one. */
function countingRedis(client: RedisClient): RedisClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'pipeline' || property === 'multi') {
        return (...args: unknown[]) => {
          const batch = (value as (...a: unknown[]) => { exec: () => Promise<unknown> }).apply(target, args);
          const exec = batch.exec.bind(batch);
          batch.exec = () => ((trips.redis += 1), exec());
          return batch;
        };
      }
      return (...args: unknown[]) => ((trips.redis += 1), (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

const counted = { clickhouse: countingClickHouse(clickhouse) };
const reader = new ClickHouseIssueReader({
  issues: new IssueRepository(counted.clickhouse, database),
  lists: new IssueListQueries(counted.clickhouse, database),
  occurrences: new OccurrenceRepository(counted.clickhouse, database),
  hourlyCounts: new IssueHourlyCountsRepository(counted.clickhouse, database),
});

/** The gateway's explorer on one Redis deployment (its client counted). */
function explorerOn(client: RedisClient) {
  const countedRedis = countingRedis(client);
  const stateStore = new IssueStateStore(countedRedis);
  const workflow = new IssueWorkflow(stateStore, new IssueRepository(clickhouse, database), reader, { publish: async () => undefined });
  const series = new CountSeriesSource(reader, stateStore, 336, () => NOW);
  const lists = new IssueListService(reader, new ListSnapshotStore(countedRedis, 60), 10_000, () => NOW);
  const server = createApolloServer({ reader, lists, groupingConfig: {} as never, workflow, now: () => NOW }, { introspection: false, limits: { maxDepth: 8, maxCost: 100_000 }, ide: false });
  return { stateStore, workflow, series, server };
}
const standalone = explorerOn(redis);
const onCluster = explorerOn(clusterRedis);

const ISSUES = 120;

/** 120 issues of one service, 2 occurrences each (two hosts, two versions), stored as the aggregator stores them. */
beforeAll(async () => {
  const messages: OccurrenceMessage[] = [];
  for (let issue = 0; issue < ISSUES; issue++) {
    for (let copy = 0; copy < 2; copy++) {
      const spanId = String(1_000_000 + issue * 10 + copy);
      messages.push({
        schema: 'occurrence/v1',
        occurrenceId: createHash('sha256').update(`${service}/${spanId}`).digest('hex').slice(0, 32),
        tenant: DEFAULT_TENANT,
        fingerprint: `fp-${issue}`,
        fingerprintVersion: 2,
        timestampMs: NOW - (issue + 1) * 60_000 - copy * 1000,
        receivedAt: NOW,
        traceId: spanId,
        traceIdHex: spanId.padStart(32, '0'),
        spanId,
        service,
        env: 'production',
        version: `1.${copy}.0`,
        host: `web-${copy}`,
        container: null,
        resource: 'GET /orders',
        errorType: 'TypeError',
        errorMessage: `boom ${issue}`,
        messageTemplate: 'boom <num>',
        stack: `TypeError: boom ${issue}\n    at handler (app.js:1:1)`,
        frames: [{ function: 'handler', file: 'app.js', module: null, line: 1, column: 1, inApp: true }],
        culprit: 'handler (app.js)',
        tags: { 'http.route': '/orders', 'user.id': 'u-1' },
      });
    }
  }
  const issueIdOf = (message: OccurrenceMessage) => createHash('sha256').update(message.fingerprint).digest('hex').slice(0, 16);
  await new OccurrenceRepository(clickhouse, database).insert(messages.map((message) => toOccurrenceRow(message, issueIdOf(message))));
  const occurrences = messages.map((message) => ({ ...message, issueId: issueIdOf(message), values: trackedValues(message) }));
  const recorded = await new IssueStateStore(redis).recordOccurrences(occurrences, 48);
  await new IssueStateStore(clusterRedis).recordOccurrences(occurrences, 48);
  await new IssueRepository(clickhouse, database).upsert(recorded.map(({ record }) => record));
  await new IssueHourlyCountsRepository(clickhouse, database).insert(
    recorded.flatMap(({ record, hourlyCounts }) => hourlyCounts.map((count) => ({ tenant: record.tenant, issueId: record.issueId, ...count }))),
  );
});

afterAll(async () => {
  await clickhouse.close();
  await redis.quit();
  await clusterRedis.quit();
});

const PAGE = `query($service: String!, $first: Int!, $dayAgo: DateTime!, $monthAgo: DateTime!, $now: DateTime!) {
  issues(filter: { service: $service }, sort: { field: RELEVANCE }, first: $first) {
    totalCount
    edges { node {
      id count firstSeen lastSeen isNew
      sparkline: countSeries(from: $dayAgo, to: $now, interval: "1h") { count }
      month: countSeries(from: $monthAgo, to: $now, interval: "1d") { count }
      versions: tagDistribution(key: "version") { value count percentage }
      hosts: tagDistribution(key: "host") { value count }
      routes: tagDistribution(key: "http.route", limit: 3) { value }
      users: tagDistribution(key: "user.id") { value count percentage }
      frames { function }
      latestOccurrence { stack }
      representativeOccurrences(limit: 5) { version host }
      affectedTraces
      history { action }
    } }
  }
}`;

async function page(
  first: number,
  { server, workflow, series, stateStore } = standalone,
): Promise<{ data: { issues: { totalCount: number; edges: { node: Record<string, unknown> }[] } }; trips: typeof trips }> {
  trips.clickhouse = 0;
  trips.redis = 0;
  const response = await server.executeOperation(
    {
      query: PAGE,
      variables: {
        service,
        first,
        dayAgo: new Date(NOW - 24 * HOUR).toISOString(),
        monthAgo: new Date(NOW - 30 * 24 * HOUR).toISOString(),
        now: new Date(NOW).toISOString(),
      },
    },
    { contextValue: createRequestContext({ reader, history: workflow, series, trackedValues: stateStore }) },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  expect(response.body.singleResult.errors).toBeUndefined();
  return { data: response.body.singleResult.data as never, trips: { ...trips } };
}

describe('explorer page cost (real ClickHouse and Redis)', () => {
  it('answers a full page with every detail field', async () => {
    const { data } = await page(100);
    expect(data.issues.totalCount).toBe(ISSUES);
    expect(data.issues.edges).toHaveLength(100);
    const node = data.issues.edges[0].node;
    expect(node).toMatchObject({
      count: 2,
      versions: [
        { value: '1.0.0', count: 1, percentage: 50 },
        { value: '1.1.0', count: 1, percentage: 50 },
      ],
      hosts: [
        { value: 'web-0', count: 1 },
        { value: 'web-1', count: 1 },
      ],
      routes: [{ value: '/orders' }],
      users: [{ value: 'u-1', count: 2, percentage: 100 }],
      frames: [{ function: 'handler' }],
      affectedTraces: 2,
      history: [{ action: 'created' }],
    });
    expect((node.sparkline as { count: number }[]).reduce((sum, point) => sum + point.count, 0)).toBe(2);
    expect((node.month as { count: number }[]).reduce((sum, point) => sum + point.count, 0)).toBe(2);
    expect(node.representativeOccurrences).toHaveLength(2);
  });

  it('costs the same bounded number of round trips for 10 issues as for 100', async () => {
    const small = await page(10);
    const large = await page(100);
    expect(large.trips).toEqual(small.trips);
    // ClickHouse: list order, the page's issues, frames, latest, representative, traces, the distribution
    // of an untracked key, and the month series' hours older than Redis keeps. Redis: the list snapshot,
    // the two series, history, and the distributions of the three tracked keys (version, host, http.route).
    expect(large.trips).toEqual({ clickhouse: 8, redis: 7 });
  });

  it('on a Redis Cluster, answers the same page with one round trip per master for each batched Redis read', async () => {
    await clusterRedis.ping();
    if (!isRedisCluster(clusterRedis)) throw new Error('expected a Redis Cluster client');
    const masters = clusterRedis.nodes('master').length;
    expect(masters).toBe(3);
    const expected = await page(100);
    const large = await page(100, onCluster);
    expect(large.data).toEqual(expected.data);
    // The snapshot's transaction stays on one node; the six batched reads (two series, history, three
    // tracked distributions) over 100 issues go to every master, in parallel.
    expect(large.trips).toEqual({ clickhouse: 8, redis: 1 + 6 * masters });
  });
});

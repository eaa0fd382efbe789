import type { IssueRecord } from '@faultline/contracts';
import { IssueHourlyCountsRepository } from '../src/issue-hourly-counts.repository';
import { HOUR_MS, IssueListQueries, type IssueListFilter, type IssueSort } from '../src/issue-list.queries';
import { toOccurrenceRow } from '../src/occurrence-row';
import { OccurrenceRepository } from '../src/occurrence.repository';
import { IssueRepository } from '../src/issue.repository';
import { loadMigrations } from '../src/migrate';
import { renderMigrationStatement } from '../src/migration-template';
import { raw, sql } from '../src/sql';
import { TRACKED_VALUE_KEYS, trackedValues } from '@faultline/domain';
import { hexId, issueRecord, occurrenceMessage, uniqueTenant } from './fixtures';
import type { ClickHouseTarget } from './clickhouse-contract';

// 2026-11-20T12:00:00Z, an hour boundary; NOW is 15 minutes into the next hour.
const T = 1_795_176_000_000;
const NOW = T + HOUR_MS + 15 * 60_000;

interface Fixture {
  tenant: string;
  ids: Record<'steady' | 'spike' | 'old' | 'fresh' | 'ignored', string>;
}

/**
 * The explorer's list queries (orders, filters, facets) on every supported ClickHouse. Five issues
 * with known hourly counts and occurrences; every expectation is derived from those by hand.
 */
export function describeIssueListContract(target: () => ClickHouseTarget): void {
  let queries: IssueListQueries;
  let fixture: Fixture;

  beforeAll(async () => {
    const { client, database } = target();
    queries = new IssueListQueries(client, database);
    fixture = await seed(target());
  });

  const order = (filter: IssueListFilter, sort: IssueSort, limit = 100) => queries.orderedIds(fixture.tenant, filter, sort, NOW, limit);
  const names = (ids: string[]) => ids.map((id) => Object.entries(fixture.ids).find(([, value]) => value === id)?.[0] ?? id);

  describe('issue list queries', () => {
    it('orders by last seen, first seen and total count, both directions, ties by id', async () => {
      expect(names((await order({}, { field: 'LAST_SEEN', direction: 'DESC' })).ids)).toEqual(['spike', 'steady', 'fresh', 'ignored', 'old']);
      expect(names((await order({}, { field: 'LAST_SEEN', direction: 'ASC' })).ids)).toEqual(['old', 'ignored', 'fresh', 'steady', 'spike']);
      expect(names((await order({}, { field: 'FIRST_SEEN', direction: 'DESC' })).ids)).toEqual(['fresh', 'spike', 'ignored', 'steady', 'old']);
      expect(names((await order({}, { field: 'COUNT', direction: 'DESC' })).ids)).toEqual(['steady', 'old', 'ignored', 'spike', 'fresh']);
    });

    it('counts within a time range from the hourly counts, largest row per hour, and leaves out issues not seen in it', async () => {
      // The last two hours: steady 10 + 10, spike 2 + 40 (two rows for one hour: 30 and 40), fresh 3.
      const range = { fromMs: T, toMs: NOW };
      const result = await order(range, { field: 'COUNT', direction: 'DESC' });
      expect(names(result.ids)).toEqual(['spike', 'steady', 'fresh']);
      expect(result.totalCount).toBe(3);
      // A narrower filter aggregates only its issues' hours (grouping instead of FINAL): same counts.
      expect(names((await order({ ...range, service: 'checkout' }, { field: 'COUNT', direction: 'ASC' })).ids)).toEqual(['steady', 'spike']);
      expect(names((await order({ service: 'checkout' }, { field: 'RELEVANCE', direction: 'DESC' })).ids)).toEqual(['spike', 'steady', 'ignored', 'old']);
      // `from` mid-hour counts the whole hour; an open end counts everything after `from`.
      expect(names((await order({ fromMs: T - 30 * 60_000 }, { field: 'COUNT', direction: 'DESC' })).ids)).toEqual(['spike', 'steady', 'fresh']);
      expect(names((await order({ toMs: T - 3 * HOUR_MS }, { field: 'COUNT', direction: 'DESC' })).ids)).toEqual(['steady', 'old', 'ignored']);
    });

    it('ranks by relevance: a spike above a steady flood, the flood above a trickle, stale issues last by last seen', async () => {
      // spike 15.7 (45 today, 42 in the last two hours, no usual rate), steady 10.4 (240 today at its usual
      // rate), fresh 5.3 (3, 55 minutes ago), ignored and old 0 (nothing in the last day).
      const result = await order({}, { field: 'RELEVANCE', direction: 'DESC' });
      expect(names(result.ids)).toEqual(['spike', 'steady', 'fresh', 'ignored', 'old']);
      expect(names((await order({}, { field: 'RELEVANCE', direction: 'ASC' })).ids)).toEqual(['old', 'ignored', 'fresh', 'steady', 'spike']);
    });

    it('filters on issue fields, first seen, version and span tags', async () => {
      const ids = async (filter: IssueListFilter) => names((await order(filter, { field: 'LAST_SEEN', direction: 'DESC' })).ids);
      expect(await ids({ statuses: ['FOR_REVIEW', 'REVIEWED', 'RESOLVED'] })).toEqual(['spike', 'steady', 'fresh', 'old']);
      expect(await ids({ service: 'billing' })).toEqual(['fresh']);
      expect(await ids({ firstSeenAfterMs: T - 4 * HOUR_MS })).toEqual(['spike', 'fresh']);
      expect(await ids({ firstSeenAfterMs: T - 3 * HOUR_MS + 1 })).toEqual(['fresh']);
      expect(await ids({ version: '2.0.0' })).toEqual(['spike', 'steady']);
      expect(await ids({ version: '2.0.0', fromMs: T })).toEqual(['spike']);
      expect(await ids({ tags: [{ key: 'http.route', value: '/checkout' }] })).toEqual(['spike', 'old']);
      expect(await ids({ tags: [{ key: 'http.route', value: '/checkout' }, { key: 'host', value: 'web-2' }] })).toEqual(['old']);
      expect(await ids({ tags: [{ key: 'http.route', value: "/it's; DROP TABLE issues" }] })).toEqual([]);
      expect(await ids({ search: 'LEDGER', service: 'billing' })).toEqual(['fresh']);
    });

    it('stops at the limit and still counts every match', async () => {
      const result = await order({}, { field: 'LAST_SEEN', direction: 'DESC' }, 2);
      expect(names(result.ids)).toEqual(['spike', 'steady']);
      expect(result.totalCount).toBe(5);
      // COUNT in a range counts only the issues seen in it, beyond the limit too.
      const ranged = await order({ fromMs: T, toMs: NOW }, { field: 'COUNT', direction: 'DESC' }, 1);
      expect(names(ranged.ids)).toEqual(['spike']);
      expect(ranged.totalCount).toBe(3);
      await expect(order({}, { field: 'LAST_SEEN', direction: 'DESC' }, 0)).rejects.toThrow(RangeError);
    });

    it('counts issues per facet value for the filter, from the issues or from their occurrences', async () => {
      const facets = await queries.facets(fixture.tenant, {}, ['service', 'status', 'env', 'version', 'http.route', 'missing.tag'], 10);
      expect(facets.get('service')).toEqual([
        { value: 'checkout', count: 4 },
        { value: 'billing', count: 1 },
      ]);
      expect(facets.get('status')).toEqual([
        { value: 'FOR_REVIEW', count: 3 },
        { value: 'IGNORED', count: 1 },
        { value: 'RESOLVED', count: 1 },
      ]);
      expect(facets.get('env')).toEqual([
        { value: 'production', count: 5 },
        { value: 'staging', count: 1 },
      ]);
      expect(facets.get('version')).toEqual([
        { value: '1.0.0', count: 4 },
        { value: '2.0.0', count: 2 },
      ]);
      expect(facets.get('http.route')).toEqual([
        { value: '/checkout', count: 2 },
        { value: '/cart', count: 1 },
        { value: '/pay', count: 1 },
      ]);
      expect(facets.get('missing.tag')).toEqual([]);

      // Occurrence keys count within the range's UTC days: on T's day steady and spike both have 1.0.0
      // and 2.0.0 (a tie, broken by value); the tag scan path (user tags) is exact to the millisecond.
      const filtered = await queries.facets(fixture.tenant, { service: 'checkout', fromMs: T }, ['version', 'service', 'http.route'], 1);
      expect(filtered.get('version')).toEqual([{ value: '1.0.0', count: 2 }]);
      expect(filtered.get('service')).toEqual([{ value: 'checkout', count: 2 }]);
      expect(filtered.get('http.route')).toEqual([{ value: '/cart', count: 1 }]);
      const later = await queries.facets(fixture.tenant, { service: 'checkout', fromMs: T + 24 * HOUR_MS }, ['version'], 5);
      expect(later.get('version')).toEqual([]);
    });

    it('counts tracked values per issue as the aggregator does (the same values as trackedValues), each occurrence once', async () => {
      const { client, database } = target();
      const tenant = uniqueTenant('tracked');
      const issueId = hexId(tenant, 'issue').slice(0, 16);
      const messages = [
        occurrenceMessage({ tenant, spanId: '1', tags: { 'http.route': '/a', 'process.runtime.name': 'nodejs', 'process.runtime.version': '20.19.0' } }),
        occurrenceMessage({ tenant, spanId: '2', host: null, tags: { 'http.route': '/a', language: 'javascript', 'language.version': 'v20' } }),
        occurrenceMessage({ tenant, spanId: '3', version: null, env: null, tags: { 'http.status_code': '502', 'user.id': 'x' } }),
      ];
      const rows = messages.map((message) => toOccurrenceRow(message, issueId));
      await new OccurrenceRepository(client, database).insert([...rows, rows[0]]);
      const counted = await new OccurrenceRepository(client, database).trackedValueCountsByIssues(tenant, [issueId, 'none'], TRACKED_VALUE_KEYS);
      const expected = new Map<string, number>();
      for (const message of messages) for (const [key, value] of trackedValues(message)) expected.set(`${key}=${value}`, (expected.get(`${key}=${value}`) ?? 0) + 1);
      const actual = new Map((counted.get(issueId) ?? []).map(({ key, value, count }) => [`${key}=${value}`, count]));
      expect(actual).toEqual(expected);
      expect(actual.get('runtime=nodejs 20.19.0')).toBe(1);
      expect(actual.get('runtime=javascript v20')).toBe(1);
      expect(counted.has('none')).toBe(false);

      // The facet table's view (migrations/0011) writes the same values for the keys it holds.
      const facetRows = await (
        await client.query({ query: sql`SELECT DISTINCT key, value FROM ${raw(`${database}.issue_facet_values`)} WHERE tenant = ${tenant}`.text, format: 'JSONEachRow' })
      ).json<{ key: string; value: string }>();
      const occurrenceKeys = [...expected.keys()].filter((entry) => !entry.startsWith('service=') && !entry.startsWith('env='));
      expect(facetRows.map(({ key, value }) => `${key}=${value}`).sort()).toEqual(occurrenceKeys.sort());
    });

    it('backfills hourly counts from stored occurrences (migration 0008), each occurrence once, safely twice', async () => {
      const { client, database } = target();
      const tenant = uniqueTenant('backfill');
      const issueId = hexId(tenant, 'issue').slice(0, 16);
      const rows = [0, 1, 2].map((n) => toOccurrenceRow(occurrenceMessage({ tenant, spanId: String(7000 + n), timestampMs: T + n * 20 * 60_000 }), issueId));
      // Spans at T, T+20 min and T+40 min, one in the next hour, and that one again as a redelivery stores it.
      rows.push(toOccurrenceRow(occurrenceMessage({ tenant, spanId: '7100', timestampMs: T + HOUR_MS + 1 }), issueId));
      await new OccurrenceRepository(client, database).insert([...rows, rows[3]]);
      const runStatement = async (statement: string) => {
        for (const query of renderMigrationStatement(statement, { database, cluster: target().cluster?.name })) await client.command({ query });
      };
      const migration = loadMigrations().find((candidate) => candidate.name === '0008_backfill_issue_hourly_counts');
      if (!migration) throw new Error('migration 0008 is missing');
      for (let run = 0; run < 2; run++) {
        for (const statement of migration.statements) await runStatement(statement);
      }
      // The by-issue copy (0009's view, 0010's backfill run again here) reads each occurrence once too.
      for (const name of ['0010_backfill_occurrences_by_issue', '0014_backfill_issue_representatives']) {
        const backfill = loadMigrations().find((candidate) => candidate.name === name);
        if (!backfill) throw new Error(`migration ${name} is missing`);
        for (const statement of backfill.statements) await runStatement(statement);
      }
      // One (version, host) pair: its newest occurrence, once.
      const representatives = await new OccurrenceRepository(client, database).representativeByIssues(tenant, [issueId], 5);
      expect(representatives.get(issueId)?.map((row) => row.timestampMs)).toEqual([T + HOUR_MS + 1]);
      const distribution = await new OccurrenceRepository(client, database).valueCountsByIssues(tenant, [issueId], 'version', 5);
      expect(distribution.get(issueId)).toEqual({ total: 4, values: [{ value: '1.4.2', count: 4 }] });
      const counts = await new IssueHourlyCountsRepository(client, database).countsByIssues(tenant, [issueId], T, T + 2 * HOUR_MS);
      expect(counts.get(issueId)).toEqual(
        new Map([
          [T, 3],
          [T + HOUR_MS, 1],
        ]),
      );
    });
  });
}

/**
 * steady:  checkout, 10 per hour for the last 7 days (1680), versions 1.0.0 then 2.0.0, route /cart.
 * spike:   checkout, first seen 3 h before T, 2 in hour T, 40 in the current hour, version 2.0.0 (T) and 1.0.0, route /checkout.
 * old:     checkout, 500 in one hour 20 days ago, RESOLVED, /checkout on web-2.
 * fresh:   billing, 3 in hour T, message about the ledger, env staging too, route /pay.
 * ignored: checkout, IGNORED, 5 an hour 2 days ago.
 */
async function seed({ client, database }: ClickHouseTarget): Promise<Fixture> {
  const tenant = uniqueTenant('list');
  const ids = {
    steady: hexId(tenant, 'steady').slice(0, 16),
    spike: hexId(tenant, 'spike').slice(0, 16),
    old: hexId(tenant, 'old').slice(0, 16),
    fresh: hexId(tenant, 'fresh').slice(0, 16),
    ignored: hexId(tenant, 'ignored').slice(0, 16),
  };
  const currentHour = T + HOUR_MS;
  const records: IssueRecord[] = [
    record(tenant, ids.steady, { count: 1680, firstSeenMs: currentHour - 167 * HOUR_MS, lastSeenMs: NOW - 10 * 60_000 }),
    record(tenant, ids.spike, { count: 45, firstSeenMs: T - 3 * HOUR_MS, lastSeenMs: NOW - 60_000 }),
    record(tenant, ids.old, { count: 500, firstSeenMs: T - 20 * 24 * HOUR_MS, lastSeenMs: T - 20 * 24 * HOUR_MS + 1000, status: 'RESOLVED' }),
    record(tenant, ids.fresh, {
      count: 3,
      firstSeenMs: T + 5 * 60_000,
      lastSeenMs: T + 20 * 60_000,
      service: 'billing',
      errorMessage: 'Ledger entry 42 is locked',
      envs: ['production', 'staging'],
    }),
    record(tenant, ids.ignored, { count: 120, firstSeenMs: T - 48 * HOUR_MS, lastSeenMs: T - 25 * HOUR_MS, status: 'IGNORED' }),
  ];
  // A stale revision written late must not count: the spike's revision 1 said RESOLVED and had another
  // first message (the service never differs: the issue id hashes it).
  await new IssueRepository(client, database).upsert([
    { ...records[1], revision: 1, status: 'RESOLVED', errorMessage: 'Ledger entry 7 is locked' },
    ...records.map((issue) => ({ ...issue, revision: 2 })),
  ]);

  const hourly: { issueId: string; hourStartMs: number; count: number }[] = [];
  for (let hour = currentHour - 167 * HOUR_MS; hour <= currentHour; hour += HOUR_MS) hourly.push({ issueId: ids.steady, hourStartMs: hour, count: 10 });
  hourly.push(
    { issueId: ids.spike, hourStartMs: T - 3 * HOUR_MS, count: 3 },
    { issueId: ids.spike, hourStartMs: T, count: 2 },
    { issueId: ids.spike, hourStartMs: currentHour, count: 30 },
    { issueId: ids.spike, hourStartMs: currentHour, count: 40 },
    { issueId: ids.old, hourStartMs: T - 20 * 24 * HOUR_MS, count: 500 },
    { issueId: ids.fresh, hourStartMs: T, count: 3 },
  );
  for (let hour = T - 48 * HOUR_MS; hour < T - 24 * HOUR_MS; hour += HOUR_MS) hourly.push({ issueId: ids.ignored, hourStartMs: hour, count: 5 });
  await new IssueHourlyCountsRepository(client, database).insert(hourly.map((count) => ({ tenant, ...count })));

  // A few occurrences per issue carry the versions, hosts and routes the occurrence-level filters read.
  let span = 0;
  const occurrence = (issueId: string, timestampMs: number, version: string, route: string, host = 'web-1') =>
    toOccurrenceRow(
      occurrenceMessage({ tenant, spanId: String(1000 + span++), timestampMs, version, host, tags: { 'http.route': route } }),
      issueId,
    );
  const rows = [
    occurrence(ids.steady, currentHour - 100 * HOUR_MS, '1.0.0', '/cart'),
    occurrence(ids.steady, T - 5 * HOUR_MS, '2.0.0', '/cart'),
    occurrence(ids.steady, T + 10 * 60_000, '1.0.0', '/cart'),
    occurrence(ids.spike, T - 3 * HOUR_MS, '1.0.0', '/checkout'),
    occurrence(ids.spike, currentHour + 60_000, '2.0.0', '/checkout'),
    occurrence(ids.old, T - 20 * 24 * HOUR_MS, '1.0.0', '/checkout', 'web-2'),
    occurrence(ids.fresh, T + 5 * 60_000, '1.0.0', '/pay'),
  ];
  // A redelivered copy must not count twice anywhere.
  await new OccurrenceRepository(client, database).insert([...rows, rows[4]]);
  return { tenant, ids };
}

function record(tenant: string, issueId: string, overrides: Partial<IssueRecord>): IssueRecord {
  return issueRecord({ tenant, issueId, fingerprint: issueId, service: 'checkout', envs: ['production'], ...overrides });
}

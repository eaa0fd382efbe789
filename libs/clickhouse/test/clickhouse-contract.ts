import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import type { IssueRecord, OccurrenceMessage } from '@faultline/contracts';
import { AutoResolveQueries, type AutoResolveCandidate, type CandidateCursor } from '../src/auto-resolve.queries';
import { CounterRebuildQueries } from '../src/counter-rebuild.queries';
import { InvalidCursorError } from '../src/cursor';
import { IssueListQueries, type IssueListFilter } from '../src/issue-list.queries';
import { IssueRepository } from '../src/issue.repository';
import { loadMigrations, MigrationChecksumError, MIGRATIONS_DIR, runMigrations } from '../src/migrate';
import { LOCAL_TABLE_SUFFIX, onClusterClause } from '../src/migration-template';
import { fromOccurrenceRow, toOccurrenceRow } from '../src/occurrence-row';
import { InvalidOccurrenceKeyError, type OccurrenceConditions } from '../src/occurrence-fields';
import { IssueHourlyCountsRepository } from '../src/issue-hourly-counts.repository';
import { OccurrenceRepository } from '../src/occurrence.repository';
import { raw, sql, sqlIdentifier, type SqlFragment } from '../src/sql';
import { toIssueRow } from '../src/issue-row';
import { DAY_MS, hexId, HOUR_MS, issueDetailOccurrences, issueRecord, occurrenceMessage, uniqueTenant } from './fixtures';

export interface ClickHouseTarget {
  client: ClickHouseClient;
  /** A database with the migrations applied. */
  database: string;
  /**
   * A cluster target: `client` talks to one host (its Distributed tables reach every shard), the
   * migrations run ON CLUSTER `name`, and `hosts` (a client per host) control merges on the shard tables.
   */
  cluster?: { name: string; hosts: readonly ClickHouseClient[] };
}

/**
 * Where `table`'s rows are stored: the table itself on one server; on a cluster its shard table
 * (`<table>_local`) on every host, since merges are per shard and Distributed tables have none.
 */
export function storageTables(target: ClickHouseTarget, table: string): { client: ClickHouseClient; table: SqlFragment }[] {
  if (!target.cluster) return [{ client: target.client, table: raw(`${sqlIdentifier(target.database)}.${sqlIdentifier(table)}`) }];
  return target.cluster.hosts.map((client) => ({ client, table: raw(`${sqlIdentifier(target.database)}.${sqlIdentifier(`${table}${LOCAL_TABLE_SUFFIX}`)}`) }));
}

/** Runs `statement` for every storage table of `table` (see storageTables). */
export async function onStorage(target: ClickHouseTarget, table: string, statement: (storage: SqlFragment) => SqlFragment): Promise<void> {
  for (const storage of storageTables(target, table)) await storage.client.command({ query: statement(storage.table).text });
}

async function dropDatabase(target: ClickHouseTarget, database: string): Promise<void> {
  await target.client.command({ query: sql`DROP DATABASE IF EXISTS ${raw(sqlIdentifier(database))}${raw(onClusterClause(target.cluster?.name))}`.text });
}

/** Strings that have broken SQL builders and JSON codecs before. */
export const NASTY_STRINGS = [
  "' OR 1=1 --",
  "'; DROP TABLE issues; --",
  '\\',
  "\\'",
  "\\\\'",
  'nul\0byte',
  'line\nbreak\r\nwindows',
  'tab\there',
  '\u0001\u0008\u000c\u001b\u001f\u007f',
  'naïve – 日本語 – 🐛 – \u2028\u2029',
  '"double" `back` {x:String} $1 ? %s',
  '\\N',
  'NULL',
  '\\x41\\0',
  '',
];

/**
 * The repository and migration behaviour every supported ClickHouse must show. Run against the
 * Debian 18.16 server (clickhouse.integration-spec.ts) and embedded current ClickHouse via chdb
 * (current-clickhouse.integration-spec.ts), proving the SQL works on both.
 */
export function describeClickHouseContract(target: () => ClickHouseTarget): void {
  let occurrences: OccurrenceRepository;
  let issues: IssueRepository;
  let issueList: IssueListQueries;

  beforeAll(() => {
    occurrences = new OccurrenceRepository(target().client, target().database);
    issues = new IssueRepository(target().client, target().database);
    issueList = new IssueListQueries(target().client, target().database);
  });

  describe('migrations', () => {
    it('are idempotent: a second run on a migrated database applies nothing', async () => {
      const { client, database } = target();
      expect(await runMigrations(client, database, { cluster: target().cluster?.name })).toEqual([]);
    });

    it('apply everything once to a new database, record it, and refuse a changed file', async () => {
      const { client } = target();
      const cluster = target().cluster?.name;
      const scratch = `fl_migrations_${process.pid}_${Date.now()}`;
      const dir = mkdtempSync(join(tmpdir(), 'fl-migrations-'));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const log: string[] = [];
      try {
        const all = loadMigrations(dir).map((migration) => migration.name);
        expect(await runMigrations(client, scratch, { log: (line) => log.push(line), dir, cluster })).toEqual(all);
        expect(await runMigrations(client, scratch, { log: (line) => log.push(line), dir, cluster })).toEqual([]);
        expect(log.some((line) => line.includes('schema is current'))).toBe(true);

        const recorded = await select<{ version: number | string; name: string; checksum: string }>(
          client,
          sql`SELECT version, name, checksum FROM ${raw(sqlIdentifier(scratch))}.schema_migrations ORDER BY version`.text,
        );
        expect(recorded.map((row) => row.name)).toEqual(all);
        expect(recorded.map((row) => Number(row.version))).toEqual(loadMigrations(dir).map((migration) => migration.version));

        appendFileSync(join(dir, `${all[0]}.sql`), '\n-- an edit after the fact\n');
        await expect(runMigrations(client, scratch, { dir, cluster })).rejects.toBeInstanceOf(MigrationChecksumError);
      } finally {
        await dropDatabase(target(), scratch);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('add trace_id_hex to an occurrences table that holds rows: those read it as null, new rows as written', async () => {
      const { client } = target();
      const cluster = target().cluster?.name;
      const scratch = `fl_trace_id_hex_${process.pid}_${Date.now()}`;
      const dir = mkdtempSync(join(tmpdir(), 'fl-migrations-'));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      // The database as it was before 0003: migrate up to 0002, then the rest.
      const migrations = loadMigrations(MIGRATIONS_DIR);
      const earlier = migrations.filter((migration) => migration.version < 3).map((migration) => migration.name);
      const later = migrations.filter((migration) => migration.version >= 3).map((migration) => migration.name);
      for (const name of later) rmSync(join(dir, `${name}.sql`));
      try {
        expect(await runMigrations(client, scratch, { dir, cluster })).toEqual(earlier);
        const tenant = uniqueTenant('hex');
        const before = occurrenceMessage({ tenant, spanId: '1', occurrenceId: hexId(tenant, 1), timestampMs: 1_732_500_000_000 });
        const { trace_id_hex: _notYetAColumn, ...rowBefore } = toOccurrenceRow(before, 'issue-h');
        await client.insert({ table: `${sqlIdentifier(scratch)}.occurrences`, values: [rowBefore], format: 'JSONEachRow' });

        for (const name of later) cpSync(join(MIGRATIONS_DIR, `${name}.sql`), join(dir, `${name}.sql`));
        expect(await runMigrations(client, scratch, { dir, cluster })).toEqual(later);
        expect(later[0]).toBe('0003_add_occurrence_trace_id_hex');
        const after = occurrenceMessage({ tenant, spanId: '2', occurrenceId: hexId(tenant, 2), timestampMs: 1_732_500_000_001 });
        const repository = new OccurrenceRepository(client, scratch);
        await repository.insert([toOccurrenceRow(after, 'issue-h')]);

        const page = await repository.listByIssue(tenant, 'issue-h', { first: 10 });
        expect(page.rows.map((row) => [row.occurrenceId, row.traceId, row.traceIdHex])).toEqual([
          [after.occurrenceId, after.traceId, after.traceIdHex],
          [before.occurrenceId, before.traceId, null],
        ]);
      } finally {
        await dropDatabase(target(), scratch);
        rmSync(dir, { recursive: true, force: true });
      }
    });
    it('add the workflow columns to an issues table that holds rows: those read the defaults, new rows as written', async () => {
      const { client } = target();
      const cluster = target().cluster?.name;
      const scratch = `fl_issue_workflow_${process.pid}_${Date.now()}`;
      const dir = mkdtempSync(join(tmpdir(), 'fl-migrations-'));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      // The database as it was before 0004: migrate up to 0003, then the rest.
      const migrations = loadMigrations(MIGRATIONS_DIR);
      const earlier = migrations.filter((migration) => migration.version < 4).map((migration) => migration.name);
      const later = migrations.filter((migration) => migration.version >= 4).map((migration) => migration.name);
      for (const name of later) rmSync(join(dir, `${name}.sql`));
      try {
        expect(await runMigrations(client, scratch, { dir, cluster })).toEqual(earlier);
        const tenant = uniqueTenant('workflow');
        const before = issueRecord({ tenant, issueId: hexId(tenant, 'before'), status: 'RESOLVED' });
        const { regression: _r, assignee: _a, resolved_in_version: _v, ...rowBefore } = toIssueRow(before);
        await client.insert({ table: `${sqlIdentifier(scratch)}.issues`, values: [rowBefore], format: 'JSONEachRow' });

        for (const name of later) cpSync(join(MIGRATIONS_DIR, `${name}.sql`), join(dir, `${name}.sql`));
        expect(await runMigrations(client, scratch, { dir, cluster })).toEqual(later);
        expect(later.slice(0, 3)).toEqual(['0004_add_issue_regression', '0005_add_issue_assignee', '0006_add_issue_resolved_in_version']);
        const repository = new IssueRepository(client, scratch);
        const after = issueRecord({ tenant, issueId: hexId(tenant, 'after'), regression: true, assignee: 'bob', resolvedInVersion: '1.4.2' });
        await repository.upsert([after]);

        expect(await repository.findById(tenant, before.issueId)).toEqual({ ...before, regression: false, assignee: null, resolvedInVersion: null });
        expect(await repository.findById(tenant, after.issueId)).toEqual(after);
      } finally {
        await dropDatabase(target(), scratch);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('sql escaping against the server', () => {
    it.each(NASTY_STRINGS.map((value) => [JSON.stringify(value), value]))('a literal of %s reads back unchanged', async (_label, value) => {
      const rows = await select<{ value: string; bytes: number | string }>(
        target().client,
        sql`SELECT ${value} AS value, length(${value}) AS bytes`.text,
      );
      expect(rows[0].value).toBe(value);
      expect(Number(rows[0].bytes)).toBe(Buffer.byteLength(value, 'utf8'));
    });

    it('matches nasty strings in WHERE clauses and round-trips them through an insert', async () => {
      const tenant = `${uniqueTenant('nasty')}' OR 1=1 --\\`;
      const issueId = "issue\\'\0\n";
      const rows = NASTY_STRINGS.map((value, index) =>
        toOccurrenceRow(
          occurrenceMessage({
            tenant,
            spanId: String(1000 + index),
            occurrenceId: hexId(tenant, 'nasty', index),
            timestampMs: 1_732_500_000_000 + index,
            errorMessage: value,
            messageTemplate: value,
            stack: `${value}\n    at f (x.js:1:1)`,
            env: value,
            culprit: value,
            tags: { [`k${index}${value}`]: value },
          }),
          issueId,
        ),
      );
      await occurrences.insert(rows);

      const page = await occurrences.listByIssue(tenant, issueId, { first: 100 });
      expect(page.totalCount).toBe(NASTY_STRINGS.length);
      const byMessage = [...page.rows].sort((a, b) => a.timestampMs - b.timestampMs);
      byMessage.forEach((stored, index) => {
        const value = NASTY_STRINGS[index];
        expect(stored.tenant).toBe(tenant);
        expect(stored.issueId).toBe(issueId);
        expect(stored.errorMessage).toBe(value);
        expect(stored.messageTemplate).toBe(value);
        expect(stored.env).toBe(value);
        expect(stored.culprit).toBe(value);
        expect(stored.tags).toEqual({ [`k${index}${value}`]: value });
      });

      // Nothing else matches: the injection attempts in tenant and issue id stayed literals.
      expect((await occurrences.listByIssue(tenant.slice(0, -1), issueId, { first: 1 })).totalCount).toBe(0);
    });
  });

  describe('OccurrenceRepository', () => {
    it('lists an issue newest first with cursor pagination and a total', async () => {
      const tenant = uniqueTenant('occ');
      const base = 1_732_500_000_000;
      // Five occurrences of issue A (two share a millisecond), one of issue B, one of A in another tenant.
      const messages = [0, 1, 2, 3, 3].map((offset, index) =>
        occurrenceMessage({ tenant, spanId: String(100 + index), occurrenceId: hexId(tenant, index), timestampMs: base + offset * 60_000 }),
      );
      await occurrences.insert([
        ...messages.map((message) => toOccurrenceRow(message, 'issue-a')),
        toOccurrenceRow(occurrenceMessage({ tenant, occurrenceId: hexId(tenant, 'b'), timestampMs: base + 10 }), 'issue-b'),
        toOccurrenceRow(occurrenceMessage({ tenant: `${tenant}-other`, occurrenceId: hexId(tenant, 'other') }), 'issue-a'),
      ]);

      const expectedOrder = [...messages]
        .sort((a, b) => b.timestampMs - a.timestampMs || (a.occurrenceId < b.occurrenceId ? 1 : -1))
        .map((message) => message.occurrenceId);

      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page = await occurrences.listByIssue(tenant, 'issue-a', { first: 2, after });
        expect(page.totalCount).toBe(5);
        seen.push(...page.rows.map((row) => row.occurrenceId));
        pages++;
        if (!page.hasNextPage) {
          expect(page.rows.length).toBeGreaterThan(0);
          break;
        }
        after = page.endCursor;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(expectedOrder);

      const first = await occurrences.listByIssue(tenant, 'issue-a', { first: 1 });
      expect(first.rows[0]).toMatchObject({ issueId: 'issue-a', tenant, service: 'orders-api', traceId: messages[0].traceId, traceIdHex: messages[0].traceIdHex });
      expect(first.rows[0].frames).toEqual(messages[0].frames);
      expect(first.rows[0].tags).toEqual(messages[0].tags);

      const empty = await occurrences.listByIssue(tenant, 'no-such-issue', { first: 10 });
      expect(empty).toEqual({ totalCount: 0, rows: [], hasNextPage: false, endCursor: null });
      const sizeZero = await occurrences.listByIssue(tenant, 'issue-a', { first: 0 });
      expect(sizeZero).toMatchObject({ totalCount: 5, rows: [], hasNextPage: true, endCursor: null });
    });

    it('reads a re-inserted (redelivered) occurrence once', async () => {
      const tenant = uniqueTenant('dedupe');
      const batch = [0, 1, 2].map((index) =>
        toOccurrenceRow(occurrenceMessage({ tenant, occurrenceId: hexId(tenant, index), timestampMs: 1_732_500_000_000 + index }), 'issue-d'),
      );
      const { client, database } = target();
      const table = raw(`${sqlIdentifier(database)}.occurrences`);
      const countRows = async () =>
        Number((await select<{ n: number | string }>(client, sql`SELECT count() AS n FROM ${table} WHERE tenant = ${tenant}`.text))[0].n);

      // Background merges would collapse the copies before the reads below could see them: hold
      // merges so the reads are proven to deduplicate by themselves.
      await onStorage(target(), 'occurrences', (storage) => sql`SYSTEM STOP MERGES ${storage}`);
      try {
        await occurrences.insert(batch);
        // A redelivered batch (a separate INSERT, so a separate part) and a batch that repeats one
        // occurrence (current ClickHouse collapses that one at insert, 18.16 does not).
        await occurrences.insert(batch);
        await occurrences.insert([batch[1], batch[1]]);
        expect(await countRows()).toBeGreaterThanOrEqual(7);

        const all = await occurrences.listByIssue(tenant, 'issue-d', { first: 10 });
        expect(all.totalCount).toBe(3);
        expect(all.rows.map((row) => row.occurrenceId)).toEqual([2, 1, 0].map((index) => hexId(tenant, index)));

        const firstPage = await occurrences.listByIssue(tenant, 'issue-d', { first: 1 });
        const secondPage = await occurrences.listByIssue(tenant, 'issue-d', { first: 2, after: firstPage.endCursor });
        expect(secondPage.rows.map((row) => row.occurrenceId)).toEqual([1, 0].map((index) => hexId(tenant, index)));
        expect(secondPage.hasNextPage).toBe(false);
      } finally {
        await onStorage(target(), 'occurrences', (storage) => sql`SYSTEM START MERGES ${storage}`);
      }

      // The sorting key is what makes the copies collapse for good once parts merge.
      expect(await optimizeUntil(target(), 'occurrences', countRows, 3)).toBe(3);
    });

    it("reads each issue's latest frames for a page of issues in one query", async () => {
      const tenant = uniqueTenant('frames');
      const base = 1_732_500_000_000;
      const frame = (fn: string, line: number) => ({ function: fn, file: 'orders.js', module: null, line, column: 3, inApp: true });
      const older = occurrenceMessage({ tenant, occurrenceId: hexId(tenant, 'a-old'), timestampMs: base, frames: [frame('old', 1)] });
      const latest = occurrenceMessage({ tenant, occurrenceId: hexId(tenant, 'a-new'), timestampMs: base + 1000, frames: [frame('latest', 2)] });
      const onlyB = occurrenceMessage({ tenant, occurrenceId: hexId(tenant, 'b'), timestampMs: base, frames: [] });
      const otherTenant = occurrenceMessage({ tenant: `${tenant}-other`, occurrenceId: hexId(tenant, 'x'), timestampMs: base + 5000, frames: [frame('other', 9)] });
      // The latest one twice: a redelivered copy must not matter.
      await occurrences.insert([toOccurrenceRow(latest, 'issue-a'), toOccurrenceRow(older, 'issue-a'), toOccurrenceRow(onlyB, 'issue-b'), toOccurrenceRow(otherTenant, 'issue-a')]);
      await occurrences.insert([toOccurrenceRow(latest, 'issue-a')]);

      const frames = await occurrences.latestFramesByIssue(tenant, ['issue-a', 'issue-b', 'issue-none']);
      expect([...frames.entries()].sort()).toEqual([
        ['issue-a', [frame('latest', 2)]],
        ['issue-b', []],
      ]);
      expect(await occurrences.latestFramesByIssue(tenant, [])).toEqual(new Map());
    });

    it('inserts nothing for an empty batch and rejects a forged cursor', async () => {
      await occurrences.insert([]);
      await expect(occurrences.listByIssue('t', 'i', { first: 1, after: 'forged' })).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe('OccurrenceRepository issue-detail reads', () => {
    const base = 1_732_500_000_000; // on an hour boundary
    let tenant: string;
    let fixture: ReturnType<typeof issueDetailOccurrences>;
    let holdMerges: () => Promise<void>;
    let releaseMerges: () => Promise<void>;
    // StoredOccurrence exactly as the table gives it back.
    const stored = (message: OccurrenceMessage, issueId: string) => fromOccurrenceRow(toOccurrenceRow(message, issueId));
    const ids = (rows: readonly { occurrenceId: string }[]) => rows.map((row) => row.occurrenceId);
    const sortedEntries = <V>(map: Map<string, V>) => [...map.entries()].sort(([x], [y]) => (x < y ? -1 : 1));

    beforeAll(async () => {
      const { client, database } = target();
      const table = raw(`${sqlIdentifier(database)}.occurrences`);
      // Merges held so the unmerged redelivered copies are really there when the reads run.
      holdMerges = () => onStorage(target(), 'occurrences', (storage) => sql`SYSTEM STOP MERGES ${storage}`);
      releaseMerges = () => onStorage(target(), 'occurrences', (storage) => sql`SYSTEM START MERGES ${storage}`);
      tenant = uniqueTenant('detail');
      fixture = issueDetailOccurrences(tenant, base);
      const rows = [...Object.values(fixture.a).map((message) => toOccurrenceRow(message, 'issue-a')), ...Object.values(fixture.b).map((message) => toOccurrenceRow(message, 'issue-b'))];
      // Another tenant's rows under the same issue ids, newer than every row above.
      const other = occurrenceMessage({ tenant: `${tenant}-other`, occurrenceId: hexId(tenant, 'other'), timestampMs: base + 3 * HOUR_MS, version: '1.0', host: 'h1' });
      await holdMerges();
      await occurrences.insert([...rows, toOccurrenceRow(other, 'issue-a'), toOccurrenceRow({ ...other, occurrenceId: hexId(tenant, 'other-b') }, 'issue-b')]);
      await occurrences.insert(fixture.redelivered.map((message) => toOccurrenceRow(message, message.occurrenceId === fixture.b.b1.occurrenceId ? 'issue-b' : 'issue-a')));
      const copies = await select<{ n: number | string }>(client, sql`SELECT count() AS n FROM ${table} WHERE tenant = ${tenant}`.text);
      expect(Number(copies[0].n)).toBe(rows.length + fixture.redelivered.length);
    });

    afterAll(async () => {
      await releaseMerges();
    });

    it('filters listByIssue by env, version, host, time range and tags, in the rows and the total', async () => {
      const { a } = fixture;
      const list = async (conditions: OccurrenceConditions, first = 10) => {
        const page = await occurrences.listByIssue(tenant, 'issue-a', { first }, conditions);
        return { total: page.totalCount, ids: ids(page.rows) };
      };
      const [tieFirst, tieSecond] = [a.a3, a.a4].sort((x, y) => (x.occurrenceId < y.occurrenceId ? 1 : -1));
      const idsOf = (...messages: OccurrenceMessage[]) => messages.map((message) => message.occurrenceId);

      expect(await list({})).toEqual({ total: 8, ids: idsOf(a.a7, a.a6, a.a5, tieFirst, tieSecond, a.a2, a.a1, a.a8) });
      expect(await list({ env: 'production' })).toEqual({ total: 4, ids: idsOf(a.a7, a.a4, a.a1, a.a8) });
      expect(await list({ version: '1.1' })).toEqual({ total: 2, ids: idsOf(tieFirst, tieSecond) });
      expect(await list({ version: '' })).toEqual({ total: 1, ids: idsOf(a.a6) });
      // From inclusive, to exclusive.
      expect(await list({ host: 'h1', fromMs: base + 1000, toMs: base + 2 * HOUR_MS })).toEqual({ total: 2, ids: idsOf(a.a3, a.a2) });
      expect(await list({ fromMs: base - DAY_MS, toMs: base })).toEqual({ total: 1, ids: idsOf(a.a8) });
      expect(await list({ fromMs: base - DAY_MS + 1, toMs: base + 1 })).toEqual({ total: 1, ids: idsOf(a.a1) });
      expect(await list({ tags: [{ key: 'http.route', value: '/a' }] })).toEqual({ total: 4, ids: idsOf(a.a7, a.a2, a.a1, a.a8) });
      expect(await list({ tags: [{ key: 'http.route', value: '/a' }, { key: 'http.status_code', value: '500' }] })).toEqual({ total: 1, ids: idsOf(a.a1) });
      expect(await list({ tags: [{ key: 'http.route', value: "/c'\\" }] })).toEqual({ total: 1, ids: idsOf(a.a6) });
      expect(await list({ env: 'production', tags: [{ key: 'host', value: 'h2' }] })).toEqual({ total: 1, ids: idsOf(a.a4) });
      expect(await list({ env: "production' OR 1=1 --" })).toEqual({ total: 0, ids: [] });
      // Bounds past 2100 (where 18.16's toDateTime wraps) and at the epoch exclude nothing.
      expect(await list({ fromMs: 0, toMs: 7_258_118_400_000 })).toEqual(await list({}));

      // Keyset pages under a filter: total stays the filtered count, the walk ends after the last.
      const filtered = { env: 'production' };
      const firstPage = await occurrences.listByIssue(tenant, 'issue-a', { first: 3 }, filtered);
      expect(firstPage).toMatchObject({ totalCount: 4, hasNextPage: true });
      const secondPage = await occurrences.listByIssue(tenant, 'issue-a', { first: 3, after: firstPage.endCursor }, filtered);
      expect({ total: secondPage.totalCount, ids: ids(secondPage.rows), more: secondPage.hasNextPage }).toEqual({ total: 4, ids: idsOf(a.a8), more: false });

      await expect(occurrences.listByIssue(tenant, 'issue-a', { first: 1 }, { fromMs: -1 })).rejects.toBeInstanceOf(RangeError);
      await expect(occurrences.listByIssue(tenant, 'issue-a', { first: 1 }, { toMs: Number.POSITIVE_INFINITY })).rejects.toBeInstanceOf(RangeError);
    });

    it("reads each issue's latest occurrence, whole, for a page of issues", async () => {
      const [bLatest] = [fixture.b.b1, fixture.b.b2].sort((x, y) => (x.occurrenceId < y.occurrenceId ? 1 : -1));
      const latest = await occurrences.latestByIssues(tenant, ['issue-a', 'issue-b', 'issue-none', 'issue-a']);
      expect(sortedEntries(latest)).toEqual([
        ['issue-a', stored(fixture.a.a7, 'issue-a')],
        ['issue-b', stored(bLatest, 'issue-b')],
      ]);
      expect(await occurrences.latestByIssues(tenant, ['issue-b'])).toEqual(new Map([['issue-b', stored(bLatest, 'issue-b')]]));
      expect(await occurrences.latestByIssues(tenant, [])).toEqual(new Map());
      expect(await occurrences.latestByIssues(`${tenant}-none`, ['issue-a'])).toEqual(new Map());
    });

    it('reads the newest occurrence per (version, host), NULL apart from empty, newest first, up to a limit', async () => {
      const { a, b } = fixture;
      const [tieFirst, tieSecond] = [a.a3, a.a4].sort((x, y) => (x.occurrenceId < y.occurrenceId ? 1 : -1));
      const [bFirst, bSecond] = [b.b1, b.b2].sort((x, y) => (x.occurrenceId < y.occurrenceId ? 1 : -1));
      // (1.0, h1) -> a7 over a2 and a1; (NULL, NULL) a5 and ('', NULL) a6 are separate pairs.
      const all = await occurrences.representativeByIssues(tenant, ['issue-a', 'issue-b', 'issue-none'], 10);
      expect(sortedEntries(all).map(([issueId, rows]) => [issueId, ids(rows)])).toEqual([
        ['issue-a', [a.a7, a.a6, a.a5, tieFirst, tieSecond, a.a8].map((message) => message.occurrenceId)],
        ['issue-b', [bFirst, bSecond].map((message) => message.occurrenceId)],
      ]);
      const { tenant: t, issueId, occurrenceId, timestampMs, service, env, version, host, container, resource, traceId, traceIdHex, tags } = stored(a.a7, 'issue-a');
      expect(all.get('issue-a')?.[0]).toEqual({ tenant: t, issueId, occurrenceId, timestampMs, service, env, version, host, container, resource, traceId, traceIdHex, tags });
      // The rest of a summary's occurrence, by key (an unknown key is absent).
      const summaries = all.get('issue-a') ?? [];
      const whole = await occurrences.byKeys(tenant, [...summaries, { issueId: 'issue-a', occurrenceId: 'none', timestampMs: 0 }]);
      expect([...whole.keys()].sort()).toEqual(ids(summaries).sort());
      expect(whole.get(a.a7.occurrenceId)).toEqual(stored(a.a7, 'issue-a'));
      expect((await occurrences.byKeys(tenant, [summaries[0]])).get(a.a7.occurrenceId)).toEqual(stored(a.a7, 'issue-a'));
      expect(all.get('issue-a')?.map((row) => [row.version, row.host])).toEqual([
        ['1.0', 'h1'],
        ['', null],
        [null, null],
        [tieFirst.version, tieFirst.host],
        [tieSecond.version, tieSecond.host],
        ['0.9', 'h3'],
      ]);

      const limited = await occurrences.representativeByIssues(tenant, ['issue-a', 'issue-b'], 1);
      expect(sortedEntries(limited).map(([issueId, rows]) => [issueId, ids(rows)])).toEqual([
        ['issue-a', [a.a7.occurrenceId]],
        ['issue-b', [bFirst.occurrenceId]],
      ]);
      expect(await occurrences.representativeByIssues(tenant, [], 5)).toEqual(new Map());
      await expect(occurrences.representativeByIssues(tenant, ['issue-a'], 0)).rejects.toBeInstanceOf(RangeError);
      await expect(occurrences.representativeByIssues(tenant, ['issue-a'], 1.5)).rejects.toBeInstanceOf(RangeError);
    });

    it('counts distinct traces per issue, by the 128-bit id where known, else the protocol id', async () => {
      // a: 101 (a1, a2), 102, 103 without hex (a4, a6), 104, 106, 107 (a8's generated trace id).
      const traces = await occurrences.affectedTracesByIssues(tenant, ['issue-a', 'issue-b', 'issue-none']);
      expect(sortedEntries(traces)).toEqual([
        ['issue-a', 6],
        ['issue-b', 1],
      ]);
      expect(await occurrences.affectedTracesByIssues(tenant, [])).toEqual(new Map());
    });

    it('counts distinct occurrences per value of a key, most frequent first, ties by value, absent values in the total only', async () => {
      const counts = (key: string, limit: number, issueIds = ['issue-a', 'issue-b', 'issue-none']) =>
        occurrences.valueCountsByIssues(tenant, issueIds, key, limit).then(sortedEntries);

      expect(await counts('http.route', 10)).toEqual([
        ['issue-a', { total: 8, values: [{ value: '/a', count: 4 }, { value: '/b', count: 2 }, { value: "/c'\\", count: 1 }] }],
        ['issue-b', { total: 2, values: [{ value: '/z', count: 2 }] }],
      ]);
      expect(await counts('http.route', 2, ['issue-a'])).toEqual([['issue-a', { total: 8, values: [{ value: '/a', count: 4 }, { value: '/b', count: 2 }] }]]);
      // NULL hosts (a5, a6) have no value; h2 and h3 tie and come in value order.
      expect(await counts('host', 10, ['issue-a'])).toEqual([
        ['issue-a', { total: 8, values: [{ value: 'h1', count: 4 }, { value: 'h2', count: 1 }, { value: 'h3', count: 1 }] }],
      ]);
      expect(await counts('version', 10, ['issue-a'])).toEqual([
        ['issue-a', { total: 8, values: [{ value: '1.0', count: 3 }, { value: '1.1', count: 2 }, { value: '0.9', count: 1 }] }],
      ]);
      expect(await counts('env', 1, ['issue-a'])).toEqual([['issue-a', { total: 8, values: [{ value: 'production', count: 4 }] }]]);
      expect(await counts('no.such.tag', 10)).toEqual([
        ['issue-a', { total: 8, values: [] }],
        ['issue-b', { total: 2, values: [] }],
      ]);
      expect(await occurrences.valueCountsByIssues(tenant, [], 'host', 10)).toEqual(new Map());
      await expect(occurrences.valueCountsByIssues(tenant, ['issue-a'], 'host', 0)).rejects.toBeInstanceOf(RangeError);
      await expect(occurrences.valueCountsByIssues(tenant, ['issue-a'], '', 10)).rejects.toBeInstanceOf(InvalidOccurrenceKeyError);
    });

    it('counts distinct occurrences per time bucket aligned on the epoch, from inclusive, to exclusive', async () => {
      const series = (fromMs: number, toMs: number, stepMs: number) =>
        occurrences
          .seriesByIssues(tenant, ['issue-a', 'issue-b', 'issue-none'], fromMs, toMs, stepMs)
          .then((map) => sortedEntries(map).map(([issueId, buckets]) => [issueId, [...buckets.entries()].sort(([x], [y]) => x - y)]));

      expect(await series(base - DAY_MS, base + 3 * HOUR_MS, HOUR_MS)).toEqual([
        [
          'issue-a',
          [
            [base - DAY_MS, 1],
            [base, 5],
            [base + HOUR_MS, 1],
            [base + 2 * HOUR_MS, 1],
          ],
        ],
        ['issue-b', [[base, 2]]],
      ]);
      expect(await series(base + 1000, base + 2 * HOUR_MS, HOUR_MS)).toEqual([
        [
          'issue-a',
          [
            [base, 4],
            [base + HOUR_MS, 1],
          ],
        ],
        ['issue-b', [[base, 2]]],
      ]);
      // 7-minute buckets: base is 481250 h = 4125000 buckets of 7 min, so base starts one; a7 (base + 120 min) falls in the one at base + 119 min.
      expect(await series(base - DAY_MS + 1, base + 2 * HOUR_MS + 1, 7 * 60_000)).toEqual([
        [
          'issue-a',
          [
            [base, 5],
            [base + 56 * 60_000, 1],
            [base + 119 * 60_000, 1],
          ],
        ],
        ['issue-b', [[base, 2]]],
      ]);
      expect(await series(base + 2000, base + 2001, 1)).toEqual([['issue-a', [[base + 2000, 2]]]]);
      expect(await series(base, base, HOUR_MS)).toEqual([]);
      expect(await occurrences.seriesByIssues(tenant, [], base, base + HOUR_MS, HOUR_MS)).toEqual(new Map());
      for (const [fromMs, toMs, stepMs] of [
        [-1, base, HOUR_MS],
        [base, Number.NaN, HOUR_MS],
        [base, base + 1, 0],
        [base, Number.POSITIVE_INFINITY, HOUR_MS],
      ]) {
        await expect(occurrences.seriesByIssues(tenant, ['issue-a'], fromMs, toMs, stepMs)).rejects.toBeInstanceOf(RangeError);
      }
    });
  });

  describe('IssueHourlyCountsRepository countsByIssues', () => {
    it('reads max(count) per issue and hour for hours starting in [floor-to-hour(from), to), non-zero only', async () => {
      const { client, database } = target();
      const hourly = new IssueHourlyCountsRepository(client, database);
      const tenant = uniqueTenant('hourly');
      const base = 1_732_500_000_000; // on an hour boundary
      const count = (issueId: string, hourStartMs: number, value: number, forTenant = tenant) => ({ tenant: forTenant, issueId, hourStartMs, count: value });
      await hourly.insert([count('issue-a', base - HOUR_MS, 3), count('issue-a', base, 5), count('issue-a', base + HOUR_MS, 0), count('issue-a', base + 2 * HOUR_MS, 2), count('issue-b', base, 4)]);
      // A later write of a larger count for the same hour (a separate part until merged), a stale smaller one, another tenant.
      await hourly.insert([count('issue-a', base, 7), count('issue-b', base, 1), count('issue-a', base, 100, `${tenant}-other`)]);

      const counts = (fromMs: number, toMs: number, issueIds = ['issue-a', 'issue-b', 'issue-none']) =>
        hourly.countsByIssues(tenant, issueIds, fromMs, toMs).then((map) => [...map.entries()].sort().map(([issueId, hours]) => [issueId, [...hours.entries()].sort(([x], [y]) => x - y)]));

      // from inside an hour takes that hour whole; to is exclusive on the hour start.
      expect(await counts(base + 1000, base + 2 * HOUR_MS)).toEqual([
        ['issue-a', [[base, 7]]],
        ['issue-b', [[base, 4]]],
      ]);
      expect(await counts(base - 1, base + 2 * HOUR_MS + 1)).toEqual([
        [
          'issue-a',
          [
            [base - HOUR_MS, 3],
            [base, 7],
            [base + 2 * HOUR_MS, 2],
          ],
        ],
        ['issue-b', [[base, 4]]],
      ]);
      expect(await counts(base + HOUR_MS, base + 2 * HOUR_MS)).toEqual([]);
      expect(await counts(base, base)).toEqual([]);
      expect(await hourly.countsByIssues(tenant, [], base, base + HOUR_MS)).toEqual(new Map());
      await expect(hourly.countsByIssues(tenant, ['issue-a'], -5, base)).rejects.toBeInstanceOf(RangeError);
      await expect(hourly.countsByIssues(tenant, ['issue-a'], base, Number.NaN)).rejects.toBeInstanceOf(RangeError);
    });
  });

  describe('IssueRepository', () => {
    it('keeps the highest revision, even when an older one is written later', async () => {
      const tenant = uniqueTenant('rev');
      const issueId = hexId(tenant, 'issue');
      const revision = (n: number, changes: Partial<IssueRecord>) => issueRecord({ tenant, issueId, revision: n, count: n, ...changes });
      await issues.upsert([revision(1, { status: 'FOR_REVIEW' })]);
      const latest = { status: 'RESOLVED', lastSeenMs: 1_732_500_300_000, firstVersion: null, assignee: null, resolvedInVersion: '1.4.2' } as const;
      await issues.upsert([revision(3, { ...latest, envs: ['staging', 'production'] })]);
      // An older revision with every nullable workflow field set must not leak through argMax.
      await issues.upsert([revision(2, { status: 'IGNORED', lastSeenMs: 1_732_500_200_000, regression: true, assignee: 'bob', resolvedInVersion: null })]);

      expect(await issues.findById(tenant, issueId)).toEqual(revision(3, { ...latest, envs: ['production', 'staging'] }));
      expect(await issues.findById(tenant, 'missing')).toBeNull();

      // Merges keep the highest revision too.
      const { client, database } = target();
      const table = raw(`${sqlIdentifier(database)}.issues`);
      const revisions = async () =>
        (
          await select<{ revision: number | string }>(client, sql`SELECT revision FROM ${table} WHERE tenant = ${tenant} AND issue_id = ${issueId}`.text)
        ).map((row) => Number(row.revision));
      expect(await optimizeUntil(target(), 'issues', revisions, [3])).toEqual([3]);
      expect(await issues.findById(`${tenant}-other`, issueId)).toBeNull();
      await issues.upsert([]);
    });

    it('lists by last seen with filters and search over the latest revisions (IssueListQueries), and finds issues by id', async () => {
      const tenant = uniqueTenant('list');
      const base = 1_732_500_000_000;
      const record = (name: string, changes: Partial<IssueRecord>) => issueRecord({ tenant, issueId: hexId(tenant, name), ...changes });
      const checkout = record('checkout', { service: 'checkout', errorType: 'PaymentDeclinedError', lastSeenMs: base + 5000, envs: ['production'] });
      const ordersTimeout = record('orders-timeout', {
        errorType: 'TimeoutError',
        errorMessage: 'Knex: Timeout acquiring a connection. The pool is probably full.',
        messageTemplate: 'Knex: Timeout acquiring a connection. The pool is probably full.',
        culprit: 'acquireConnection (client.js)',
        lastSeenMs: base + 4000,
        envs: ['production', 'staging'],
      });
      const ordersUnicode = record('orders-unicode', {
        errorType: 'ValidationError',
        errorMessage: 'Ungültige Größe: ÄRGER',
        messageTemplate: 'Ungültige Größe: <str>',
        culprit: null,
        lastSeenMs: base + 3000,
        envs: ['staging'],
        env: 'staging',
      });
      const ordersQuote = record('orders-quote', { errorType: 'SyntaxError', errorMessage: "Unexpected token ' in JSON", lastSeenMs: base + 3000 });
      const ordersOld = record('orders-old', { lastSeenMs: base + 1000, status: 'FOR_REVIEW', revision: 1 });
      await issues.upsert([checkout, ordersTimeout, ordersUnicode, ordersQuote, ordersOld]);
      // A newer revision resolves orders-old; filters must see the new status, not the stale row.
      const ordersOldResolved = { ...ordersOld, status: 'RESOLVED' as const, revision: 2 };
      await issues.upsert([ordersOldResolved]);

      const ids = (records: IssueRecord[]) => records.map((item) => item.issueId);
      // Equal last seen: the larger issue id first.
      const [tieFirst, tieSecond] = [ordersUnicode, ordersQuote].sort((a, b) => (a.issueId < b.issueId ? 1 : -1));

      const lastSeenFirst = { field: 'LAST_SEEN', direction: 'DESC' } as const;
      const all = await issueList.orderedIds(tenant, {}, lastSeenFirst, base + 10_000, 10);
      expect(all).toEqual({ ids: ids([checkout, ordersTimeout, tieFirst, tieSecond, ordersOldResolved]), totalCount: 5 });
      expect(await issues.findById(tenant, ordersOld.issueId)).toEqual(ordersOldResolved);
      // At the limit: the first ids, and still every match counted.
      expect(await issueList.orderedIds(tenant, {}, lastSeenFirst, base + 10_000, 2)).toEqual({ ids: all.ids.slice(0, 2), totalCount: 5 });

      const list = async (filter: IssueListFilter) => {
        const page = await issueList.orderedIds(tenant, filter, lastSeenFirst, base + 10_000, 10);
        expect(page.totalCount).toBe(page.ids.length);
        return [...page.ids].sort();
      };
      const sorted = (...records: IssueRecord[]) => ids(records).sort();

      expect(await list({ service: 'checkout' })).toEqual(sorted(checkout));
      expect(await list({ env: 'staging' })).toEqual(sorted(ordersTimeout, ordersUnicode));
      expect(await list({ statuses: ['RESOLVED'] })).toEqual(sorted(ordersOld));
      expect(await list({ statuses: ['FOR_REVIEW', 'IGNORED'] })).toEqual(sorted(checkout, ordersTimeout, ordersUnicode, ordersQuote));
      expect(await list({ statuses: [] })).toHaveLength(5);
      expect(await list({ search: 'timeoutERROR' })).toEqual(sorted(ordersTimeout));
      expect(await list({ search: 'POOL IS PROBABLY' })).toEqual(sorted(ordersTimeout));
      expect(await list({ search: 'acquireconnection' })).toEqual(sorted(ordersTimeout));
      expect(await list({ search: 'ärger' })).toEqual(sorted(ordersUnicode));
      expect(await list({ search: 'größe: <STR>' })).toEqual(sorted(ordersUnicode));
      expect(await list({ search: "token ' in" })).toEqual(sorted(ordersQuote));
      expect(await list({ search: "' OR 1=1 --" })).toEqual([]);
      expect(await list({ service: 'orders-api', env: 'production', statuses: ['FOR_REVIEW'], search: 'error' })).toEqual(
        sorted(ordersTimeout, ordersQuote),
      );
      expect(await list({ service: "checkout' OR 1=1 --" })).toEqual([]);

      const found = await issues.findByIds(tenant, [checkout.issueId, ordersUnicode.issueId, 'missing']);
      expect(ids(found).sort()).toEqual(sorted(checkout, ordersUnicode));
      expect(found.find((item) => item.issueId === ordersUnicode.issueId)).toEqual(ordersUnicode);
    });
  });

  describe('AutoResolveQueries', () => {
    // Dated in 2000, before any other test's data, so the cross-tenant reads below see few other rows;
    // the assertions keep this test's tenant only.
    const T = 946_684_800_000;
    const DAY = 86_400_000;

    it('pages open issues last seen before a cutoff, oldest first, by their latest revision', async () => {
      const { client, database } = target();
      const queries = new AutoResolveQueries(client, database);
      const tenant = uniqueTenant('autoresolve');
      const record = (name: string, changes: Partial<IssueRecord>) => issueRecord({ tenant, issueId: hexId(tenant, name), ...changes });
      const old = record('old', { lastSeenMs: T + DAY, lastVersion: '1.0', count: 3, envs: ['staging', 'production'] });
      const reviewedTie = record('reviewed-tie', { status: 'REVIEWED', lastSeenMs: T + DAY, lastVersion: null, service: 'billing' });
      const ignored = record('ignored', { status: 'IGNORED', lastSeenMs: T });
      const recent = record('recent', { lastSeenMs: T + 20 * DAY });
      const resolvedLater = record('resolved-later', { lastSeenMs: T, revision: 1 });
      const reopened = record('reopened', { status: 'RESOLVED', lastSeenMs: T + 2 * DAY, lastVersion: '1.0', revision: 1 });
      await issues.upsert([old, reviewedTie, ignored, recent, resolvedLater, reopened]);
      // Newer revisions: one resolved (out), one back to FOR_REVIEW with its version now unknown (in).
      await issues.upsert([{ ...resolvedLater, status: 'RESOLVED', revision: 2 }, { ...reopened, status: 'FOR_REVIEW', lastVersion: null, revision: 2 }]);

      const walked: AutoResolveCandidate[] = [];
      let after: CandidateCursor | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await queries.openIssuesLastSeenBefore(T + 10 * DAY, { limit: 2, after });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        walked.push(...page);
        const last = page[page.length - 1];
        after = { lastSeenMs: last.lastSeenMs, tenant: last.tenant, issueId: last.issueId };
      }
      const candidate = (item: IssueRecord): AutoResolveCandidate => ({
        tenant,
        issueId: item.issueId,
        service: item.service,
        envs: [...item.envs].sort(),
        status: item.status,
        lastSeenMs: item.lastSeenMs,
        lastVersion: item.lastVersion,
        count: item.count,
      });
      const tie = [old, reviewedTie].sort((a, b) => (a.issueId < b.issueId ? -1 : 1));
      expect(walked.filter((item) => item.tenant === tenant)).toEqual([...tie.map(candidate), candidate({ ...reopened, status: 'FOR_REVIEW', lastVersion: null })]);
      // Every row of every tenant comes in the keyset order, none twice.
      const keys = walked.map((item) => [item.lastSeenMs, item.tenant, item.issueId] as const);
      for (let index = 1; index < keys.length; index++) {
        const [a, b] = [keys[index - 1], keys[index]];
        expect(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))).toBe(true);
      }
      await expect(queries.openIssuesLastSeenBefore(T, { limit: 0 })).rejects.toBeInstanceOf(RangeError);
    });

    it('lists the versions of services per env with their first occurrence, and the versions of given issues since a time', async () => {
      const { client, database } = target();
      const queries = new AutoResolveQueries(client, database);
      const tenant = uniqueTenant('versions');
      let n = 0;
      const row = (issueId: string, changes: Partial<OccurrenceMessage>) =>
        toOccurrenceRow(occurrenceMessage({ tenant, spanId: String(++n), occurrenceId: hexId(tenant, 'v', n), ...changes }), issueId);
      await occurrences.insert([
        row('issue-a', { version: '1.0', timestampMs: T + 1000 }),
        row('issue-a', { version: '1.0', timestampMs: T + DAY }),
        row('issue-a', { version: '1.1', timestampMs: T + 5 * DAY }),
        row('issue-b', { version: '1.1', env: 'staging', timestampMs: T + 3 * DAY }),
        row('issue-b', { version: '1.0', timestampMs: T + 6 * DAY }),
        row('issue-b', { version: null, timestampMs: T + 7 * DAY }),
        row('issue-c', { version: '2.0', service: 'billing', env: null, timestampMs: T + 2 * DAY }),
        row('issue-d', { version: '3.0', service: 'search', timestampMs: T }),
        toOccurrenceRow(occurrenceMessage({ tenant: `${tenant}-other`, occurrenceId: hexId(tenant, 'other'), version: '9.0', timestampMs: T }), 'issue-a'),
      ]);
      // A redelivered copy changes nothing.
      await occurrences.insert([row('issue-a', { version: '1.1', timestampMs: T + 5 * DAY })]);

      const versions = await queries.serviceVersions([
        { tenant, service: 'orders-api' },
        { tenant, service: 'billing' },
        { tenant, service: 'orders-api' },
      ]);
      const sorted = [...versions].sort((a, b) => `${a.service}/${a.env}/${a.version}`.localeCompare(`${b.service}/${b.env}/${b.version}`));
      expect(sorted).toEqual([
        { tenant, service: 'billing', env: null, version: '2.0', firstSeenMs: T + 2 * DAY },
        { tenant, service: 'orders-api', env: 'production', version: '1.0', firstSeenMs: T + 1000 },
        { tenant, service: 'orders-api', env: 'production', version: '1.1', firstSeenMs: T + 5 * DAY },
        { tenant, service: 'orders-api', env: 'staging', version: '1.1', firstSeenMs: T + 3 * DAY },
      ]);
      expect(await queries.serviceVersions([])).toEqual([]);

      const since = (ms: number) => queries.issueVersions(tenant, ['issue-a', 'issue-b', 'issue-c', 'issue-none'], ms).then((map) => Object.fromEntries([...map].map(([id, list]) => [id, [...list].sort()])));
      expect(await since(T)).toEqual({ 'issue-a': ['1.0', '1.1'], 'issue-b': ['1.0', '1.1'], 'issue-c': ['2.0'] });
      expect(await since(T + 3 * DAY)).toEqual({ 'issue-a': ['1.1'], 'issue-b': ['1.0', '1.1'] });
      // Bounded to the millisecond, inside the day.
      expect(await since(T + 3 * DAY + 1)).toEqual({ 'issue-a': ['1.1'], 'issue-b': ['1.0'] });
      expect(await queries.issueVersions(tenant, [], T)).toEqual(new Map());
    });
  });

  describe('CounterRebuildQueries', () => {
    // Dated in 2001 (after AutoResolveQueries' 2000), one tenant per test.
    const T = 978_307_200_000;

    it('pages the latest revisions of a tenant by issue id and summarises stored occurrences per issue, hour and recent hour', async () => {
      const { client, database } = target();
      const queries = new CounterRebuildQueries(client, database);
      const tenant = uniqueTenant('rebuild');
      const [a, b, c] = ['issue-a', 'issue-b', "issue-c'\\"];
      const nasty = NASTY_STRINGS[0];
      await issues.upsert([
        issueRecord({ tenant, issueId: a, revision: 5, status: 'RESOLVED', assignee: nasty, resolvedInVersion: '1.1' }),
        issueRecord({ tenant, issueId: a, revision: 3, status: 'IGNORED' }),
        issueRecord({ tenant, issueId: b, revision: 2, culprit: null, env: null }),
        issueRecord({ tenant, issueId: c, revision: 9 }),
        issueRecord({ tenant: `${tenant}-other`, issueId: a, revision: 1 }),
      ]);
      const firstPage = await queries.issuePage(tenant, '', 2);
      expect(firstPage.map((issue) => [issue.issueId, issue.revision, issue.status, issue.assignee, issue.resolvedInVersion])).toEqual([
        [a, 5, 'RESOLVED', nasty, '1.1'],
        [b, 2, 'FOR_REVIEW', null, null],
      ]);
      expect(firstPage[1]).toMatchObject({ tenant, culprit: null, env: null });
      expect((await queries.issuePage(tenant, b, 2)).map((issue) => issue.issueId)).toEqual([c]);
      expect(await queries.issuePage(tenant, c, 2)).toEqual([]);
      expect(await queries.tenants()).toEqual(expect.arrayContaining([tenant, `${tenant}-other`]));
      await expect(queries.issuePage(tenant, '', 0)).rejects.toBeInstanceOf(RangeError);

      let n = 0;
      const row = (issueId: string, changes: Partial<OccurrenceMessage>) => {
        n += 1;
        return toOccurrenceRow(occurrenceMessage({ tenant, spanId: String(n), occurrenceId: hexId(tenant, 'r', n), receivedAt: T, ...changes }), issueId);
      };
      const a1 = row(a, { timestampMs: T + 1000, version: '1.0', env: 'production' });
      const a2 = row(a, { timestampMs: T + 2000, version: null, env: null });
      // Latest of issue a: version NULL must not give way to an earlier occurrence's version.
      const a3 = row(a, { timestampMs: T + 2 * HOUR_MS + 5, version: null, env: 'staging', receivedAt: T + 3 * DAY_MS });
      // An old span received late: its hour counts as recent.
      const a4 = row(a, { timestampMs: T + 1500, version: '0.9', env: 'production', receivedAt: T + 3 * DAY_MS });
      const b1 = row(b, { timestampMs: T - DAY_MS, version: '2.0', env: null });
      const b2 = row(b, { timestampMs: T + HOUR_MS, version: nasty, env: nasty, receivedAt: T + 3 * DAY_MS });
      const other = toOccurrenceRow(occurrenceMessage({ tenant: `${tenant}-other`, occurrenceId: hexId(tenant, 'other'), timestampMs: T }), a);
      await occurrences.insert([a1, a2, a3, a4, b1, b2, other]);
      // Redelivered copies (not merged yet) count once.
      await occurrences.insert([a1, b2]);

      const stats = await queries.occurrencesByIssue(tenant, [a, b, c]);
      expect(Object.fromEntries(stats)).toEqual({
        [a]: { issueId: a, count: 4, firstSeenMs: T + 1000, lastSeenMs: T + 2 * HOUR_MS + 5, firstVersion: '1.0', lastVersion: null, envs: ['production', 'staging'] },
        [b]: { issueId: b, count: 2, firstSeenMs: T - DAY_MS, lastSeenMs: T + HOUR_MS, firstVersion: '2.0', lastVersion: nasty, envs: [nasty] },
      });
      expect(await queries.occurrencesByIssue(tenant, [])).toEqual(new Map());

      expect(await queries.hourlyCounts(tenant, [a, b, c], T - DAY_MS)).toEqual([
        { issueId: a, hourStartMs: T, count: 3 },
        { issueId: a, hourStartMs: T + 2 * HOUR_MS, count: 1 },
        { issueId: b, hourStartMs: T - DAY_MS, count: 1 },
        { issueId: b, hourStartMs: T + HOUR_MS, count: 1 },
      ]);
      // From inside an hour: that hour whole, nothing before it.
      expect(await queries.hourlyCounts(tenant, [a, b], T + HOUR_MS + 1)).toEqual([
        { issueId: a, hourStartMs: T + 2 * HOUR_MS, count: 1 },
        { issueId: b, hourStartMs: T + HOUR_MS, count: 1 },
      ]);
      await expect(queries.hourlyCounts(tenant, [a], -1)).rejects.toBeInstanceOf(RangeError);

      const sorted = (ids: string[]) => [...ids].sort();
      expect(await queries.recentHourOccurrenceIds(tenant, [a, b, c], T + DAY_MS)).toEqual([
        { issueId: a, hourStartMs: T, occurrenceIds: sorted([a1.occurrence_id, a2.occurrence_id, a4.occurrence_id]) },
        { issueId: a, hourStartMs: T + 2 * HOUR_MS, occurrenceIds: [a3.occurrence_id] },
        { issueId: b, hourStartMs: T + HOUR_MS, occurrenceIds: [b2.occurrence_id] },
      ]);
      expect(await queries.recentHourOccurrenceIds(tenant, [a, b], T + 4 * DAY_MS)).toEqual([]);
      expect(await queries.recentHourOccurrenceIds(tenant, [], T)).toEqual([]);
    });
  });
}

/**
 * OPTIMIZE ... FINAL until `read` returns `expected`: on 18.16 an OPTIMIZE that coincides with a
 * background merge of the same parts returns without merging, so a single call is not enough. On a
 * cluster each shard's table is optimized on its own: 18.16 fails OPTIMIZE FINAL on a replicated table
 * that has nothing to merge with "Unknown log entry type: 0" (ClickHouse#3611, fixed in 19.x), which
 * is the case of every shard holding none of the test's rows, and that must not keep the shard that
 * holds them from being optimized.
 */
async function optimizeUntil<T>(target: ClickHouseTarget, table: string, read: () => Promise<T>, expected: T): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < 50 && !isDeepStrictEqual(value, expected); attempt++) {
    for (const storage of storageTables(target, table)) {
      await storage.client.command({ query: sql`OPTIMIZE TABLE ${storage.table} FINAL`.text }).catch((error: unknown) => {
        if (!(target.cluster && /Unknown log entry type/.test(String(error)))) throw error;
      });
    }
    value = await read();
    if (!isDeepStrictEqual(value, expected)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return value;
}

async function select<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

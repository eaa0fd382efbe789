import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createClickHouseClient,
  CounterRebuildQueries,
  IssueHourlyCountsRepository,
  IssueRepository,
  OccurrenceRepository,
} from '@faultline/clickhouse';
import type { ErrorSpanMessage, IssueEventMessage, IssueRecord, OccurrenceMessage } from '@faultline/contracts';
import { issueIdFor, toOccurrence, TRACKED_VALUE_KEYS } from '@faultline/domain';
import { createLogger } from '@faultline/observability';
import { createRedisClient, deleteKeysMatching, IssueStateKeys, IssueStateMeta, IssueStateRebuildStore, IssueStateStore, type HourlyCount } from '@faultline/redis';
import type { IssueEventPublisher } from '../record-occurrences/issue-event.publisher';
import { RecordOccurrencesUseCase } from '../record-occurrences/record-occurrences.use-case';
import { RebuildCountersUseCase } from './rebuild-counters.use-case';
import { RedisStateGuard } from './redis-state.guard';
import { StateGuardedRecordOccurrencesUseCase } from './state-guarded-record-occurrences.use-case';

/*
 * The rebuild of the Redis issue state from ClickHouse on the run's real ClickHouse (18.16 locally)
 * and Redis: batches recorded through the real use case, Redis state lost, rebuilt, compared, then
 * redeliveries and new occurrences counted against the rebuilt state. Every key of this file is
 * under its own prefix (its marker and lock included), and each test has its own tenant; the rebuild
 * reads only that tenant, so other spec files sharing the servers are not touched. Everything runs
 * on the run's standalone Redis and again on its Redis Cluster.
 */

jest.setTimeout(60_000);

/** Set by the integration project's global setup (libs/testing); a missing one fails the suite. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration specs through the jest "integration" project`);
  return value;
}

const HOUR_MS = 3_600_000;
const DEDUPE_WINDOW_HOURS = 48;
const RETENTION_HOURS = 14 * 24;
const database = requireEnv('CLICKHOUSE_DATABASE');
const clickhouse = createClickHouseClient({
  url: requireEnv('CLICKHOUSE_URL'),
  username: process.env['CLICKHOUSE_USER'] ?? 'default',
  password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
  database,
});
afterAll(async () => {
  await clickhouse.close();
});

/** The run's standalone Redis, and its Redis Cluster (seed nodes from the global setup). */
const redisTargets = [
  { name: 'standalone', connect: () => createRedisClient(requireEnv('REDIS_URL')) },
  {
    name: 'cluster',
    connect: () =>
      createRedisClient({
        REDIS_URL: 'redis://',
        REDIS_CLUSTER_NODES: requireEnv('REDIS_CLUSTER_NODES_FOR_TESTS')
          .split(',')
          .map((node) => ({ host: node.slice(0, node.lastIndexOf(':')), port: Number(node.slice(node.lastIndexOf(':') + 1)) })),
      }),
  },
];

describe.each(redisTargets)('on $name Redis', ({ connect }) => {
  const redis = connect();
  const prefix = `flrb${process.pid}${Date.now().toString(36)}`;
  const keys = new IssueStateKeys(prefix);
  const issueState = new IssueStateStore(redis, keys, { hourlyRetentionHours: RETENTION_HOURS });
  const issues = new IssueRepository(clickhouse, database);
  const hourlyCountsRepository = new IssueHourlyCountsRepository(clickhouse, database);
  const rebuildStore = new IssueStateRebuildStore(redis, keys);
  const meta = new IssueStateMeta(redis, prefix);
  const log = createLogger('silent', 'rebuild-it');

  /** Issue events the use case publishes, in memory (Kafka publishing has its own spec). */
  const published: IssueEventMessage[] = [];
  const publisher: IssueEventPublisher = {
    publish: async (events) => {
      published.push(...events);
    },
  };
  const recordUseCase = new RecordOccurrencesUseCase(
    new OccurrenceRepository(clickhouse, database),
    issueState,
    issues,
    publisher,
    hourlyCountsRepository,
    DEDUPE_WINDOW_HOURS,
  );

  /** The rebuild of one tenant (the production one reads every tenant of the projection). */
  function rebuildOf(tenant: string, queries = new CounterRebuildQueries(clickhouse, database)) {
    const oneTenant = Object.assign(Object.create(queries) as CounterRebuildQueries, { tenants: async () => [tenant] });
    return new RebuildCountersUseCase(oneTenant, rebuildStore, issues, hourlyCountsRepository, {
      dedupeWindowHours: DEDUPE_WINDOW_HOURS,
      hourlyRetentionHours: RETENTION_HOURS,
      pageSize: 1,
    });
  }

  afterAll(async () => {
    await redis.quit();
  });

  const FIXTURES = join(__dirname, '../../../../libs/domain/src/grouping/__fixtures__');
  const stack = (relativePath: string) => readFileSync(join(FIXTURES, relativePath), 'utf8').trimEnd();
  const PAYMENT_DECLINED = { '1.2.3': stack('node/payment-declined-release-1.2.3.txt'), '1.2.4': stack('node/payment-declined-release-1.2.4.txt') };
  const ORDER_NOT_FOUND = { '4.1.0': stack('python/order-not-found-app-v41.txt'), '4.2.0': stack('python/order-not-found-app-v42.txt') };

  // Recent (the dedupe window and the hourly retention are counted back from now): three hours ago,
  // on an hour boundary.
  const T0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;

  let tenantCounter = 0;
  const uniqueTenant = () => `rebuild-it-${process.pid}-${Date.now().toString(36)}-${tenantCounter++}`;

  function errorOf(text: string): { type: string; message: string } {
    const lines = text.split('\n');
    const line = text.startsWith('Traceback') ? lines[lines.length - 1] : lines[0];
    const colon = line.indexOf(': ');
    return { type: line.slice(0, colon), message: line.slice(colon + 2) };
  }

  /** A dd-trace error span as ingestion publishes it, fingerprinted as the fingerprinter does. */
  function occurrence(tenant: string, seq: number, atSeconds: number, version: string, env: string, text: string): OccurrenceMessage {
    const startMs = T0 + atSeconds * 1000;
    const error = errorOf(text);
    const traceId = (12_297_829_382_473_034_410n + BigInt(seq)).toString();
    const span: ErrorSpanMessage = {
      schema: 'error-span/v1',
      tenant,
      receivedAt: startMs + 850,
      protocol: 'datadog-v0.4',
      traceId,
      traceIdHex: `6b063f2d00000000${BigInt(traceId).toString(16)}`,
      spanId: (9_223_372_036_854_775_907n + BigInt(seq)).toString(),
      parentId: '0',
      service: 'checkout',
      name: 'express.request',
      resource: 'GET /checkout/:orderId',
      startNs: (BigInt(startMs) * 1_000_000n + 272_004n).toString(),
      durationNs: 997_070,
      error: { type: error.type, message: error.message, stack: text },
      env,
      version,
      host: 'ip-10-0-3-17',
      container: '3f4e1c9a2b7d',
      tags: { env, version, 'http.route': '/checkout/:orderId', 'http.status_code': '500' },
    };
    return toOccurrence(span);
  }

  /** Two bugs over three hours, two releases and two envs; `batches[1]` has a copy of one of `batches[0]`. */
  function scenario(tenant: string) {
    const batches = [
      [
        occurrence(tenant, 1, 10, '1.2.3', 'staging', PAYMENT_DECLINED['1.2.3']),
        occurrence(tenant, 2, 60, '4.1.0', 'production', ORDER_NOT_FOUND['4.1.0']),
        occurrence(tenant, 3, 3700, '1.2.4', 'production', PAYMENT_DECLINED['1.2.4']),
      ],
      [
        occurrence(tenant, 4, 5, '1.2.3', 'production', PAYMENT_DECLINED['1.2.3']),
        occurrence(tenant, 5, 7300, '4.2.0', 'production', ORDER_NOT_FOUND['4.2.0']),
        occurrence(tenant, 6, 7400, '1.2.4', 'production', PAYMENT_DECLINED['1.2.4']),
        occurrence(tenant, 2, 60, '4.1.0', 'production', ORDER_NOT_FOUND['4.1.0']),
      ],
    ];
    const payment = issueIdFor(tenant, 'checkout', batches[0][0].fingerprint);
    const order = issueIdFor(tenant, 'checkout', batches[0][1].fingerprint);
    return { batches, issueIds: [payment, order] as const, later: (seq: number, at: number) => occurrence(tenant, seq, at, '1.2.4', 'canary', PAYMENT_DECLINED['1.2.4']) };
  }

  interface Snapshot {
    record: IssueRecord;
    hourly: HourlyCount[];
    /** Tracked value counts per key (what tagDistribution reads). */
    values: Record<string, unknown>;
  }

  async function snapshot(tenant: string, issueIds: readonly string[]): Promise<Snapshot[]> {
    return Promise.all(
      issueIds.map(async (issueId) => {
        const record = await issueState.findIssue(tenant, issueId);
        if (!record) throw new Error(`issue ${issueId} is not in redis`);
        const values: Record<string, unknown> = {};
        for (const key of TRACKED_VALUE_KEYS) values[key] = (await issueState.valueCountsOf(tenant, [issueId], key)).get(issueId) ?? null;
        return { record, hourly: await issueState.hourlyCounts(tenant, issueId, T0 - HOUR_MS, T0 + 6 * HOUR_MS), values };
      }),
    );
  }

  /** Drops everything Redis holds of the tenant, as a restart without data would. */
  async function loseTenantState(tenant: string): Promise<number> {
    return deleteKeysMatching(redis, `${prefix}:{${encodeURIComponent(tenant)}:*`);
  }

  const withoutRevision = ({ record, hourly }: Snapshot) => ({ record: { ...record, revision: 0 }, hourly });

  describe('rebuilding the Redis issue state from ClickHouse', () => {
    it('gives back the state Redis lost: equal counts, bounds, envs, workflow and hourly counters, a higher revision, re-projected', async () => {
      const tenant = uniqueTenant();
      const { batches, issueIds, later } = scenario(tenant);
      for (const batch of batches) await recordUseCase.execute(batch);
      // Workflow made by people: the gateway writes Redis, then projects.
      const [payment, order] = issueIds;
      const assigned = await issueState.assign(tenant, payment, 'dana@example.com', 'dana@example.com', Date.now());
      const resolved = await issueState.updateStatus(tenant, order, 'RESOLVED', 'sam@example.com', Date.now());
      if (!assigned || !resolved) throw new Error('workflow change refused');
      await issues.upsert([assigned.record, resolved.record]);

      const before = await snapshot(tenant, issueIds);
      expect(before.map(({ record }) => record.count)).toEqual([4, 2]);
      expect(before[0].record).toMatchObject({ status: 'REVIEWED', assignee: 'dana@example.com', envs: ['production', 'staging'] });
      expect(before[1].record).toMatchObject({ status: 'RESOLVED', resolvedInVersion: '4.2.0' });

      expect(await loseTenantState(tenant)).toBeGreaterThan(0);
      expect(await issueState.findIssue(tenant, payment)).toBeNull();

      const result = await rebuildOf(tenant).execute();
      expect(result).toMatchObject({ tenants: 1, issues: 2, seenIds: 6, retried: 0 });

      const after = await snapshot(tenant, issueIds);
      expect(after.map(withoutRevision)).toEqual(before.map(withoutRevision));
      after.forEach(({ record }, index) => expect(record.revision).toBeGreaterThan(before[index].record.revision));
      // The projection carries the rebuilt state at its revision.
      for (const { record } of after) expect(await issues.findById(tenant, record.issueId)).toEqual(record);

      // A redelivery of both batches right after the rebuild is recognised: nothing changes.
      for (const batch of batches) await recordUseCase.execute(batch);
      expect((await snapshot(tenant, issueIds)).map(withoutRevision)).toEqual(before.map(withoutRevision));

      // A new occurrence counts once, in its hour and env.
      await recordUseCase.execute([later(7, 7500), later(7, 7500)]);
      const [paymentNow] = await snapshot(tenant, [payment]);
      expect(paymentNow.record).toMatchObject({ count: 5, envs: ['canary', 'production', 'staging'], lastSeenMs: T0 + 7_500_000 });
      expect(paymentNow.hourly.reduce((sum, { count }) => sum + count, 0)).toBe(5);
      const hourOf = ({ hourly }: Snapshot, hourStartMs: number) => hourly.find((hour) => hour.hourStartMs === hourStartMs)?.count ?? 0;
      expect(hourOf(paymentNow, T0 + 2 * HOUR_MS)).toBe(hourOf(before[0], T0 + 2 * HOUR_MS) + 1);
    });

    it('reads an issue again when a batch counts it while it is being rebuilt, and keeps the newer Redis workflow', async () => {
      const tenant = uniqueTenant();
      const { batches, issueIds, later } = scenario(tenant);
      for (const batch of batches) await recordUseCase.execute(batch);
      const [payment] = issueIds;
      // Ignored in Redis, but the projection write never happened (a crash in between): Redis is newer.
      await issueState.updateStatus(tenant, payment, 'IGNORED', 'sam@example.com', Date.now());

      // Between the rebuild's read of the Redis revisions and its ClickHouse reads, a batch counts a
      // new occurrence of the issue (ClickHouse first, then Redis).
      const queries = new CounterRebuildQueries(clickhouse, database);
      let interleaved = false;
      const racing = Object.assign(Object.create(queries) as CounterRebuildQueries, {
        occurrencesByIssue: async (t: string, ids: readonly string[]) => {
          const stale = await queries.occurrencesByIssue(t, ids);
          if (!interleaved && ids.includes(payment)) {
            interleaved = true;
            await recordUseCase.execute([later(8, 7600)]);
          }
          return stale;
        },
      });
      const result = await rebuildOf(tenant, racing).execute();
      expect(interleaved).toBe(true);
      expect(result.retried).toBe(1);
      const record = await issueState.findIssue(tenant, payment);
      if (!record) throw new Error('issue lost');
      expect(record).toMatchObject({ count: 5, status: 'IGNORED', lastSeenMs: T0 + 7_600_000 });
      expect(await issues.findById(tenant, payment)).toEqual(record);
      // A write against a revision that moved is refused.
      expect(await rebuildStore.replace([{ record: { ...record, count: 1 }, hourlyCounts: [], valueFields: {}, expectedRevision: '1', minRevision: 1 }])).toEqual([null]);
      expect((await issueState.findIssue(tenant, payment))?.count).toBe(5);
    });

    it('on an emptied Redis, the aggregator rebuilds before counting, once across replicas, without repeating created events', async () => {
      const tenant = uniqueTenant();
      const { batches, issueIds, later } = scenario(tenant);
      let rebuilds = 0;
      const replica = () => {
        const rebuild = rebuildOf(tenant);
        const counting = Object.assign(Object.create(rebuild) as RebuildCountersUseCase, {
          execute: (options: Parameters<RebuildCountersUseCase['execute']>[0]) => {
            rebuilds++;
            return rebuild.execute(options);
          },
        });
        const guard = new RedisStateGuard(meta, counting, log, { lockTtlMs: 2000, pollMs: 20 });
        return new StateGuardedRecordOccurrencesUseCase(
          guard,
          new OccurrenceRepository(clickhouse, database),
          issueState,
          issues,
          publisher,
          hourlyCountsRepository,
          DEDUPE_WINDOW_HOURS,
        );
      };
      const [first, second] = [replica(), replica()];

      // A new installation: no marker, nothing to rebuild for the tenant, then the marker.
      await meta.clearState();
      await first.execute(batches[0]);
      expect(rebuilds).toBe(1);
      expect(await meta.stateMarked()).toBe(true);
      await second.execute(batches[1]);
      expect(rebuilds).toBe(1);
      const before = await snapshot(tenant, issueIds);
      expect(before.map(({ record }) => record.count)).toEqual([4, 2]);
      const createdBefore = published.filter((event) => event.tenant === tenant && event.change.action === 'created').length;
      expect(createdBefore).toBe(2);

      // Redis restarts empty (the tenant's keys and the marker are gone).
      await loseTenantState(tenant);
      await meta.clearState();

      // Both replicas get a batch at once: a redelivered copy and a new occurrence each.
      await Promise.all([first.execute([batches[0][0], later(9, 7700)]), second.execute([batches[1][1], later(10, 7800)])]);
      expect(rebuilds).toBe(2);
      expect(await meta.stateMarked()).toBe(true);
      expect(await meta.lockHeld()).toBe(false);
      const after = await snapshot(tenant, issueIds);
      expect(after.map(({ record }) => record.count)).toEqual([6, 2]);
      expect(after[0].record).toMatchObject({ firstSeenMs: before[0].record.firstSeenMs, lastSeenMs: T0 + 7_800_000, envs: ['canary', 'production', 'staging'] });
      expect(published.filter((event) => event.tenant === tenant && event.change.action === 'created')).toHaveLength(2);
    });
  });
});

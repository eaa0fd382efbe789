import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createClickHouseClient,
  sql,
  IssueHourlyCountsRepository,
  IssueListQueries,
  IssueRepository,
  OccurrenceRepository,
  toOccurrenceRow,
  type IssueListFilter,
} from '@faultline/clickhouse';
import { issueEventCodec, type ErrorSpanMessage, type IssueEventMessage, type IssueRecord, type OccurrenceMessage } from '@faultline/contracts';
import { issueIdFor, toOccurrence } from '@faultline/domain';
import { createKafka, KafkaProducer, type Kafka } from '@faultline/kafka';
import { createRedisClient, IssueStateStore } from '@faultline/redis';
import { KafkaIssueEventPublisher, type IssueEventPublisher } from './issue-event.publisher';
import { RecordOccurrencesUseCase } from './record-occurrences.use-case';

/*
 * The aggregator's write path on the run's real ClickHouse (18.16 locally, migrations applied) and
 * Redis, and issue events on the run's real broker (a topic of this file, read back by one consumer).
 * Occurrences are what the fingerprinter would produce (`toOccurrence`) from error spans with real
 * stack traces; each test has its own tenant, which leads every key in both stores and every event.
 */

// The integration project's `testTimeout` in jest.config.js does not apply (jest-circus reads only the
// global one); these tests take well under a second each.
jest.setTimeout(30_000);

/** Set by the integration project's global setup (libs/testing); a missing one fails the suite. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration specs through the jest "integration" project`);
  return value;
}

const database = requireEnv('CLICKHOUSE_DATABASE');
const clickhouse = createClickHouseClient({
  url: requireEnv('CLICKHOUSE_URL'),
  username: process.env['CLICKHOUSE_USER'] ?? 'default',
  password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
  database,
});
const redis = createRedisClient(requireEnv('REDIS_URL'));
const occurrenceRepository = new OccurrenceRepository(clickhouse, database);
const issueRepository = new IssueRepository(clickhouse, database);
const issueList = new IssueListQueries(clickhouse, database);
// The fixtures are dated 2024: keep their hourly counters (the default retention is 14 days back from now).
const issueState = new IssueStateStore(redis, undefined, { hourlyRetentionHours: 10 * 365 * 24 });
const hourlyCounts = new IssueHourlyCountsRepository(clickhouse, database);

const kafka: Kafka = createKafka({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'aggregator-it' });
const EVENTS_TOPIC = `issue-events-it-${process.pid}-${Date.now().toString(36)}`;
const producer = new KafkaProducer(kafka, { idempotent: false });
const publisher = new KafkaIssueEventPublisher(producer, EVENTS_TOPIC);
const useCase = new RecordOccurrencesUseCase(occurrenceRepository, issueState, issueRepository, publisher, hourlyCounts, 48);

/** Every event on EVENTS_TOPIC, as one consumer of this file reads them. */
const received: { key: string | null; partition: number; event: IssueEventMessage }[] = [];
// Short fetch waits: librdkafka's mock holds a fetch for its whole wait even when data arrives.
const eventReader = kafka.consumer({ groupId: `${EVENTS_TOPIC}-reader`, maxWaitTimeInMs: 100 });

beforeAll(async () => {
  // A real cluster creates the topic through CreateTopics; librdkafka's mock cluster fails that
  // request in kafkajs (no controller) but creates any unknown topic a metadata request names.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: EVENTS_TOPIC, numPartitions: 4 }], waitForLeaders: true, timeout: 5000 }).catch(() => undefined);
    const metadata = await admin.fetchTopicMetadata({ topics: [EVENTS_TOPIC] });
    if (!metadata.topics[0]?.partitions.length) throw new Error(`topic ${EVENTS_TOPIC} was not created`);
  } finally {
    await admin.disconnect();
  }
  await producer.connect();
  await eventReader.connect();
  await eventReader.subscribe({ topic: EVENTS_TOPIC, fromBeginning: true });
  await eventReader.run({
    eachMessage: async ({ partition, message }) => {
      received.push({ key: message.key?.toString() ?? null, partition, event: issueEventCodec.decode(message.value ?? Buffer.alloc(0)) });
    },
  });
});

afterAll(async () => {
  await eventReader.disconnect();
  await producer.disconnect();
  await clickhouse.close();
  await redis.quit();
});

/**
 * A tenant's events, once the reader has everything written to the topic so far (the sum of the
 * partitions' log end offsets), so "no event" is an exact statement rather than a timeout guess.
 */
async function eventsOf(tenant: string): Promise<{ key: string | null; partition: number; event: IssueEventMessage }[]> {
  const admin = kafka.admin();
  await admin.connect();
  let written: number;
  try {
    written = (await admin.fetchTopicOffsets(EVENTS_TOPIC)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
  const deadline = Date.now() + 20_000;
  while (received.length < written) {
    if (Date.now() > deadline) throw new Error(`read ${received.length} of ${written} issue events`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received.filter(({ event }) => event.tenant === tenant);
}

/** The (issue id, action, from, to) of each event, for compact expectations. */
const actions = (events: { event: IssueEventMessage }[]) => events.map(({ event }) => [event.issueId, event.change.action, event.change.from, event.change.to]);

/** Sum over the issue's hours of `issue_hourly_counts`, read as the gateway does (largest count per hour). */
async function hourlyTotal(tenant: string, issueId: string): Promise<number> {
  const result = await clickhouse.query({
    query: sql`SELECT sum(hour_count) AS total FROM (
      SELECT hour_start_ms, max(count) AS hour_count FROM ${hourlyCounts.tableSql}
      WHERE tenant = ${tenant} AND issue_id = ${issueId} GROUP BY hour_start_ms)`.text,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ total: number | string }>();
  return Number(row?.total ?? 0);
}

const FIXTURES = join(__dirname, '../../../../libs/domain/src/grouping/__fixtures__');
const stackFixture = (relativePath: string) => readFileSync(join(FIXTURES, relativePath), 'utf8').trimEnd();

/** The exception line of a stack: `Type: message` (the last one for Python's chained tracebacks). */
function errorOf(stack: string): { type: string; message: string } {
  const lines = stack.split('\n');
  const line = stack.startsWith('Traceback') ? lines[lines.length - 1] : lines[0];
  const colon = line.indexOf(': ');
  return { type: line.slice(0, colon), message: line.slice(colon + 2) };
}

// Two bugs, each thrown from two releases (other directories, moved lines, other order ids).
const PAYMENT_DECLINED = { '1.2.3': stackFixture('node/payment-declined-release-1.2.3.txt'), '1.2.4': stackFixture('node/payment-declined-release-1.2.4.txt') };
const ORDER_NOT_FOUND = { '4.1.0': stackFixture('python/order-not-found-app-v41.txt'), '4.2.0': stackFixture('python/order-not-found-app-v42.txt') };

// 2024-11-25T00:00:00Z, an hour boundary.
const T0 = 1_732_492_800_000;

let tenantCounter = 0;
function uniqueTenant(): string {
  return `agg-it-${process.pid}-${Date.now().toString(36)}-${tenantCounter++}`;
}

interface SpanSpec {
  /** Distinguishes the span within its trace; ids are unsigned 64-bit, above 2^53 on purpose. */
  seq: number;
  /** Seconds after T0 (the span start). */
  at: number;
  version: string;
  env: string;
  stack: string;
}

/** An `error-span/v1` message as ingestion publishes it for a dd-trace entry span, then fingerprinted. */
function occurrence(tenant: string, service: string, spec: SpanSpec): OccurrenceMessage {
  const error = errorOf(spec.stack);
  const startMs = T0 + spec.at * 1000;
  const span: ErrorSpanMessage = {
    schema: 'error-span/v1',
    tenant,
    receivedAt: startMs + 850,
    protocol: 'datadog-v0.4',
    traceId: (12_297_829_382_473_034_410n + BigInt(spec.seq)).toString(),
    traceIdHex: `6b063f2d00000000${(12_297_829_382_473_034_410n + BigInt(spec.seq)).toString(16)}`,
    spanId: (9_223_372_036_854_775_907n + BigInt(spec.seq)).toString(),
    parentId: '0',
    service,
    name: 'express.request',
    resource: 'GET /checkout/:orderId',
    startNs: (BigInt(startMs) * 1_000_000n + 272_004n).toString(),
    durationNs: 997_070,
    error: { type: error.type, message: error.message, stack: spec.stack },
    env: spec.env,
    version: spec.version,
    host: 'ip-10-0-3-17',
    container: '3f4e1c9a2b7d',
    tags: { env: spec.env, version: spec.version, 'http.route': '/checkout/:orderId', 'http.status_code': '500' },
  };
  return toOccurrence(span);
}

/**
 * One batch as the aggregator would consume it: two bugs interleaved, timestamps out of order.
 * Payment declined: earliest at +5 s (1.2.3, staging), latest at +3700 s (1.2.4, production).
 * Order not found: earliest at +60 s (4.1.0), latest at +200 s (4.2.0).
 */
function scenario(tenant: string, service: string) {
  const spans = {
    a1: { seq: 1, at: 300, version: '1.2.4', env: 'production', stack: PAYMENT_DECLINED['1.2.4'] },
    b1: { seq: 2, at: 200, version: '4.2.0', env: 'production', stack: ORDER_NOT_FOUND['4.2.0'] },
    a2: { seq: 3, at: 10, version: '1.2.3', env: 'production', stack: PAYMENT_DECLINED['1.2.3'] },
    a3: { seq: 4, at: 3700, version: '1.2.4', env: 'production', stack: PAYMENT_DECLINED['1.2.4'] },
    b2: { seq: 5, at: 60, version: '4.1.0', env: 'production', stack: ORDER_NOT_FOUND['4.1.0'] },
    a4: { seq: 6, at: 120, version: '1.2.3', env: 'production', stack: PAYMENT_DECLINED['1.2.3'] },
    b3: { seq: 7, at: 100, version: '4.1.0', env: 'production', stack: ORDER_NOT_FOUND['4.1.0'] },
    a5: { seq: 8, at: 5, version: '1.2.3', env: 'staging', stack: PAYMENT_DECLINED['1.2.3'] },
  } satisfies Record<string, SpanSpec>;
  const messages = Object.fromEntries(Object.entries(spans).map(([name, spec]) => [name, occurrence(tenant, service, spec)])) as Record<
    keyof typeof spans,
    OccurrenceMessage
  >;
  const paymentIssueId = issueIdFor(tenant, service, messages.a1.fingerprint);
  const orderIssueId = issueIdFor(tenant, service, messages.b1.fingerprint);
  return { messages, paymentIssueId, orderIssueId };
}

/** The tenant's issues as the explorer lists them by last seen (the gateway reads the records by id). */
async function listIssues(tenant: string, filter: IssueListFilter = {}): Promise<{ totalCount: number; records: IssueRecord[] }> {
  const { ids, totalCount } = await issueList.orderedIds(tenant, filter, { field: 'LAST_SEEN', direction: 'DESC' }, Date.now(), 25);
  const byId = new Map((await issueRepository.findByIds(tenant, ids)).map((record) => [record.issueId, record]));
  return { totalCount, records: ids.map((id) => byId.get(id) as IssueRecord) };
}

async function allIssues(tenant: string): Promise<IssueRecord[]> {
  const page = await listIssues(tenant);
  expect(page.totalCount).toBe(page.records.length);
  return page.records;
}

/** Occurrence ids of an issue as the explorer reads them, newest first, plus the distinct total. */
async function occurrenceIds(tenant: string, issueId: string): Promise<{ totalCount: number; ids: string[] }> {
  const page = await occurrenceRepository.listByIssue(tenant, issueId, { first: 25 });
  expect(page.hasNextPage).toBe(false);
  return { totalCount: page.totalCount, ids: page.rows.map((row) => row.occurrenceId) };
}

const ids = (...messages: OccurrenceMessage[]) => messages.map((message) => message.occurrenceId);

describe('RecordOccurrencesUseCase (real ClickHouse and Redis)', () => {
  it('groups real stacks from two releases into one issue per bug, whatever the release directory or order id', () => {
    const { messages } = scenario('grouping-check', 'checkout');
    expect(new Set([messages.a1, messages.a2, messages.a3, messages.a4, messages.a5].map((message) => message.fingerprint)).size).toBe(1);
    expect(new Set([messages.b1, messages.b2, messages.b3].map((message) => message.fingerprint)).size).toBe(1);
    expect(messages.a1.fingerprint).not.toBe(messages.b1.fingerprint);
  });

  it('turns a batch of occurrences of two bugs into two issues with exact counts, first/last seen and version, and envs', async () => {
    const tenant = uniqueTenant();
    const { messages, paymentIssueId, orderIssueId } = scenario(tenant, 'checkout');
    const { a1, a2, a3, a4, a5, b1, b2, b3 } = messages;

    const startedAtUs = Date.now() * 1000;
    const returned = await useCase.execute([a1, b1, a2, a3, b2, a4, b3, a5]);

    // Revisions are Redis server time in microseconds (same clock as this machine's).
    const [{ revision: paymentRevision }, { revision: orderRevision }] = returned;
    for (const revision of [paymentRevision, orderRevision]) {
      expect(revision).toBeGreaterThanOrEqual(startedAtUs - 1_000_000);
      expect(revision).toBeLessThanOrEqual(Date.now() * 1000 + 1_000_000);
    }
    const payment: IssueRecord = {
      tenant,
      issueId: paymentIssueId,
      fingerprint: a1.fingerprint,
      fingerprintVersion: a1.fingerprintVersion,
      service: 'checkout',
      // The issue is created from its earliest occurrence in the batch.
      env: 'staging',
      envs: ['production', 'staging'],
      errorType: 'PaymentDeclinedError',
      errorMessage: a5.errorMessage,
      messageTemplate: a5.messageTemplate,
      culprit: a5.culprit,
      status: 'FOR_REVIEW',
      count: 5,
      firstSeenMs: T0 + 5_000,
      lastSeenMs: T0 + 3_700_000,
      firstVersion: '1.2.3',
      lastVersion: '1.2.4',
      regression: false,
      assignee: null,
      resolvedInVersion: null,
      revision: paymentRevision,
    };
    const order: IssueRecord = {
      tenant,
      issueId: orderIssueId,
      fingerprint: b1.fingerprint,
      fingerprintVersion: b1.fingerprintVersion,
      service: 'checkout',
      env: 'production',
      envs: ['production'],
      errorType: 'OrderNotFound',
      errorMessage: b2.errorMessage,
      messageTemplate: b2.messageTemplate,
      culprit: b2.culprit,
      status: 'FOR_REVIEW',
      count: 3,
      firstSeenMs: T0 + 60_000,
      lastSeenMs: T0 + 200_000,
      firstVersion: '4.1.0',
      lastVersion: '4.2.0',
      regression: false,
      assignee: null,
      resolvedInVersion: null,
      revision: orderRevision,
    };
    expect(payment.errorMessage).toBe('Payment declined for order ORD-2024-00042: amount 1234.5 EUR exceeds limit');
    expect(order.errorMessage).toBe('order ord_13bb90 not found');
    expect(returned).toEqual([payment, order]);

    // The ClickHouse projection and the authoritative Redis state agree.
    expect(await issueRepository.findById(tenant, paymentIssueId)).toEqual(payment);
    expect(await issueState.findIssue(tenant, paymentIssueId)).toEqual(payment);
    expect(await issueState.findIssue(tenant, orderIssueId)).toEqual(order);
    expect(await allIssues(tenant)).toEqual([payment, order]); // last seen first

    // Each occurrence is stored once under its issue, newest first, as the fingerprinter made it.
    expect(await occurrenceIds(tenant, paymentIssueId)).toEqual({ totalCount: 5, ids: ids(a3, a1, a4, a2, a5) });
    expect(await occurrenceIds(tenant, orderIssueId)).toEqual({ totalCount: 3, ids: ids(b1, b3, b2) });
    const [newest] = (await occurrenceRepository.listByIssue(tenant, paymentIssueId, { first: 1 })).rows;
    expect(newest).toEqual({
      tenant,
      issueId: paymentIssueId,
      occurrenceId: a3.occurrenceId,
      fingerprint: a3.fingerprint,
      fingerprintVersion: a3.fingerprintVersion,
      timestampMs: a3.timestampMs,
      receivedAtMs: a3.receivedAt,
      service: 'checkout',
      env: 'production',
      version: '1.2.4',
      host: 'ip-10-0-3-17',
      container: '3f4e1c9a2b7d',
      resource: 'GET /checkout/:orderId',
      traceId: a3.traceId,
      traceIdHex: a3.traceIdHex,
      spanId: a3.spanId,
      errorType: 'PaymentDeclinedError',
      errorMessage: 'Payment declined for order ord_13bb90: amount 1999.99 EUR exceeds limit',
      messageTemplate: a3.messageTemplate,
      stack: PAYMENT_DECLINED['1.2.4'],
      frames: a3.frames,
      culprit: a3.culprit,
      tags: a3.tags,
    });
    expect(newest.traceId).toBe('12297829382473034414'); // 64-bit ids survive as decimal text
    expect(newest.traceIdHex).toBe('6b063f2d00000000aaaaaaaaaaaaaaae');

    // One `created` event per issue, keyed by issue id.
    const events = await eventsOf(tenant);
    expect(events.map(({ key, event }) => ({ key, event }))).toEqual(
      expect.arrayContaining(
        [payment, order].map((issue) => ({
          key: issue.issueId,
          event: {
            schema: 'issue-event/v1',
            tenant,
            issueId: issue.issueId,
            service: 'checkout',
            fingerprint: issue.fingerprint,
            errorType: issue.errorType,
            change: { atMs: expect.any(Number), actor: 'system', action: 'created', from: null, to: 'FOR_REVIEW', assignee: null },
          },
        })),
      ),
    );
    expect(events).toHaveLength(2);
    expect(await issueState.history(tenant, paymentIssueId)).toEqual([events.find(({ key }) => key === paymentIssueId)?.event.change]);
  });

  it('changes nothing when the same batch is delivered again', async () => {
    const tenant = uniqueTenant();
    const { messages, paymentIssueId, orderIssueId } = scenario(tenant, 'checkout');
    const batch = Object.values(messages);

    const first = await useCase.execute(batch);
    const issuesBefore = await allIssues(tenant);
    const paymentOccurrencesBefore = await occurrenceRepository.listByIssue(tenant, paymentIssueId, { first: 25 });

    const again = await useCase.execute(batch);

    // Same state, same revision: a redelivery is not a change.
    expect(again).toEqual(first);
    expect(again.map((record) => record.count)).toEqual([5, 3]);
    expect(await allIssues(tenant)).toEqual(issuesBefore);
    expect(await occurrenceRepository.listByIssue(tenant, paymentIssueId, { first: 25 })).toEqual(paymentOccurrencesBefore);
    expect((await occurrenceIds(tenant, paymentIssueId)).totalCount).toBe(5);
    expect((await occurrenceIds(tenant, orderIssueId)).totalCount).toBe(3);
    expect(await issueState.findIssue(tenant, paymentIssueId)).toEqual(first[0]);
    expect(await hourlyTotal(tenant, paymentIssueId)).toBe(5);
    expect(await hourlyTotal(tenant, orderIssueId)).toBe(3);
    // Nothing happened, so nothing is announced again.
    expect(actions(await eventsOf(tenant))).toEqual(expect.arrayContaining([[paymentIssueId, 'created', null, 'FOR_REVIEW'], [orderIssueId, 'created', null, 'FOR_REVIEW']]));
    expect(await eventsOf(tenant)).toHaveLength(2);
  });

  it('completes the projection on redelivery after a crash between the Redis write and the ClickHouse issue write', async () => {
    const tenant = uniqueTenant();
    const { messages, paymentIssueId, orderIssueId } = scenario(tenant, 'checkout');
    const batch = Object.values(messages);
    const issueIdOf = (message: OccurrenceMessage) => issueIdFor(message.tenant, message.service, message.fingerprint);

    // The first delivery got through steps 1 and 2, then the process died: no offset commit, no projection.
    await occurrenceRepository.insert(batch.map((message) => toOccurrenceRow(message, issueIdOf(message))));
    const counted = (
      await issueState.recordOccurrences(
        batch.map((message) => ({ ...message, issueId: issueIdOf(message) })),
        48,
      )
    ).map((recorded) => recorded.record);
    expect(counted.map((record) => record.count)).toEqual([5, 3]);
    expect(await issueRepository.findById(tenant, paymentIssueId)).toBeNull();

    const redelivered = await useCase.execute(batch);

    expect(redelivered).toEqual(counted);
    // The hourly counts the crash kept from ClickHouse are written by the redelivery.
    expect(await hourlyTotal(tenant, paymentIssueId)).toBe(5);
    expect(await hourlyTotal(tenant, orderIssueId)).toBe(3);
    expect(await issueRepository.findByIds(tenant, [paymentIssueId, orderIssueId])).toEqual(expect.arrayContaining(counted));
    expect((await occurrenceIds(tenant, paymentIssueId)).totalCount).toBe(5);
    // The creations the first delivery recorded but never announced go out with the redelivery.
    expect(actions(await eventsOf(tenant)).sort()).toEqual([
      [orderIssueId, 'created', null, 'FOR_REVIEW'],
      [paymentIssueId, 'created', null, 'FOR_REVIEW'],
    ].sort());
  });

  it('announces a regression of a resolved issue once, and only for a newer version', async () => {
    const tenant = uniqueTenant();
    const { messages, paymentIssueId } = scenario(tenant, 'checkout');
    await useCase.execute(Object.values(messages));
    const resolved = await issueState.updateStatus(tenant, paymentIssueId, 'RESOLVED', 'alice@example.com', Date.now());
    expect(resolved?.record).toMatchObject({ status: 'RESOLVED', resolvedInVersion: '1.2.4' });

    // The same and an older release: still resolved, nothing announced.
    const sameRelease = occurrence(tenant, 'checkout', { seq: 20, at: 4000, version: '1.2.4', env: 'production', stack: PAYMENT_DECLINED['1.2.4'] });
    const olderRelease = occurrence(tenant, 'checkout', { seq: 21, at: 4100, version: '1.2.3', env: 'production', stack: PAYMENT_DECLINED['1.2.3'] });
    const [stillResolved] = await useCase.execute([sameRelease, olderRelease]);
    expect(stillResolved).toMatchObject({ issueId: paymentIssueId, status: 'RESOLVED', regression: false, count: 7 });

    const newerRelease = occurrence(tenant, 'checkout', { seq: 22, at: 4200, version: '1.2.10', env: 'production', stack: PAYMENT_DECLINED['1.2.4'] });
    const [regressed] = await useCase.execute([newerRelease]);
    expect(regressed).toMatchObject({ issueId: paymentIssueId, status: 'FOR_REVIEW', regression: true, resolvedInVersion: null, lastVersion: '1.2.10', count: 8 });
    expect(await issueRepository.findById(tenant, paymentIssueId)).toEqual(regressed);
    await useCase.execute([newerRelease]); // redelivered: no second regression

    const paymentEvents = (await eventsOf(tenant)).filter(({ key }) => key === paymentIssueId);
    expect(actions(paymentEvents)).toEqual([
      [paymentIssueId, 'created', null, 'FOR_REVIEW'],
      [paymentIssueId, 'regressed', 'RESOLVED', 'FOR_REVIEW'],
    ]);
    expect(new Set(paymentEvents.map(({ partition }) => partition)).size).toBe(1);
  });

  it('publishes after the projection write, and retries a failed publish on redelivery (at-least-once)', async () => {
    const tenant = uniqueTenant();
    const { messages, paymentIssueId, orderIssueId } = scenario(tenant, 'checkout');
    const batch = Object.values(messages);
    const projectedAtPublish: (IssueRecord | null)[] = [];
    const failing: IssueEventPublisher = {
      publish: async (events) => {
        for (const event of events) projectedAtPublish.push(await issueRepository.findById(event.tenant, event.issueId));
        throw new Error('broker unavailable');
      },
    };
    const failingUseCase = new RecordOccurrencesUseCase(occurrenceRepository, issueState, issueRepository, failing, hourlyCounts, 48);

    await expect(failingUseCase.execute(batch)).rejects.toThrow('broker unavailable');
    // The projection was already written when the events went out.
    expect(projectedAtPublish.map((record) => record?.issueId).sort()).toEqual([paymentIssueId, orderIssueId].sort());
    expect(await eventsOf(tenant)).toEqual([]);

    const redelivered = await useCase.execute(batch);
    expect(redelivered.map((record) => record.count)).toEqual([5, 3]);
    expect(actions(await eventsOf(tenant)).sort()).toEqual([
      [orderIssueId, 'created', null, 'FOR_REVIEW'],
      [paymentIssueId, 'created', null, 'FOR_REVIEW'],
    ].sort());
    await useCase.execute(batch); // acknowledged: a further redelivery announces nothing
    expect(await eventsOf(tenant)).toHaveLength(2);
  });

  it('counts only the new occurrences of a batch that overlaps an earlier one', async () => {
    const tenant = uniqueTenant();
    const { messages, paymentIssueId, orderIssueId } = scenario(tenant, 'checkout');
    const { a1, a2, a3, a4, a5, b1, b2, b3 } = messages;

    const firstBatch = await useCase.execute([a1, a2, a3, b1]);
    const [paymentBefore, orderBefore] = firstBatch;
    expect(firstBatch.map((record) => [record.issueId, record.count, record.firstVersion, record.lastVersion])).toEqual([
      [paymentIssueId, 3, '1.2.3', '1.2.4'],
      [orderIssueId, 1, '4.2.0', '4.2.0'],
    ]);

    // Redelivers a3 and b1 next to new occurrences, including ones older than anything seen so far.
    const secondBatch = await useCase.execute([b2, a3, a4, b1, a5, b3]);

    const expectedPayment = {
      count: 5,
      firstSeenMs: T0 + 5_000,
      firstVersion: '1.2.3',
      lastSeenMs: T0 + 3_700_000,
      lastVersion: '1.2.4',
      envs: ['production', 'staging'],
    };
    const expectedOrder = { count: 3, firstSeenMs: T0 + 60_000, firstVersion: '4.1.0', lastSeenMs: T0 + 200_000, lastVersion: '4.2.0', envs: ['production'] };
    expect(secondBatch).toEqual([expect.objectContaining(expectedOrder), expect.objectContaining(expectedPayment)]);
    // Both changed, so both got a newer revision: the projection's argMax picks these rows.
    const [orderAfter, paymentAfter] = secondBatch;
    expect(paymentAfter.revision).toBeGreaterThan(paymentBefore.revision);
    expect(orderAfter.revision).toBeGreaterThan(orderBefore.revision);

    const [paymentIssue, orderIssue] = await allIssues(tenant);
    expect(paymentIssue).toEqual(paymentAfter);
    expect(orderIssue).toEqual(orderAfter);
    expect(paymentIssue).toMatchObject({ issueId: paymentIssueId, ...expectedPayment });
    expect(orderIssue).toMatchObject({ issueId: orderIssueId, ...expectedOrder });
    expect(await occurrenceIds(tenant, paymentIssueId)).toEqual({ totalCount: 5, ids: ids(a3, a1, a4, a2, a5) });
    expect(await occurrenceIds(tenant, orderIssueId)).toEqual({ totalCount: 3, ids: ids(b1, b3, b2) });
  });

  it('lists and filters issues, and pages occurrences, as they were recorded', async () => {
    const tenant = uniqueTenant();
    const checkout = scenario(tenant, 'checkout');
    const billing = scenario(tenant, 'billing'); // the same bugs in another service are other issues
    await useCase.execute(Object.values(checkout.messages));
    await useCase.execute([billing.messages.b2]);

    const all = await listIssues(tenant);
    expect(all.totalCount).toBe(3);
    expect(all.records.map((record) => [record.service, record.errorType, record.count])).toEqual([
      ['checkout', 'PaymentDeclinedError', 5],
      ['checkout', 'OrderNotFound', 3],
      ['billing', 'OrderNotFound', 1],
    ]);

    const byService = await listIssues(tenant, { service: 'billing' });
    expect(byService.records.map((record) => record.issueId)).toEqual([issueIdFor(tenant, 'billing', billing.messages.b2.fingerprint)]);
    const staging = await listIssues(tenant, { env: 'staging' });
    expect(staging.records.map((record) => record.issueId)).toEqual([checkout.paymentIssueId]);
    const search = await listIssues(tenant, { search: 'orderNOTfound' });
    expect(search.totalCount).toBe(2);
    expect(await listIssues(tenant, { statuses: ['RESOLVED'] })).toEqual({ totalCount: 0, records: [] });

    const { a1, a2, a3, a4, a5 } = checkout.messages;
    const occurrencesFirst = await occurrenceRepository.listByIssue(tenant, checkout.paymentIssueId, { first: 3 });
    expect(occurrencesFirst).toMatchObject({ totalCount: 5, hasNextPage: true });
    const occurrencesRest = await occurrenceRepository.listByIssue(tenant, checkout.paymentIssueId, { first: 3, after: occurrencesFirst.endCursor });
    expect(occurrencesRest).toMatchObject({ totalCount: 5, hasNextPage: false });
    expect([...occurrencesFirst.rows, ...occurrencesRest.rows].map((row) => row.occurrenceId)).toEqual(ids(a3, a1, a4, a2, a5));

    // Another tenant sees none of it.
    expect((await listIssues(uniqueTenant())).totalCount).toBe(0);
    expect((await occurrenceRepository.listByIssue(uniqueTenant(), checkout.paymentIssueId, { first: 25 })).totalCount).toBe(0);
  });
});

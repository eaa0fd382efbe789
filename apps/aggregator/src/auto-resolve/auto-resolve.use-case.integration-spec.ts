import { createHash } from 'node:crypto';
import { AutoResolveQueries, createClickHouseClient, IssueHourlyCountsRepository, IssueRepository, OccurrenceRepository } from '@faultline/clickhouse';
import { issueEventCodec, type IssueEventMessage, type OccurrenceMessage } from '@faultline/contracts';
import { issueIdFor } from '@faultline/domain';
import { createKafka, KafkaProducer, type Kafka } from '@faultline/kafka';
import { createRedisClient, IssueStateStore } from '@faultline/redis';
import { KafkaIssueEventPublisher } from '../record-occurrences/issue-event.publisher';
import { RecordOccurrencesUseCase } from '../record-occurrences/record-occurrences.use-case';
import { AutoResolveIssuesUseCase } from './auto-resolve.use-case';

/*
 * Auto-resolve end to end on the run's real ClickHouse, Redis and broker: occurrences go in through
 * the aggregator's own write path, then one run at a fixed time resolves what the rule says. The data
 * is dated January 2000, before any other test's, and each test has its own tenant; the clock is a
 * parameter, nothing sleeps.
 */

jest.setTimeout(30_000);

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
// Keep the hourly counters of data dated 2000.
const issueState = new IssueStateStore(redis, undefined, { hourlyRetentionHours: 40 * 365 * 24 });
const issueRepository = new IssueRepository(clickhouse, database);

const kafka: Kafka = createKafka({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'auto-resolve-it' });
const EVENTS_TOPIC = `issue-events-ar-it-${process.pid}-${Date.now().toString(36)}`;
const producer = new KafkaProducer(kafka, { idempotent: false });
const publisher = new KafkaIssueEventPublisher(producer, EVENTS_TOPIC);
const recordOccurrences = new RecordOccurrencesUseCase(
  new OccurrenceRepository(clickhouse, database),
  issueState,
  issueRepository,
  publisher,
  new IssueHourlyCountsRepository(clickhouse, database),
  48,
);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A small page size, so the run pages through the candidates.
const autoResolve = new AutoResolveIssuesUseCase(new AutoResolveQueries(clickhouse, database), issueState, issueRepository, publisher, { inactiveDays: 14, versionGraceMs: 24 * HOUR }, 2);

const received: IssueEventMessage[] = [];
const eventReader = kafka.consumer({ groupId: `${EVENTS_TOPIC}-reader`, maxWaitTimeInMs: 100 });

beforeAll(async () => {
  // librdkafka's mock cluster fails CreateTopics in kafkajs but creates a topic a metadata request names.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: EVENTS_TOPIC, numPartitions: 2 }], waitForLeaders: true, timeout: 5000 }).catch(() => undefined);
    const metadata = await admin.fetchTopicMetadata({ topics: [EVENTS_TOPIC] });
    if (!metadata.topics[0]?.partitions.length) throw new Error(`topic ${EVENTS_TOPIC} was not created`);
  } finally {
    await admin.disconnect();
  }
  await producer.connect();
  await eventReader.connect();
  await eventReader.subscribe({ topic: EVENTS_TOPIC, fromBeginning: true });
  await eventReader.run({ eachMessage: async ({ message }) => void received.push(issueEventCodec.decode(message.value ?? Buffer.alloc(0))) });
});

afterAll(async () => {
  await eventReader.disconnect();
  await producer.disconnect();
  await clickhouse.close();
  await redis.quit();
});

/** A tenant's events once the reader has read everything written to the topic so far. */
async function eventsOf(tenant: string): Promise<IssueEventMessage[]> {
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
  return received.filter((event) => event.tenant === tenant);
}

const hexId = (...parts: (string | number)[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);

// 2000-01-31T00:00:00Z: the run's fixed clock.
const NOW = 946_684_800_000 + 30 * DAY;

let tenantCounter = 0;
const uniqueTenant = () => `ar-it-${process.pid}-${Date.now().toString(36)}-${tenantCounter++}`;

// A real Node.js stack as dd-trace reports it for an Express route that throws.
const STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at getOrder (/usr/src/app/src/orders/orders.controller.js:42:27)
    at Layer.handle [as handle_request] (/usr/src/app/node_modules/express/lib/router/layer.js:95:5)`;

let spanCounter = 0;
/** An occurrence of bug `bug` (its own fingerprint) of the checkout service. */
function occurrence(tenant: string, bug: string, version: string | null, timestampMs: number, env = 'production'): OccurrenceMessage {
  const spanId = String(++spanCounter);
  return {
    schema: 'occurrence/v1',
    occurrenceId: hexId(tenant, 'span', spanId),
    tenant,
    fingerprint: hexId('fingerprint', bug),
    fingerprintVersion: 1,
    timestampMs,
    receivedAt: timestampMs + 500,
    traceId: '5208512171318403364',
    traceIdHex: '6b063f2d000000004848f0d0b6a8c224',
    spanId,
    service: 'checkout',
    env,
    version,
    host: 'ip-10-0-3-17',
    container: '3f4e1c9a2b7d',
    resource: 'GET /orders/:id',
    errorType: 'TypeError',
    errorMessage: `Cannot read properties of undefined (reading '${bug}')`,
    messageTemplate: "Cannot read properties of undefined (reading '<str>')",
    stack: STACK,
    frames: [{ function: 'getOrder', file: 'orders.controller.js', module: null, line: 42, column: 27, inApp: true }],
    culprit: 'getOrder (orders.controller.js)',
    tags: { 'http.route': '/orders/:id', 'http.status_code': '500' },
  };
}

const issueOf = (tenant: string, bug: string) => issueIdFor(tenant, 'checkout', hexId('fingerprint', bug));
const statusChanges = (events: IssueEventMessage[]) =>
  events.filter((event) => event.change.action === 'status_changed').map((event) => [event.issueId, event.change.actor, event.change.from, event.change.to, event.change.reason]);

describe('AutoResolveIssuesUseCase (real ClickHouse, Redis and Kafka)', () => {
  it('resolves an inactive and a superseded issue, and leaves recent, newer-version, ignored and resolved ones alone', async () => {
    const tenant = uniqueTenant();
    await recordOccurrences.execute([
      // inactive: last seen 29 days before the run.
      occurrence(tenant, 'inactive', '1.0', NOW - 29 * DAY),
      // superseded: last seen in 1.0 three days ago; 1.1 has run for two days without it.
      occurrence(tenant, 'superseded', '1.0', NOW - 5 * DAY),
      occurrence(tenant, 'superseded', '1.0', NOW - 3 * DAY),
      // recent: seen an hour ago.
      occurrence(tenant, 'recent', '1.0', NOW - HOUR),
      // still in 1.1 (which brings 1.1 into the service two days ago), though an old 1.0 instance reported it last.
      occurrence(tenant, 'newer-version', '1.1', NOW - 2 * DAY),
      occurrence(tenant, 'newer-version', '1.0', NOW - 36 * HOUR),
      // 1.2 came out ten hours ago: still within its grace period, it supersedes nothing yet.
      occurrence(tenant, 'fresh-release', '1.1', NOW - 30 * HOUR),
      occurrence(tenant, 'other-bug-on-1.2', '1.2', NOW - 10 * HOUR),
      // Seen only on qa, in 0.9: the newer versions run in production, which says nothing about qa.
      occurrence(tenant, 'staging-release', '0.9', NOW - 3 * DAY, 'qa'),
      occurrence(tenant, 'ignored', '1.0', NOW - 20 * DAY),
      occurrence(tenant, 'resolved', '1.0', NOW - 20 * DAY),
    ]);
    const ignoredId = issueOf(tenant, 'ignored');
    const resolvedId = issueOf(tenant, 'resolved');
    const ignored = await issueState.updateStatus(tenant, ignoredId, 'IGNORED', 'alice@example.com', NOW - DAY);
    const resolvedByHand = await issueState.updateStatus(tenant, resolvedId, 'RESOLVED', 'alice@example.com', NOW - DAY);
    await issueRepository.upsert([ignored, resolvedByHand].flatMap((result) => (result ? [result.record] : [])));

    await autoResolve.execute(NOW);

    const inactiveId = issueOf(tenant, 'inactive');
    const supersededId = issueOf(tenant, 'superseded');
    expect(statusChanges(await eventsOf(tenant)).sort()).toEqual(
      [
        [inactiveId, 'system', 'FOR_REVIEW', 'RESOLVED', 'inactive for 14 days'],
        [supersededId, 'system', 'FOR_REVIEW', 'RESOLVED', 'superseded by version 1.1'],
      ].sort(),
    );
    for (const issueId of [inactiveId, supersededId]) {
      const state = await issueState.findIssue(tenant, issueId);
      expect(state).toMatchObject({ status: 'RESOLVED', resolvedInVersion: '1.0' });
      // The projection has the resolved state, so lists show it at once.
      expect(await issueRepository.findById(tenant, issueId)).toEqual(state);
      const history = await issueState.history(tenant, issueId);
      expect(history.map((change) => [change.action, change.actor, change.atMs])).toEqual([
        ['created', 'system', expect.any(Number)],
        ['status_changed', 'system', NOW],
      ]);
    }
    expect((await issueState.history(tenant, supersededId))[1].reason).toBe('superseded by version 1.1');

    for (const bug of ['recent', 'newer-version', 'fresh-release', 'other-bug-on-1.2', 'staging-release']) {
      expect([bug, (await issueState.findIssue(tenant, issueOf(tenant, bug)))?.status]).toEqual([bug, 'FOR_REVIEW']);
    }
    expect(await issueState.findIssue(tenant, ignoredId)).toEqual(ignored?.record);
    expect(await issueState.findIssue(tenant, resolvedId)).toEqual(resolvedByHand?.record);

    // A second run (or another replica's) changes nothing.
    const statesBefore = await Promise.all(['inactive', 'superseded', 'recent'].map((bug) => issueState.findIssue(tenant, issueOf(tenant, bug))));
    await autoResolve.execute(NOW);
    await autoResolve.execute(NOW + HOUR);
    expect(await Promise.all(['inactive', 'superseded', 'recent'].map((bug) => issueState.findIssue(tenant, issueOf(tenant, bug))))).toEqual(statesBefore);
    expect(statusChanges(await eventsOf(tenant))).toHaveLength(2);
    expect(await issueState.history(tenant, supersededId)).toHaveLength(2);

    // A superseded issue that shows up again in the newer version is a regression.
    const [regressed] = await recordOccurrences.execute([occurrence(tenant, 'superseded', '1.1', NOW + HOUR)]);
    expect(regressed).toMatchObject({ issueId: supersededId, status: 'FOR_REVIEW', regression: true });
  });

  it('does not resolve an issue that got an occurrence after the projection was read', async () => {
    const tenant = uniqueTenant();
    await recordOccurrences.execute([occurrence(tenant, 'race', '1.0', NOW - 20 * DAY)]);
    const issueId = issueOf(tenant, 'race');
    // The occurrence reaches Redis but not yet the projection (the consumer is between the two writes).
    const late = occurrence(tenant, 'race', '1.0', NOW - HOUR);
    await issueState.recordOccurrences([{ ...late, issueId }], 48);
    const live = await issueState.findIssue(tenant, issueId);

    await autoResolve.execute(NOW);

    expect(await issueState.findIssue(tenant, issueId)).toEqual(live);
    expect(live?.status).toBe('FOR_REVIEW');
    // The refused issue's current state is projected, so the next run no longer sees it as inactive.
    expect(await issueRepository.findById(tenant, issueId)).toEqual(live);
    expect(statusChanges(await eventsOf(tenant))).toEqual([]);
  });
});

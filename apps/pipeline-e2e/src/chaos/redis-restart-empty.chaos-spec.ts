/**
 * Issue 6, fault 3: Redis stopped, then restarted empty, while spans flow. The chaos stack runs Redis
 * without persistence (FAULTLINE_REDIS_PERSISTENCE=false: `--save ''`, `--appendonly no`), so the
 * Redis `up` starts holds nothing. Ingestion does not use Redis and keeps answering 200. The
 * aggregator finds the state marker `fl:meta:epoch` missing, rebuilds the counters from ClickHouse
 * before counting anything (README "Delivery and deduplication"), and counting resumes exactly: the
 * GraphQL count equals what ingestion acknowledged and every span id is stored once.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '../support/graphql-client';
import { eachStoredOnce, ensureUp, isAlive, msUntilExit, pidOf, readiness, redisCommand, sendErrorSpansSteadily, SERVICES, settledCounts, startTimeline, storedSpans, up } from './chaos-stack';

const SPANS = 3000;
const SEND_MS = 20_000;
const EPOCH_KEY = 'fl:meta:epoch';

it(`counts ${SPANS} spans exactly after Redis restarts empty under load (counters rebuilt from ClickHouse)`, async () => {
  const service = `chaos-redis-${randomBytes(4).toString('hex')}`;
  const { mark, print: printTimeline } = startTimeline();
  const pids = Object.fromEntries(SERVICES.map((name) => [name, pidOf(name)])) as Record<(typeof SERVICES)[number], number>;
  try {
    // What makes the restart come back empty: no snapshot points and no append-only file.
    expect(await redisCommand('CONFIG', 'GET', 'save')).toEqual(['save', '']);
    expect(await redisCommand('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await redisCommand('EXISTS', EPOCH_KEY)).toBe(1);

    const sending = sendErrorSpansSteadily(service, 1, SPANS, SEND_MS);
    const firstStored = await eventually(() => storedSpans(service), (stored) => stored.occurrences > 0, 30_000);
    expect(firstStored.occurrences).toBeGreaterThan(0);

    const redis = pidOf('redis');
    const stoppedAt = Date.now();
    process.kill(redis, 'SIGKILL');
    const exitMs = await msUntilExit(redis, stoppedAt, 10_000);
    expect(exitMs).toBeDefined();
    mark(`Redis killed (exit after ${exitMs} ms) with ${firstStored.occurrences} stored and ${sending.sent()} sent`);

    // Redis stays down until the aggregator has had batches fail (its consumer retrying them): the
    // outage then covers work in flight, not only idle connections.
    const degraded = await eventually(
      () => readiness('aggregator'),
      (ready) => ready.status === 503 && consumerCheck(ready.body)?.ok === false,
      20_000,
    );
    expect(degraded.status).toBe(503);
    expect(consumerCheck(degraded.body)).toEqual({ ok: false, detail: expect.stringMatching(/^writes failing since /) });
    mark(`aggregator not ready: ${JSON.stringify(degraded.body)}`);

    const restartedAt = Date.now();
    const upMs = await up();
    const newRedis = pidOf('redis');
    expect(newRedis).not.toBe(redis);
    mark(`up restarted Redis (pid ${newRedis}) in ${upMs} ms with ${sending.sent()} sent`);
    const pidsAfterUp = Object.fromEntries(SERVICES.map((name) => [name, pidOf(name)]));

    // A rebuild after the restart wrote the marker again: the new Redis came back without it.
    const marker = await eventually(
      () => redisCommand('GET', EPOCH_KEY),
      (value) => typeof value === 'string',
      30_000,
    );
    expect(marker).toMatch(/^rebuilt (\S+): /);
    const rebuiltAt = Date.parse(/^rebuilt (\S+): /.exec(marker as string)?.[1] ?? '');
    expect(rebuiltAt).toBeGreaterThanOrEqual(restartedAt - 1000);
    mark(`marker back: ${String(marker)}`);

    const sent = await sending.done;
    mark(`all sent: ${sent.accepted} acknowledged in ${sent.requests} requests, slowest answer ${sent.maxLatencyMs} ms`);
    expect(sent.failures).toEqual([]);
    expect(sent.accepted).toBe(SPANS);

    const counts = await settledCounts(service, (current) => current.count >= sent.accepted, 60_000);
    mark('drained');
    const pidsAtEnd = Object.fromEntries(SERVICES.map((name) => [name, isAlive(pids[name]) ? pids[name] : `exited (${pidOf(name)} now)`]));
    mark(`pids before ${JSON.stringify(pids)}, after up ${JSON.stringify(pidsAfterUp)}, at the end ${JSON.stringify(pidsAtEnd)}`);
    printTimeline();

    expect(counts).toEqual({ issues: 1, count: sent.accepted, occurrences: sent.accepted });
    expect(await storedSpans(service)).toEqual(eachStoredOnce(SPANS));
    // No service exited: the workers retried through the outage (no crash, so nothing for `up` to restart).
    expect(pidsAfterUp).toEqual(pids);
    expect(pidsAtEnd).toEqual(pids);
  } finally {
    await ensureUp();
  }
});

function consumerCheck(report: unknown): { ok: boolean; detail?: string } | undefined {
  return (report as { checks?: Record<string, { ok: boolean; detail?: string }> }).checks?.consumer;
}

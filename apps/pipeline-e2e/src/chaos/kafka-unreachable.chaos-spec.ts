/**
 * Issue 6, fault 4: the Kafka broker unreachable. Ingestion must not accept data it cannot keep: it
 * answers 503 with `Retry-After` within ANSWER_BOUND_MS. `up` starts a new broker (the local mock keeps
 * nothing across a restart: see README "Kafka unreachable") and ingestion accepts again without anyone
 * else touching it; what it accepts then is counted exactly once.
 */
import { randomBytes } from 'node:crypto';
import { corpusSpan } from '../support/datadog-spans';
import { eachStoredOnce, ensureUp, ingestionUrl, msUntilExit, pidOf, sendErrorSpans, settledCounts, storedSpans, up } from './chaos-stack';
import { readCorpus } from '@faultline/domain/corpus';

/** kafkajs retries a send for about 20 s (5 retries, backoff up to 30 s) before ingestion gives up. */
const ANSWER_BOUND_MS = 45_000;
const RECOVERY_BOUND_MS = 60_000;

async function putOneTrace(service: string, spanId: number): Promise<{ status: number; retryAfter: string | null; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${ingestionUrl()}/v0.4/traces`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([[corpusSpan(readCorpus()[0], service, spanId, BigInt(Date.now()) * 1_000_000n)]]),
  });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: Date.now() - started };
}

it('answers 503 with Retry-After while Kafka is down and accepts again once it is back', async () => {
  const run = randomBytes(4).toString('hex');
  const beforeService = `chaos-kafka-before-${run}`;
  const afterService = `chaos-kafka-after-${run}`;
  const kafkaPid = pidOf('kafka');
  try {
    // What was accepted and processed before the outage stays counted (it is in ClickHouse and Redis).
    expect(await sendErrorSpans(beforeService, 1, 200)).toEqual({ accepted: 200, statuses: [] });
    expect(await settledCounts(beforeService, (counts) => counts.count >= 200, 60_000, 0)).toEqual({ issues: 1, count: 200, occurrences: 200 });

    const stoppedAt = Date.now();
    process.kill(kafkaPid, 'SIGTERM');
    expect(await msUntilExit(kafkaPid, stoppedAt, 10_000)).toBeDefined();

    const during = await putOneTrace(afterService, 999_999_999);
    console.log(`Kafka down: ingestion answered ${during.status} (Retry-After ${during.retryAfter}) after ${during.ms} ms`);
    expect(during.status).toBe(503);
    expect(during.retryAfter).toMatch(/^\d+$/);
    expect(during.ms).toBeLessThanOrEqual(ANSWER_BOUND_MS);

    const upMs = await up();
    const recoveredAt = Date.now();
    let after = await putOneTrace(afterService, 1);
    while (after.status !== 200 && Date.now() - recoveredAt < RECOVERY_BOUND_MS) after = await putOneTrace(afterService, 1);
    console.log(`Kafka back: up took ${upMs} ms, ingestion answered 200 again after ${Date.now() - recoveredAt} ms`);
    expect(after.status).toBe(200);

    expect(await sendErrorSpans(afterService, 2, 499)).toEqual({ accepted: 499, statuses: [] });
    expect(await settledCounts(afterService, (counts) => counts.count >= 500, 60_000)).toEqual({ issues: 1, count: 500, occurrences: 500 });
    expect(await storedSpans(afterService)).toEqual(eachStoredOnce(500));
    expect(await settledCounts(beforeService, () => true, 0, 0)).toEqual({ issues: 1, count: 200, occurrences: 200 });
  } finally {
    await ensureUp();
  }
});

/**
 * Issue 6, fault 2: ClickHouse stopped for OUTAGE_MS while spans flow. Ingestion does not use it and
 * keeps answering 200; the aggregator's readiness reports ClickHouse down; the workers keep their
 * batches uncommitted and retry with capped exponential backoff (libs/kafka retry.ts: 200 ms doubling
 * up to 10 s), without exiting. `up` starts ClickHouse again on its data on disk, and everything
 * acknowledged is then stored once and counted exactly.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '../support/graphql-client';
import { eachStoredOnce, ensureUp, logRecords, pidOf, readiness, sendErrorSpansSteadily, SERVICES, settledCounts, startTimeline, stopProcess, storedSpans, up } from './chaos-stack';

const OUTAGE_MS = 30_000;
const SPANS = 3600;
/** Load from before the stop until after ClickHouse is back. */
const SEND_MS = 36_000;

interface ReadinessReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

it(`stores and counts ${SPANS} spans exactly once across a ${OUTAGE_MS / 1000} s ClickHouse outage, the workers retrying without exiting`, async () => {
  const service = `chaos-clickhouse-${randomBytes(4).toString('hex')}`;
  const { mark, print: printTimeline } = startTimeline();
  const pids = Object.fromEntries(SERVICES.map((name) => [name, pidOf(name)])) as Record<(typeof SERVICES)[number], number>;
  try {
    const sending = sendErrorSpansSteadily(service, 1, SPANS, SEND_MS);
    const firstStored = await eventually(() => storedSpans(service), (stored) => stored.occurrences > 0, 30_000);
    expect(firstStored.occurrences).toBeGreaterThan(0);

    const clickhouse = pidOf('clickhouse');
    const signalledAt = Date.now();
    const stopped = await stopProcess(clickhouse, 5000);
    const downAt = Date.now();
    mark(`ClickHouse stopped (${stopped.signal}, gone after ${stopped.exitMs} ms) with ${firstStored.occurrences} stored and ${sending.sent()} sent`);

    // Readiness reports the outage, and keeps reporting it until ClickHouse is back.
    const degraded = await eventually(() => readiness('aggregator'), (ready) => ready.status === 503, 15_000);
    expect(degraded.status).toBe(503);
    const report = degraded.body as ReadinessReport;
    expect(report.checks.clickhouse.ok).toBe(false);
    mark(`aggregator not ready after ${Date.now() - downAt} ms: ${JSON.stringify(report)}`);
    const readyDuringOutage: string[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      const ready = await readiness('aggregator');
      if (ready.status !== 503) readyDuringOutage.push(`${Date.now() - downAt} ms: ${ready.status} ${JSON.stringify(ready.body)}`);
      // Polling pace of the probe, as a kubelet's periodSeconds: not an assertion.
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, OUTAGE_MS - (Date.now() - downAt)))));
    }
    expect(readyDuringOutage).toEqual([]);
    const outageMs = Date.now() - downAt;
    const workerPidsDuringOutage = { fingerprinter: pidOf('fingerprinter'), aggregator: pidOf('aggregator') };

    const upMs = await up();
    const backAt = Date.now();
    expect(pidOf('clickhouse')).not.toBe(clickhouse);
    mark(`down for ${outageMs} ms; up restarted ClickHouse in ${upMs} ms with ${sending.sent()} sent`);
    expect((await readiness('aggregator')).status).toBe(200);

    const sent = await sending.done;
    mark(`all sent: ${sent.accepted} acknowledged in ${sent.requests} requests, slowest answer ${sent.maxLatencyMs} ms`);
    expect(sent.failures).toEqual([]);
    expect(sent.accepted).toBe(SPANS);

    const counts = await settledCounts(service, (current) => current.count >= sent.accepted, 60_000);
    mark('drained');

    // Backoff, not a busy loop: the aggregator's retries of the batch during the outage, and their delays.
    const retries = logRecords('aggregator').filter(
      (record) => record.time >= signalledAt && record.time <= backAt && /failed; retrying$/.test(record.msg),
    );
    const delays = retries.map((record) => Number(record.delayMs));
    mark(`aggregator retries while ClickHouse was down: ${retries.length}, delays ms ${JSON.stringify(delays)}`);
    printTimeline();

    expect(counts).toEqual({ issues: 1, count: sent.accepted, occurrences: sent.accepted });
    expect(await storedSpans(service)).toEqual(eachStoredOnce(SPANS));
    // No worker exited: the same processes retried through the outage and did the work afterwards.
    expect(workerPidsDuringOutage).toEqual({ fingerprinter: pids.fingerprinter, aggregator: pids.aggregator });
    expect(Object.fromEntries(SERVICES.map((name) => [name, pidOf(name)]))).toEqual(pids);
    // 200 ms doubling to 10 s (jittered to half or more) fits about a dozen attempts into 30 s; a busy
    // loop would log hundreds. The delays grow to the cap.
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries.length).toBeLessThanOrEqual(20);
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(5000);
  } finally {
    await ensureUp();
  }
});

/**
 * Issue 6, fault 6: SIGTERM. Each service gets SIGTERM (pid from its pid file) while it has work in
 * flight — the fingerprinter and aggregator a backlog, ingestion requests being sent, the gateway
 * queries — and must exit within SHUTDOWN_BOUND_MS. After `up` restarts them, everything acknowledged
 * before is counted exactly once.
 */
import { randomBytes } from 'node:crypto';
import { graphql } from '../support/graphql-client';
import { gatewayUrl } from '../support/issues';
import { eachStoredOnce, ensureUp, issueCounts, msUntilExit, pidOf, sendErrorSpans, SERVICES, settledCounts, storedSpans, up } from './chaos-stack';

/** Nest drains consumers and commits in its shutdown hooks; a pod gets 30 s by default, we ask for half. */
const SHUTDOWN_BOUND_MS = 15_000;
const BACKLOG_SPANS = 4000;

it('every service exits within the bound on SIGTERM with work in flight, and nothing acknowledged is lost or doubled', async () => {
  const run = randomBytes(4).toString('hex');
  const backlogService = `chaos-sigterm-backlog-${run}`;
  const inFlightService = `chaos-sigterm-inflight-${run}`;
  const pids = Object.fromEntries(SERVICES.map((name) => [name, pidOf(name)])) as Record<(typeof SERVICES)[number], number>;

  try {
    const backlog = await sendErrorSpans(backlogService, 1, BACKLOG_SPANS);
    expect(backlog).toEqual({ accepted: BACKLOG_SPANS, statuses: [] });

    // Requests still arriving at ingestion and queries at the gateway while the signal lands.
    const inFlightSends = sendErrorSpans(inFlightService, 1_000_001, 2000, { tracesPerRequest: 50, concurrency: 2 });
    const inFlightQueries = Promise.allSettled(Array.from({ length: 4 }, () => issueCounts(backlogService)));
    const storedAtSignal = (await storedSpans(backlogService)).occurrences;

    const signalledAt = Date.now();
    for (const name of SERVICES) process.kill(pids[name], 'SIGTERM');
    const exitMs = Object.fromEntries(
      await Promise.all(SERVICES.map(async (name) => [name, await msUntilExit(pids[name], signalledAt, SHUTDOWN_BOUND_MS + 5000)] as const)),
    );
    const inFlight = await inFlightSends;
    await inFlightQueries;
    const upMs = await up();
    console.log(
      `SIGTERM with ${BACKLOG_SPANS - storedAtSignal} of ${BACKLOG_SPANS} spans not yet stored and ${inFlight.accepted} in-flight spans acknowledged: ` +
        `exit ms ${JSON.stringify(exitMs)}; up ${upMs} ms`,
    );
    for (const name of SERVICES) {
      expect({ name, exited: exitMs[name] !== undefined }).toEqual({ name, exited: true });
      expect(exitMs[name]).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
    }
    for (const name of SERVICES) expect(pidOf(name)).not.toBe(pids[name]);

    // Counted exactly once: the whole backlog, and exactly the in-flight spans ingestion acknowledged
    // (IntakeDrain answers every request it took before the producer closes, and takes no other).
    const backlogCounts = await settledCounts(backlogService, (counts) => counts.count >= BACKLOG_SPANS, 120_000);
    expect(backlogCounts).toEqual({ issues: 1, count: BACKLOG_SPANS, occurrences: BACKLOG_SPANS });
    expect(await storedSpans(backlogService)).toEqual(eachStoredOnce(BACKLOG_SPANS));

    const inFlightCounts = await settledCounts(inFlightService, (counts) => counts.count >= inFlight.accepted, 60_000);
    expect(inFlightCounts.count).toBe(inFlight.accepted);
    expect(inFlightCounts.occurrences).toBe(inFlight.accepted);
    const stored = await storedSpans(inFlightService);
    expect(stored.occurrences).toBe(inFlightCounts.count);
    expect(stored.spanIdsStoredTwice).toBe(0);
    // The gateway serves again.
    await expect(graphql(gatewayUrl(), '{ __typename }')).resolves.toEqual({ __typename: 'Query' });
  } finally {
    await ensureUp();
  }
});

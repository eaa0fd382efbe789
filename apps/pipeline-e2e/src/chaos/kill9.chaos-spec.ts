/**
 * Issue 6, fault 1: `kill -9` the fingerprinter, then the aggregator, while SPANS error spans are in
 * flight; `up` restarts each; once the backlog has drained, GraphQL counts equal what was sent, exactly,
 * and every span id is stored under one occurrence. Uncommitted batches are redelivered after each
 * kill, so this is the deterministic-id and Redis-dedupe path of README "Delivery and deduplication".
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '../support/graphql-client';
import { eachStoredOnce, ensureUp, isAlive, pidOf, sendErrorSpans, settledCounts, startTimeline, storedSpans, up } from './chaos-stack';

const SPANS = 20_000;
const DRAIN_BOUND_MS = 180_000;

it(`counts ${SPANS} spans exactly once across a kill -9 of the fingerprinter and then of the aggregator`, async () => {
  const service = `chaos-kill9-${randomBytes(4).toString('hex')}`;
  const { mark, print: printTimeline } = startTimeline();
  try {
    const sending = sendErrorSpans(service, 1, SPANS);

    // The fingerprinter dies once the pipeline is visibly under way (occurrences reaching ClickHouse).
    const firstStored = await eventually(() => storedSpans(service), (stored) => stored.occurrences > 0, 60_000);
    expect(firstStored.occurrences).toBeGreaterThan(0);
    const fingerprinter = pidOf('fingerprinter');
    process.kill(fingerprinter, 'SIGKILL');
    mark(`kill -9 fingerprinter with ${firstStored.occurrences} stored`);

    const sent = await sending;
    mark(`all sent (${sent.accepted} acknowledged)`);
    expect(sent).toEqual({ accepted: SPANS, statuses: [] });
    expect(isAlive(fingerprinter)).toBe(false);
    await up();
    mark('up restarted the fingerprinter');

    // The aggregator dies while it works through the fingerprinter's backlog.
    const before = (await storedSpans(service)).occurrences;
    const working = await eventually(() => storedSpans(service), (stored) => stored.occurrences > before, 60_000);
    expect(working.occurrences).toBeLessThan(SPANS);
    process.kill(pidOf('aggregator'), 'SIGKILL');
    mark(`kill -9 aggregator with ${working.occurrences} stored`);
    await up();
    mark('up restarted the aggregator');

    const counts = await settledCounts(service, (current) => current.count >= SPANS, DRAIN_BOUND_MS);
    mark('drained');
    printTimeline();
    expect(counts).toEqual({ issues: 1, count: SPANS, occurrences: SPANS });
    expect(await storedSpans(service)).toEqual(eachStoredOnce(SPANS));
  } finally {
    await ensureUp();
  }
});

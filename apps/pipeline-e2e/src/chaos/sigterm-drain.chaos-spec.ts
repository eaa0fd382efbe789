/**
 * Issue 6, fault 6, one service at a time: on SIGTERM a service stops taking new work, finishes and
 * commits what it holds, and exits within the bound (sigterm.chaos-spec.ts signals all four at once).
 *
 * - Ingestion under steady load: both ports refuse connections from the signal on, a request that
 *   still arrives on an open connection gets 503 (IntakeDrain), the requests in flight finish, no
 *   request is cut off by a reset, and exactly the spans answered 200 are counted, once each.
 * - Each worker with a backlog in Kafka: what it committed at exit is exactly what it wrote (the
 *   aggregator's stored occurrences, the fingerprinter's produced occurrences), and less than the
 *   backlog: it stopped fetching and left the rest for the next member. Its log says how many buffered
 *   messages it wrote on the way out. After `up`, the whole backlog is counted exactly once.
 */
import { randomBytes } from 'node:crypto';
import { CONSUMER_GROUPS, TOPICS } from '@faultline/contracts';
import { readCorpus } from '@faultline/domain/corpus';
import type { Admin } from 'kafkajs';
import { corpusSpan, putDatadogTraces } from '../support/datadog-spans';
import { eventually } from '../support/graphql-client';
import { chaosKafka, committedTotal, endTotal } from './chaos-kafka';
import { eachStoredOnce, ensureUp, ingestionUrl, logRecords, msUntilExit, pidOf, sendErrorSpans, settledCounts, storedSpans, up } from './chaos-stack';

const SHUTDOWN_BOUND_MS = 15_000;
/** Node handles the signal on its event loop: a request sent this soon after it may still be taken. */
const SIGNAL_HANDLED_MS = 300;
const corpusCase = readCorpus()[0];

interface RequestOutcome {
  sentAtMs: number;
  spans: number;
  /** HTTP status, or the socket error's code when there was no answer. */
  outcome: number | string;
}

/** One Datadog request of `spanIds`: its status, or why there was none (ECONNREFUSED, UND_ERR_SOCKET...). */
async function sendOnce(service: string, spanIds: number[], startNs: bigint): Promise<number | string> {
  try {
    return await putDatadogTraces(
      ingestionUrl(),
      spanIds.map((id) => [corpusSpan(corpusCase, service, id, startNs)]),
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

it('ingestion stops taking requests at SIGTERM, finishes the ones in flight, and exactly the spans answered 200 are counted', async () => {
  const service = `chaos-drain-ingestion-${randomBytes(4).toString('hex')}`;
  const ingestion = pidOf('ingestion');
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const started = Date.now();
  const outcomes: RequestOutcome[] = [];
  const requests: Promise<void>[] = [];
  let nextSpanId = 1;
  let signalledAtMs: number | undefined;
  let exitMs: number | undefined;
  try {
    // 20 spans every 10 ms for 3 s; the signal lands after 1 s.
    for (let tick = 0; tick < 300; tick++) {
      const due = started + tick * 10 - Date.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      if (tick === 100) {
        signalledAtMs = Date.now() - started;
        process.kill(ingestion, 'SIGTERM');
        const signalledAt = Date.now();
        void msUntilExit(ingestion, signalledAt, SHUTDOWN_BOUND_MS + 5000).then((ms) => (exitMs = ms));
      }
      const ids = Array.from({ length: 20 }, () => nextSpanId++);
      const sentAtMs = Date.now() - started;
      requests.push(sendOnce(service, ids, startNs).then((outcome) => void outcomes.push({ sentAtMs, spans: ids.length, outcome })));
    }
    await Promise.all(requests);
    await eventually(async () => exitMs, (ms) => ms !== undefined, SHUTDOWN_BOUND_MS + 5000);
    const signalAt = signalledAtMs as number;

    const summary = (list: RequestOutcome[]) =>
      list.reduce<Record<string, number>>((counts, { outcome }) => ({ ...counts, [outcome]: (counts[String(outcome)] ?? 0) + 1 }), {});
    const before = outcomes.filter((o) => o.sentAtMs < signalAt);
    const after = outcomes.filter((o) => o.sentAtMs >= signalAt + SIGNAL_HANDLED_MS);
    console.log(`ingestion SIGTERM at ${signalAt} ms, exit after ${exitMs} ms; before: ${JSON.stringify(summary(before))}; after: ${JSON.stringify(summary(after))}`);
    expect(exitMs).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
    // Sent before the signal: a definite answer, never a reset: taken (200) or, when the server read it
    // after the signal was handled, refused with 503 to retry (a kept-alive connection is not dropped).
    expect(before.filter(({ outcome }) => outcome !== 200 && outcome !== 503)).toEqual([]);
    expect(before.filter(({ outcome }) => outcome === 200).length).toBeGreaterThan(90);
    // Sent after it: never taken. Not even connected (the ports are closed), 503 on a connection kept
    // alive from before, or that connection closed under it as the process exited (the request was never
    // read; a client must be ready for that on any pooled connection).
    expect(after.length).toBeGreaterThan(100);
    expect(after.filter(({ outcome }) => !['ECONNREFUSED', 503, 'UND_ERR_SOCKET', 'ECONNRESET'].includes(outcome))).toEqual([]);

    // The log tells the story in order: the signal, the listeners closed, the drain, the end.
    const story = logRecords('ingestion')
      .filter((record) => record.time >= started)
      // By time: lines logged within a millisecond or two of the exit may reach the file out of order.
      .sort((a, b) => a.time - b.time)
      .map(({ msg }) => msg.replace(/\d+/g, 'N'))
      .filter((msg) => /^(shutting down|drained|shut down)/.test(msg));
    expect(story).toEqual(['shutting down', 'shutting down: stopped accepting on N listeners; N requests in flight', 'drained N requests in N ms', 'shut down']);

    // Exactly the acknowledged spans, once each: none taken after the signal was lost or cut off.
    const accepted = outcomes.filter((o) => o.outcome === 200).reduce((sum, o) => sum + o.spans, 0);
    await up();
    expect(await settledCounts(service, (counts) => counts.count >= accepted, 60_000)).toEqual({ issues: 1, count: accepted, occurrences: accepted });
    expect((await storedSpans(service)).spanIdsStoredTwice).toBe(0);
  } finally {
    await Promise.allSettled(requests);
    await ensureUp();
  }
});

const BACKLOG_SPANS = 20_000;

describe.each([
  { worker: 'fingerprinter' as const, topic: TOPICS.errorSpans },
  { worker: 'aggregator' as const, topic: TOPICS.occurrences },
])('$worker on SIGTERM', ({ worker, topic }) => {
  it('stops fetching, writes and commits exactly what it held, leaves the rest of the backlog, and exits within the bound', async () => {
    const service = `chaos-drain-${worker}-${randomBytes(4).toString('hex')}`;
    const group = CONSUMER_GROUPS[worker];
    const kafka = chaosKafka(`chaos-drain-${worker}`);
    const admin: Admin = kafka.admin();
    const pid = pidOf(worker);
    /** What the worker has written so far: occurrences produced (fingerprinter) or stored (aggregator). */
    const written = async (base: number) =>
      worker === 'fingerprinter' ? (await endTotal(admin, TOPICS.occurrences)) - base : (await storedSpans(service)).occurrences;
    try {
      await admin.connect();
      // Idle at the start: the group has committed everything earlier specs produced.
      const committedBefore = await eventually(
        async () => ({ committed: await committedTotal(admin, group, topic), end: await endTotal(admin, topic) }),
        ({ committed, end }) => committed === end,
        60_000,
      );
      expect(committedBefore.committed).toBe(committedBefore.end);
      const producedBefore = worker === 'fingerprinter' ? await endTotal(admin, TOPICS.occurrences) : 0;

      // The backlog reaches Kafka while the worker is frozen, so it has plenty left when the signal lands.
      process.kill(pid, 'SIGSTOP');
      let sent: Awaited<ReturnType<typeof sendErrorSpans>>;
      try {
        sent = await sendErrorSpans(service, 1, BACKLOG_SPANS);
        if (worker === 'aggregator') {
          await eventually(() => endTotal(admin, topic), (end) => end - committedBefore.end >= BACKLOG_SPANS, 60_000);
        }
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      expect(sent).toEqual({ accepted: BACKLOG_SPANS, statuses: [] });
      // Signal once it is visibly working through the backlog.
      await eventually(() => committedTotal(admin, group, topic), (committed) => committed > committedBefore.committed, 30_000);
      const signalledAt = Date.now();
      process.kill(pid, 'SIGTERM');
      const exitMs = await msUntilExit(pid, signalledAt, SHUTDOWN_BOUND_MS + 5000);

      const committedAtExit = (await committedTotal(admin, group, topic)) - committedBefore.committed;
      const writtenAtExit = await written(producedBefore);
      const lines = logRecords(worker).filter((record) => record.time >= signalledAt);
      const stopping = lines.find((record) => record.msg === 'stopping: fetching paused; writing and committing what is buffered');
      const stopped = lines.find((record) => record.msg === 'stopped: left the consumer group');
      console.log(
        `${worker} SIGTERM: exit after ${exitMs} ms; committed ${committedAtExit} of ${BACKLOG_SPANS}, wrote ${writtenAtExit}; ` +
          `buffered at the signal ${stopping?.buffered}, written on the way out ${stopped?.written} in ${stopped?.ms} ms`,
      );
      expect(exitMs).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
      // Finished and committed what it held: every committed message written, nothing written uncommitted.
      expect(writtenAtExit).toBe(committedAtExit);
      // Stopped taking new work: the rest of the backlog is still there for the next member.
      expect(committedAtExit).toBeLessThan(BACKLOG_SPANS);
      expect(stopped?.written).toBe(stopping?.buffered);
      expect(stopped?.failed).toBeUndefined();

      await up();
      expect(await settledCounts(service, (counts) => counts.count >= BACKLOG_SPANS, 120_000)).toEqual({
        issues: 1,
        count: BACKLOG_SPANS,
        occurrences: BACKLOG_SPANS,
      });
      expect(await storedSpans(service)).toEqual(eachStoredOnce(BACKLOG_SPANS));
    } finally {
      await admin.disconnect().catch(() => undefined);
      await ensureUp();
    }
  });
});

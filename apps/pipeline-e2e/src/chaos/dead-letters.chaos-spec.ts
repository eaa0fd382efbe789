/**
 * Issue 6, fault 5: messages that can never be processed, put straight onto `error-spans` (the topic the
 * fingerprinter consumes) between valid spans sent through ingestion. Each goes to `error-spans.dlq`
 * with the original bytes as the value and the reason in the `x-faultline-reason` header (libs/kafka
 * BatchingConsumer.deadLetter), and the valid spans around them are counted exactly.
 *
 * Then a burst above the invalid ratio (InvalidRatioGuard: more than half of the last 1000, judged from
 * 100 on): the consumer stops loudly ("consumer stopped: fatal error", exitOnFatal: "exiting after fatal
 * error", exit 1), commits nothing of the burst and dead-letters none of it. `up` alone would not help:
 * the new process resumes at the committed offset, reads the same burst into a fresh guard and stops
 * again (CrashLoopBackOff in Kubernetes) until an operator decides what to do with the burst. That is
 * what a production team wants from a bad deploy upstream: a page, not a stream quietly moved to the
 * DLQ. The operator's remedy after looking at it (README "Dead letters") is taken here: start the
 * fingerprinter once with FINGERPRINTER_MAX_INVALID_RATIO=1, so it dead-letters the burst and goes on,
 * then restart it with the default. Afterwards the stack counts new spans exactly.
 */
import { randomBytes } from 'node:crypto';
import { CONSUMER_GROUPS, deadLetterTopicFor, TOPICS } from '@faultline/contracts';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { eventually } from '../support/graphql-client';
import { chaosKafka } from './chaos-kafka';
import { eachStoredOnce, ensureUp, logRecords, msUntilExit, pidOf, sendErrorSpans, settledCounts, startTimeline, storedSpans, up } from './chaos-stack';

const FINGERPRINTER_GROUP = CONSUMER_GROUPS.fingerprinter;
/** Above the guard's window (1000): whatever the window held before, it holds only the burst after it. */
const BURST = 1500;
const BURST_PARTITION = 0;
const EXIT_BOUND_MS = 15_000;

interface DeadLetter {
  key: string;
  value: Buffer;
  reason: string;
  source: string;
}

it('dead-letters invalid messages with their reason and bytes, counts the valid ones around them, and stops loudly on a burst', async () => {
  const run = randomBytes(4).toString('hex');
  const service = `chaos-dlq-${run}`;
  const { mark, print: printTimeline } = startTimeline();
  const kafka = chaosKafka('chaos-dead-letters');
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  const admin: Admin = kafka.admin();
  const dlqReader: Consumer = kafka.consumer({ groupId: `chaos-dlq-reader-${run}`, maxWaitTimeInMs: 100 });
  const deadLetters: DeadLetter[] = [];
  let burstWritten = false;
  let burstDeadLettered = false;
  const burstLetters = () => deadLetters.filter((letter) => letter.key.startsWith(`${run}:burst:`));

  /**
   * The operator's remedy: the fingerprinter started once with the ratio check off dead-letters the
   * burst; then it is restarted (SIGTERM, `up`) with the default ratio.
   */
  const letBurstGoToDlq = async () => {
    if (!burstWritten || burstDeadLettered) return;
    const upMs = await up({ FINGERPRINTER_MAX_INVALID_RATIO: '1' });
    const lettersAt = Date.now();
    await eventually(async () => burstLetters().length, (count) => count >= BURST, 60_000);
    mark(`remedy: up with the ratio at 1 in ${upMs} ms, burst dead-lettered ${Date.now() - lettersAt} ms later`);
    const tolerant = pidOf('fingerprinter');
    process.kill(tolerant, 'SIGTERM');
    await msUntilExit(tolerant, Date.now(), EXIT_BOUND_MS);
    mark(`remedy: back on the default ratio after \`up\` in ${await up()} ms`);
    burstDeadLettered = true;
  };

  try {
    await Promise.all([producer.connect(), admin.connect(), dlqReader.connect()]);
    await dlqReader.subscribe({ topic: deadLetterTopicFor(TOPICS.errorSpans), fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith(run)) return;
        deadLetters.push({
          key,
          value: message.value ?? Buffer.alloc(0),
          reason: String(message.headers?.['x-faultline-reason'] ?? ''),
          source: String(message.headers?.['x-faultline-source'] ?? ''),
        });
      },
    });

    // Valid, invalid, valid: the invalid ones as a broken producer or a schema change would write them.
    expect(await sendErrorSpans(service, 1, 100)).toEqual({ accepted: 100, statuses: [] });
    const invalid = [
      { key: `${run}:truncated-json`, value: Buffer.from('{"schema":"error-span/v1","traceId":"12') },
      { key: `${run}:not-utf8`, value: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b, 0x0a]) },
      { key: `${run}:wrong-schema`, value: Buffer.from(JSON.stringify({ schema: 'error-span/v2', span: { id: 1, error: true } })) },
      { key: `${run}:empty`, value: Buffer.alloc(0) },
    ];
    const written = await producer.send({ topic: TOPICS.errorSpans, messages: invalid.map(({ key, value }) => ({ key, value })) });
    expect(await sendErrorSpans(service, 101, 100)).toEqual({ accepted: 100, statuses: [] });

    expect(await settledCounts(service, (counts) => counts.count >= 200, 60_000)).toEqual({ issues: 1, count: 200, occurrences: 200 });
    expect(await storedSpans(service)).toEqual(eachStoredOnce(200));
    await eventually(async () => deadLetters.length, (count) => count >= invalid.length, 30_000);
    mark(`200 valid spans counted, ${deadLetters.length} dead letters read (written to partitions ${JSON.stringify(written.map((w) => w.partition))})`);

    const byKey = new Map(deadLetters.map((letter) => [letter.key, letter]));
    expect(deadLetters.map((letter) => letter.key).sort()).toEqual(invalid.map(({ key }) => key).sort());
    for (const { key, value } of invalid) {
      const letter = byKey.get(key) as DeadLetter;
      // The original bytes, byte for byte (not re-encoded, not stringified).
      expect({ key, equal: letter.value.equals(value), length: letter.value.length }).toEqual({ key, equal: true, length: value.length });
      expect(letter.source).toMatch(new RegExp(`^${TOPICS.errorSpans}/\\d+/\\d+$`));
    }
    expect(byKey.get(`${run}:truncated-json`)?.reason).toMatch(/^not JSON: /);
    expect(byKey.get(`${run}:not-utf8`)?.reason).toMatch(/^not JSON: /);
    expect(byKey.get(`${run}:empty`)?.reason).toMatch(/^not JSON: /);
    expect(byKey.get(`${run}:wrong-schema`)?.reason).toMatch(/^invalid at /);
    console.log(`dead-letter reasons: ${JSON.stringify(deadLetters.map(({ key, reason, source }) => ({ key: key.slice(run.length + 1), reason, source })))}`);

    // The burst, in one produce request to one partition, so the consumer reads it in one fetch.
    const fingerprinter = pidOf('fingerprinter');
    const burstAt = Date.now();
    const [burstWrite] = await producer.send({
      topic: TOPICS.errorSpans,
      messages: Array.from({ length: BURST }, (_, i) => ({ key: `${run}:burst:${i}`, value: Buffer.from(`not json ${i}`), partition: BURST_PARTITION })),
    });
    burstWritten = true;
    const burstStart = Number(burstWrite.baseOffset);
    const burstEnd = burstStart + BURST;
    const exitMs = await msUntilExit(fingerprinter, burstAt, EXIT_BOUND_MS);
    mark(`burst of ${BURST} at offsets ${burstStart}..${burstEnd - 1} of partition ${BURST_PARTITION}: fingerprinter exited after ${exitMs} ms`);
    expect(exitMs).toBeDefined();

    // Loudly: the runtime's error line naming the topic and the ratio, then the fatal line before exit 1.
    const lines = logRecords('fingerprinter').filter((record) => record.time >= burstAt);
    const stopped = lines.find((record) => record.msg === 'consumer stopped: fatal error');
    expect(stopped?.level).toBe(50);
    expect(String(stopped?.error)).toMatch(/^too many invalid messages on error-spans: \d+ of the last \d+ messages were invalid \(limit 0\.5\)$/);
    expect(lines.find((record) => record.msg === 'exiting after fatal error')?.level).toBe(60);
    mark(`logged: ${stopped?.error}`);

    // Nothing of the burst committed, nothing of it dead-lettered.
    const [committed] = await admin.fetchOffsets({ groupId: FINGERPRINTER_GROUP, topics: [TOPICS.errorSpans] });
    const partitionOffset = Number(committed.partitions.find((p) => p.partition === BURST_PARTITION)?.offset ?? -1);
    expect(partitionOffset).toBeLessThanOrEqual(burstStart);
    expect(burstLetters()).toEqual([]);

    // The remedy: the burst goes to the DLQ, each message with its reason and bytes; the group moves past it.
    const remedyStarted = Date.now();
    await letBurstGoToDlq();
    mark(`remedy: ${burstLetters().length} burst messages dead-lettered and the fingerprinter back on the default ratio in ${Date.now() - remedyStarted} ms`);
    expect(burstLetters()).toHaveLength(BURST);
    expect(new Set(burstLetters().map((letter) => letter.key)).size).toBe(BURST);
    for (const letter of burstLetters()) {
      const index = Number(letter.key.slice(`${run}:burst:`.length));
      expect({ key: letter.key, value: letter.value.toString(), reason: /^not JSON: /.test(letter.reason) }).toEqual({ key: letter.key, value: `not json ${index}`, reason: true });
    }
    expect(pidOf('fingerprinter')).not.toBe(fingerprinter);
    const [after] = await admin.fetchOffsets({ groupId: FINGERPRINTER_GROUP, topics: [TOPICS.errorSpans] });
    expect(Number(after.partitions.find((p) => p.partition === BURST_PARTITION)?.offset)).toBeGreaterThanOrEqual(burstEnd);

    // Back on the default ratio, the stack counts new spans exactly.
    expect(await sendErrorSpans(service, 201, 100)).toEqual({ accepted: 100, statuses: [] });
    expect(await settledCounts(service, (counts) => counts.count >= 300, 60_000)).toEqual({ issues: 1, count: 300, occurrences: 300 });
    expect(await storedSpans(service)).toEqual(eachStoredOnce(300));
    mark('100 more spans counted exactly');
    printTimeline();
  } finally {
    // A failed run must not leave the burst in front of the next spec's fingerprinter.
    await letBurstGoToDlq().catch((error) => console.error(`could not dead-letter the burst: ${(error as Error).message}`));
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), dlqReader.disconnect()]);
    await ensureUp();
  }
});

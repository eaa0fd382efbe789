/** Reads the `issue-events` topic of the e2e stack, as a monitor would. */
import { randomBytes } from 'node:crypto';
import { issueEventCodec, type IssueEventMessage, TOPICS } from '@faultline/contracts';
import { createKafka } from '@faultline/kafka';

export interface IssueEventsReader {
  /** Every event read so far, in the order read (per issue, the order they were produced). */
  readonly events: IssueEventMessage[];
  /** The Kafka key of each message of `events`, at the same index. */
  readonly keys: (string | null)[];
  stop(): Promise<void>;
}

/**
 * Consumes `issue-events` from the beginning in a fresh consumer group (so it sees what was produced
 * before it joined), with the brokers the e2e global setup exported as KAFKA_BROKERS.
 */
export async function readIssueEvents(): Promise<IssueEventsReader> {
  const brokers = (process.env.KAFKA_BROKERS as string).split(',');
  const kafka = createKafka({ brokers, clientId: 'e2e-issue-events' });
  const consumer = kafka.consumer({ groupId: `e2e-issue-events-${randomBytes(4).toString('hex')}` });
  const events: IssueEventMessage[] = [];
  const keys: (string | null)[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.issueEvents, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      events.push(issueEventCodec.decode(message.value));
      keys.push(message.key?.toString() ?? null);
    },
  });
  return { events, keys, stop: () => consumer.disconnect() };
}

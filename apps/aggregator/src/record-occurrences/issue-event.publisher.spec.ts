import { issueEventCodec, TOPICS, type IssueEventMessage, type IssueRecord } from '@faultline/contracts';
import type { KafkaProducer, OutgoingMessage } from '@faultline/kafka';
import { KafkaIssueEventPublisher } from './issue-event.publisher';
import { toIssueEvent } from '@faultline/domain';

const record: IssueRecord = {
  tenant: 'default',
  issueId: '5d41402abc4b2a76b9719d911017c592',
  fingerprint: '7d793037a0760186574b0282f2f435e7',
  fingerprintVersion: 1,
  service: 'checkout',
  env: 'production',
  envs: ['production'],
  errorType: 'PaymentDeclinedError',
  errorMessage: 'Payment declined for order ORD-2024-00042: amount 1234.5 EUR exceeds limit',
  messageTemplate: 'Payment declined for order <id>: amount <num> EUR exceeds limit',
  culprit: 'charge (payments.js)',
  status: 'FOR_REVIEW',
  count: 3,
  firstSeenMs: 1_732_492_805_000,
  lastSeenMs: 1_732_496_500_000,
  firstVersion: '1.2.3',
  lastVersion: '1.2.4',
  regression: true,
  assignee: null,
  resolvedInVersion: null,
  revision: 1_732_600_000_000_123,
};

describe('toIssueEvent', () => {
  it('wraps a change with the identity of its issue', () => {
    const change = { atMs: 1_732_600_000_000, actor: 'system', action: 'regressed', from: 'RESOLVED', to: 'FOR_REVIEW', assignee: null } as const;
    expect(toIssueEvent(record, change)).toEqual({
      schema: 'issue-event/v1',
      tenant: 'default',
      issueId: record.issueId,
      service: 'checkout',
      fingerprint: record.fingerprint,
      errorType: 'PaymentDeclinedError',
      change,
    });
  });
});

describe('KafkaIssueEventPublisher', () => {
  it('sends issue-event/v1 keyed by issue id to issue-events, all in one send', async () => {
    const sent: { topic: string; messages: OutgoingMessage[] }[] = [];
    const producer = { send: async (topic: string, messages: OutgoingMessage[]) => void sent.push({ topic, messages }) } as unknown as KafkaProducer;
    const events: IssueEventMessage[] = [
      toIssueEvent(record, { atMs: 1, actor: 'system', action: 'created', from: null, to: 'FOR_REVIEW', assignee: null }),
      toIssueEvent({ ...record, issueId: 'other' }, { atMs: 2, actor: 'system', action: 'created', from: null, to: 'FOR_REVIEW', assignee: null }),
    ];
    await new KafkaIssueEventPublisher(producer).publish(events);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe(TOPICS.issueEvents);
    expect(sent[0].messages.map((message) => [message.key, issueEventCodec.decode(message.value)])).toEqual(events.map((event) => [event.issueId, event]));
  });
});

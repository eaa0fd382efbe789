import { issueEventCodec, IssueEventMessage } from '@faultline/contracts';
import { KafkaProducer, OutgoingMessage } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import { KafkaIssueEventPublisher } from './kafka-issue-event.publisher';

const EVENT: IssueEventMessage = {
  schema: 'issue-event/v1',
  tenant: 'default',
  issueId: 'issue-1',
  service: 'checkout',
  fingerprint: 'fp-1',
  errorType: 'PaymentDeclinedError',
  change: { atMs: 1_795_571_501_272, actor: 'alice', action: 'status_changed', from: 'FOR_REVIEW', to: 'RESOLVED', assignee: null },
};

describe('KafkaIssueEventPublisher', () => {
  it('produces each event to issue-events keyed by issue id, and is ready only while the producer is connected', async () => {
    const sent: [string, OutgoingMessage[]][] = [];
    let connected = false;
    const producer = {
      get isConnected() {
        return connected;
      },
      send: async (topic: string, messages: OutgoingMessage[]) => void sent.push([topic, messages]),
    } as unknown as KafkaProducer;
    const health = new HealthRegistry();
    const publisher = new KafkaIssueEventPublisher(producer, health);

    await publisher.publish([EVENT, { ...EVENT, issueId: 'issue-2' }]);
    expect(sent.map(([topic, messages]) => [topic, messages.map((message) => message.key)])).toEqual([['issue-events', ['issue-1', 'issue-2']]]);
    expect(issueEventCodec.decode(sent[0][1][0].value)).toEqual(EVENT);

    expect((await health.checkReadiness()).checks['kafka-producer']).toEqual({ ok: false, detail: 'producer not connected' });
    connected = true;
    expect((await health.checkReadiness()).ok).toBe(true);
  });
});

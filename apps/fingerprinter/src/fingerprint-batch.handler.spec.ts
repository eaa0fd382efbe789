import { ErrorSpanMessage, GroupingConfig, occurrenceCodec, OccurrenceMessage, TOPICS } from '@faultline/contracts';
import { ruleFingerprint, toOccurrence } from '@faultline/domain';
import type { ConsumedMessage, KafkaProducer, OutgoingMessage } from '@faultline/kafka';
import { FingerprintBatchHandler, GroupingConfigs } from './fingerprint-batch.handler';

/** A real Node stack as dd-trace reports it (corpus node/payment-declined-charge). */
const STACK = `PaymentDeclinedError: Payment declined for order ord_13bb90: amount 1999.99 EUR exceeds limit
    at chargeOrder (/srv/releases/shop-1.2.4/src/payments.js:12:29)
    at checkout (/srv/releases/shop-1.2.4/src/payments.js:18:3)
    at Object.<anonymous> (/srv/releases/shop-1.2.4/src/payments.js:22:8)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)`;

function consumed(tenant: string, spanId: string): ConsumedMessage<ErrorSpanMessage> {
  const value: ErrorSpanMessage = {
    schema: 'error-span/v1',
    tenant,
    receivedAt: 1795571501300,
    protocol: 'json',
    traceId: '1',
    traceIdHex: null,
    spanId,
    parentId: '0',
    service: 'checkout',
    name: 'web.request',
    resource: 'POST /checkout',
    startNs: '1795571501272004352',
    durationNs: 1,
    error: { type: 'PaymentDeclinedError', message: 'Payment declined for order ord_13bb90: amount 1999.99 EUR exceeds limit', stack: STACK },
    env: null,
    version: null,
    host: null,
    container: null,
    tags: {},
  };
  return { topic: TOPICS.errorSpans, partition: 0, offset: spanId, key: null, value, raw: Buffer.from(JSON.stringify(value)) };
}

const declinedRule: GroupingConfig = {
  rules: [{ id: 'r1', match: { messageContains: 'Payment declined' }, groupKey: 'payment-declined', createdAtMs: 1 }],
  inApp: { include: [], exclude: [] },
};
const empty: GroupingConfig = { rules: [], inApp: { include: [], exclude: [] } };

function setUp(getMany: GroupingConfigs['getMany']) {
  const sent: OutgoingMessage[] = [];
  const producer = { send: jest.fn(async (_topic: string, messages: OutgoingMessage[]) => void sent.push(...messages)) };
  const handler = new FingerprintBatchHandler(producer as unknown as KafkaProducer, { getMany });
  const decoded = () => sent.map((message) => occurrenceCodec.decode(message.value as Buffer) as OccurrenceMessage);
  return { handler, producer, decoded };
}

describe('FingerprintBatchHandler', () => {
  it("fingerprints each message with its own tenant's grouping config, fetched once per batch", async () => {
    const getMany = jest.fn(async (tenants: Iterable<string>) => new Map([...tenants].map((tenant) => [tenant, tenant === 'acme' ? declinedRule : empty])));
    const { handler, producer, decoded } = setUp(getMany);
    const batch = [consumed('acme', '1'), consumed('globex', '2'), consumed('acme', '3')];

    expect(await handler.handle(batch)).toEqual({ rejected: [] });

    expect(getMany).toHaveBeenCalledTimes(1);
    expect(new Set(getMany.mock.calls[0][0])).toEqual(new Set(['acme', 'globex']));
    expect(producer.send).toHaveBeenCalledWith(TOPICS.occurrences, expect.any(Array));
    const [acme1, globex, acme3] = decoded();
    expect(acme1.fingerprint).toBe(ruleFingerprint('payment-declined'));
    expect(acme3.fingerprint).toBe(ruleFingerprint('payment-declined'));
    expect(globex.fingerprint).toBe(toOccurrence(batch[1].value).fingerprint);
  });

  it('fails the whole batch, sending nothing, when a config cannot be loaded (the consumer retries it)', async () => {
    const { handler, producer } = setUp(async () => {
      throw new Error('grouping config of tenant acme could not be loaded: connect ECONNREFUSED');
    });
    await expect(handler.handle([consumed('acme', '1')])).rejects.toThrow('could not be loaded');
    expect(producer.send).not.toHaveBeenCalled();
  });
});

import { ErrorSpanMessage, errorSpanMessageSchema, occurrenceMessageSchema } from '@faultline/contracts';
import { readFixture } from './__fixtures__/read-fixture';
import { customFingerprint, FINGERPRINT_VERSION } from './fingerprint';
import { issueIdFor, occurrenceIdFor } from './ids';
import { toOccurrence } from './to-occurrence';

interface DatadogSpan {
  trace_id: string;
  span_id: string;
  parent_id: string;
  service: string;
  name: string;
  resource: string;
  start: string;
  duration: number;
  meta: Record<string, string>;
}

/** The entry span dd-trace 5.132 sent for `GET /payment/:orderId`, as ingestion would put it on `error-spans`. */
function errorSpanFromCapturedPayload(): ErrorSpanMessage {
  const span = JSON.parse(readFixture('dd-trace/entry-span-v04.json')) as DatadogSpan;
  return {
    schema: 'error-span/v1',
    tenant: 'default',
    receivedAt: 1795571501300,
    protocol: 'datadog-v0.4',
    traceId: span.trace_id,
    traceIdHex: `${span.meta['_dd.p.tid']}${BigInt(span.trace_id).toString(16).padStart(16, '0')}`,
    spanId: span.span_id,
    parentId: span.parent_id,
    service: span.service,
    name: span.name,
    resource: span.resource,
    startNs: span.start,
    durationNs: span.duration,
    error: { type: span.meta['error.type'], message: span.meta['error.message'], stack: span.meta['error.stack'] },
    env: span.meta['env'],
    version: span.meta['version'],
    host: null,
    container: null,
    tags: { env: span.meta['env'], version: span.meta['version'], 'http.route': span.meta['http.route'], 'http.status_code': span.meta['http.status_code'] },
  };
}

describe('toOccurrence', () => {
  const span = errorSpanFromCapturedPayload();
  const occurrence = toOccurrence(span);

  it('produces a valid occurrence/v1 message', () => {
    expect(occurrenceMessageSchema.parse(occurrence)).toEqual(occurrence);
  });

  it('takes the span start in milliseconds without losing precision to floating point', () => {
    expect(span.startNs).toBe('1795571501272004352');
    expect(occurrence.timestampMs).toBe(1795571501272);
  });

  it('carries the grouping results next to the original message and stack', () => {
    expect(occurrence).toMatchObject({
      schema: 'occurrence/v1',
      fingerprintVersion: FINGERPRINT_VERSION,
      occurrenceId: occurrenceIdFor('default', '3983546689382542143', '3983546689382542143'),
      errorType: 'PaymentDeclinedError',
      errorMessage: 'Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit',
      messageTemplate: 'Payment declined for order <id>: amount <num> EUR exceeds limit',
      stack: span.error.stack,
      culprit: 'routes.js',
    });
    // The same value fingerprint.spec pins for this stack.
    expect(occurrence.fingerprint).toBe('17dde3b92c08974dcb51f655149bf7bb');
    expect(occurrence.frames).toHaveLength(10);
    expect(occurrence.frames[0]).toEqual({ function: null, file: 'routes.js', module: null, line: 37, column: 11, inApp: true });
  });

  it('copies the span context unchanged', () => {
    expect(occurrence).toMatchObject({
      tenant: 'default',
      traceId: '3983546689382542143',
      traceIdHex: '6b063f2d000000003748669bb6d46b3f',
      spanId: '3983546689382542143',
      receivedAt: 1795571501300,
      service: 'checkout',
      env: 'test',
      version: '1.2.3',
      host: null,
      container: null,
      resource: 'GET /payment/:orderId',
      tags: span.tags,
    });
  });

  it('reads an error-span message from before traceIdHex as null and carries that through', () => {
    const { traceIdHex: _traceIdHex, ...older } = span;
    const decoded = errorSpanMessageSchema.parse(older);

    expect(decoded.traceIdHex).toBeNull();
    expect(occurrenceMessageSchema.parse(toOccurrence(decoded)).traceIdHex).toBeNull();
  });

  it('groups the same bug with another order id into the same fingerprint, as a distinct occurrence', () => {
    const again = toOccurrence({
      ...span,
      spanId: '810484011673182325',
      error: { ...span.error, message: span.error.message.replace('ORD-2024-00042', 'ord_13bb90').replace('1234.50', '9.99') },
    });
    expect(again.fingerprint).toBe(occurrence.fingerprint);
    expect(again.occurrenceId).not.toBe(occurrence.occurrenceId);
  });

  describe('with an error.fingerprint tag', () => {
    const custom = (errorFingerprint: string | null | undefined, changes: Partial<typeof span> = {}) => toOccurrence({ ...span, ...changes, errorFingerprint });

    it('replaces the computed fingerprint, the same for any stack, type or message', () => {
      const tagged = custom('payments-provider-outage');
      expect(tagged.fingerprint).not.toBe(occurrence.fingerprint);
      expect(tagged.fingerprint).toBe(customFingerprint('payments-provider-outage'));
      const otherError = custom(' payments-provider-outage ', { error: { type: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at other (/srv/app/other.js:1:1)' } });
      expect(otherError.fingerprint).toBe(tagged.fingerprint);
      expect(tagged.fingerprintVersion).toBe(FINGERPRINT_VERSION);
      expect(occurrenceMessageSchema.parse(tagged)).toEqual(tagged);
    });

    it('is scoped per service by the issue id, as Datadog scopes it', () => {
      const checkout = custom('payments-provider-outage');
      const billing = custom('payments-provider-outage', { service: 'billing' });
      expect(billing.fingerprint).toBe(checkout.fingerprint);
      expect(issueIdFor('default', billing.service, billing.fingerprint)).not.toBe(issueIdFor('default', checkout.service, checkout.fingerprint));
    });

    it('is ignored when blank, null or absent (messages from before the field)', () => {
      expect(custom('   ').fingerprint).toBe(occurrence.fingerprint);
      expect(custom(null).fingerprint).toBe(occurrence.fingerprint);
      expect(custom(undefined).fingerprint).toBe(occurrence.fingerprint);
    });
  });
});

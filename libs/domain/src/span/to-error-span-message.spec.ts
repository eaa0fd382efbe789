import { errorSpanMessageSchema } from '@faultline/contracts';
import type { Span } from './span';
import { toErrorSpanMessage } from './to-error-span-message';

/** The entry span of a captured dd-trace 5.132 failing request (libs/intake/src/__fixtures__/dd-trace-v04.json). */
const capturedEntrySpan: Span = {
  traceId: '3983546689382542143',
  // As libs/intake's Datadog mapper builds it from `_dd.p.tid` and trace_id.
  traceIdHex: '6b063f2d000000003748669bb6d46b3f',
  spanId: '3983546689382542143',
  parentId: '0',
  service: 'checkout',
  name: 'express.request',
  resource: 'GET /payment/:orderId',
  startNs: '1795571501272004352',
  durationNs: 997070,
  error: true,
  type: 'web',
  meta: {
    '_dd.tags.process': 'entrypoint.basedir:acceptance,entrypoint.name:app-dd',
    '_dd.p.tid': '6b063f2d00000000',
    '_dd.p.dm': '-0',
    service: 'checkout',
    env: 'test',
    version: '1.2.3',
    'runtime-id': 'efbd5b65-3b99-45ee-a748-a58ba62d0069',
    '_dd.rc.client_id': 'd14219d4-74e1-4a08-82af-352236b59377',
    component: 'express',
    'span.kind': 'server',
    'http.url': 'http://127.0.0.1:3001/payment/ORD-2024-00042',
    'http.method': 'GET',
    'http.useragent': 'curl/7.88.1',
    'http.route': '/payment/:orderId',
    'http.status_code': '500',
    'error.message': 'Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit',
    'error.type': 'PaymentDeclinedError',
    'error.stack': 'PaymentDeclinedError: Payment declined for order ORD-2024-00042\n    at chargeOrder (/srv/shop-app/checkout-01/payments.js:12:11)',
    language: 'javascript',
    '_dd.integration': 'express',
  },
  metrics: { '_dd.agent_psr': 1, '_dd.top_level': 1, '_dd.measured': 1, process_id: 9984, _sampling_priority_v1: 1 },
};

const context = { tenant: 'default', receivedAt: 1795571501300, protocol: 'datadog-v0.4' as const };

describe('toErrorSpanMessage', () => {
  it('builds a valid error-span/v1 message from a captured dd-trace entry span', () => {
    const message = toErrorSpanMessage(capturedEntrySpan, { ...context, containerId: 'c0ffee', language: 'nodejs', languageVersion: 'v20.19.0', tracerVersion: '5.132.0' });

    expect(errorSpanMessageSchema.parse(message)).toEqual(message);
    expect(message).toEqual({
      schema: 'error-span/v1',
      tenant: 'default',
      receivedAt: 1795571501300,
      protocol: 'datadog-v0.4',
      traceId: '3983546689382542143',
      traceIdHex: '6b063f2d000000003748669bb6d46b3f',
      spanId: '3983546689382542143',
      parentId: '0',
      service: 'checkout',
      name: 'express.request',
      resource: 'GET /payment/:orderId',
      startNs: '1795571501272004352',
      durationNs: 997070,
      error: {
        type: 'PaymentDeclinedError',
        message: 'Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit',
        stack: capturedEntrySpan.meta['error.stack'],
      },
      errorFingerprint: null,
      env: 'test',
      version: '1.2.3',
      host: null,
      container: 'c0ffee',
      tags: {
        service: 'checkout',
        env: 'test',
        version: '1.2.3',
        component: 'express',
        'span.kind': 'server',
        'http.url': 'http://127.0.0.1:3001/payment/ORD-2024-00042',
        'http.method': 'GET',
        'http.useragent': 'curl/7.88.1',
        'http.route': '/payment/:orderId',
        'http.status_code': '500',
        // The span's own tag wins over the request header.
        language: 'javascript',
        'language.version': 'v20.19.0',
        'tracer.version': '5.132.0',
      },
    });
  });

  it('takes host and container from span tags when the request carried no container header', () => {
    const span = { ...capturedEntrySpan, meta: { ...capturedEntrySpan.meta, hostname: 'web-1', host: 'web-1.internal', 'container.id': 'abc123' } };

    const message = toErrorSpanMessage(span, context);

    expect(message.host).toBe('web-1.internal');
    expect(message.container).toBe('abc123');
    expect(message.tags['host']).toBe('web-1.internal');
  });

  it('prefers _dd.hostname and leaves env and version null when absent', () => {
    const { env: _env, version: _version, ...meta } = capturedEntrySpan.meta;
    const message = toErrorSpanMessage({ ...capturedEntrySpan, meta: { ...meta, '_dd.hostname': 'agent-host', host: 'other' } }, context);

    expect(message).toMatchObject({ host: 'agent-host', env: null, version: null, container: null });
    expect(message.tags).not.toHaveProperty('_dd.hostname');
  });

  it('keeps custom user tags and public metrics as strings', () => {
    const span = { ...capturedEntrySpan, meta: { ...capturedEntrySpan.meta, 'customer.tier': 'gold', 'peer.service': 'payments' }, metrics: { ...capturedEntrySpan.metrics, 'cart.items': 3 } };

    const { tags } = toErrorSpanMessage(span, context);

    expect(tags).toMatchObject({ 'customer.tier': 'gold', 'peer.service': 'payments', 'cart.items': '3' });
    expect(Object.keys(tags).filter((key) => key.startsWith('error.') || key.startsWith('_') || key === 'runtime-id' || key === 'process_id')).toEqual([]);
  });

  it('derives traceIdHex from a 128-bit OTLP trace id when the span brings none', () => {
    const { traceIdHex: _traceIdHex, ...span } = capturedEntrySpan;
    const hex = 'b4392ea27e38af1ca3366ad20a6fbdae';

    const message = toErrorSpanMessage({ ...span, traceId: BigInt(`0x${hex}`).toString() }, { ...context, protocol: 'otlp' });

    expect(message.traceIdHex).toBe(hex);
    expect(message.tags).not.toHaveProperty('_dd.p.tid');
  });

  it('carries the error.fingerprint tag as the custom grouping key, not as a facet tag', () => {
    const span = { ...capturedEntrySpan, meta: { ...capturedEntrySpan.meta, 'error.fingerprint': 'payments-provider-outage' } };

    const message = toErrorSpanMessage(span, context);

    expect(message.errorFingerprint).toBe('payments-provider-outage');
    expect(message.tags).not.toHaveProperty('error.fingerprint');
    expect(errorSpanMessageSchema.parse(message)).toEqual(message);
  });
});

import type { OtelSpan, SpanException } from './otel-span';
import { selectOtelErrorSpans, type SpanHistory, type PendingException } from './select-otel-error-spans';

const TRACE = '308945019372592493219151722497925152010';
const typeError: SpanException = {
  type: 'TypeError',
  message: "Cannot read properties of undefined (reading 'items')",
  stacktrace: "TypeError: Cannot read properties of undefined (reading 'items')\n    at parseCart (/srv/shop-app/checkout-01/routes.js:17:30)",
};

/** Shaped like the captured OTel Node SDK spans (libs/intake/src/__fixtures__/otlp): one request to `checkout`. */
function span(overrides: Partial<OtelSpan> & Pick<OtelSpan, 'spanId'>): OtelSpan {
  return {
    traceId: TRACE,
    parentId: '0',
    service: 'checkout',
    name: 'request handler',
    resource: 'request handler',
    startNs: '1795571521038000000',
    durationNs: 1000,
    error: false,
    meta: {},
    metrics: {},
    kind: 'internal',
    exceptions: [],
    ...overrides,
  };
}

/** SERVER span (status ERROR, no event) -> middleware -> request handler (exception event), as the SDK records it. */
function failingRequest(traceId = TRACE, exception = typeError): OtelSpan[] {
  return [
    span({ traceId, spanId: '1', name: 'GET /type-error', kind: 'server', error: true }),
    span({ traceId, spanId: '2', parentId: '1', name: 'middleware - <anonymous>' }),
    span({ traceId, spanId: '3', parentId: '1', name: 'middleware - patched', exceptions: [exception] }),
    span({ traceId, spanId: '4', parentId: '3', name: 'request handler', error: true, exceptions: [exception] }),
  ];
}

function history(services: Record<string, string>, pending: Record<string, PendingException> = {}): SpanHistory {
  return {
    serviceOf: (traceId, spanId) => services[`${traceId}:${spanId}`],
    exceptionBelow: (traceId, spanId) => pending[`${traceId}:${spanId}`],
  };
}

const countOf = (selection: { kept: unknown[]; dropped: Partial<Record<string, number>> }) =>
  selection.kept.length + Object.values(selection.dropped).reduce((sum: number, count) => sum + (count ?? 0), 0);

describe('selectOtelErrorSpans', () => {
  it('keeps the SERVER span with the error of its nearest same-service descendant', () => {
    const spans = failingRequest();
    const selection = selectOtelErrorSpans(spans);

    expect(selection.kept).toHaveLength(1);
    expect(selection.kept[0]).toMatchObject({
      spanId: '1',
      name: 'GET /type-error',
      meta: { 'error.type': 'TypeError', 'error.message': typeError.message, 'error.stack': typeError.stacktrace },
    });
    // The INTERNAL request handler carries status ERROR too, but is not an entry span.
    expect(selection.dropped).toEqual({ not_error: 2, not_service_entry: 1 });
    expect(selection.unattributed).toEqual([]);
    expect(countOf(selection)).toBe(spans.length);
  });

  it("passes the exception's error.fingerprint on, unless the entry span has its own", () => {
    const withFingerprint = { ...typeError, fingerprint: 'cart-parsing' };

    expect(selectOtelErrorSpans(failingRequest(TRACE, withFingerprint)).kept[0].meta['error.fingerprint']).toBe('cart-parsing');
    const [entry, ...rest] = failingRequest(TRACE, withFingerprint);
    const ownTag = selectOtelErrorSpans([{ ...entry, meta: { 'error.fingerprint': 'checkout-errors' } }, ...rest]);
    expect(ownTag.kept[0].meta['error.fingerprint']).toBe('checkout-errors');
    expect(selectOtelErrorSpans(failingRequest()).kept[0].meta).not.toHaveProperty('error.fingerprint');
  });

  it("prefers the entry span's own exception event, the last one when there are several", () => {
    const own: SpanException = { type: 'KafkaJSError', message: 'broker gone', stacktrace: 'KafkaJSError: broker gone\n    at consume (/app/worker.js:3:9)' };
    const spans = failingRequest();
    spans[0] = { ...spans[0], kind: 'consumer', exceptions: [typeError, own] };

    expect(selectOtelErrorSpans(spans).kept[0].meta['error.type']).toBe('KafkaJSError');
  });

  it('takes the shallowest descendant, in payload order within a level', () => {
    const deep: SpanException = { ...typeError, type: 'DeepError' };
    const spans = [
      span({ spanId: '1', kind: 'server', error: true }),
      span({ spanId: '2', parentId: '1' }),
      span({ spanId: '5', parentId: '2', exceptions: [deep] }),
      span({ spanId: '3', parentId: '1', exceptions: [typeError] }),
    ];
    expect(selectOtelErrorSpans(spans).kept[0].meta['error.type']).toBe('TypeError');
  });

  it("does not take another service's exception", () => {
    const spans = [
      span({ spanId: '1', kind: 'server', error: true }),
      span({ spanId: '2', parentId: '1', kind: 'client' }),
      span({ spanId: '3', parentId: '2', service: 'payments', kind: 'server', error: true, exceptions: [{ ...typeError, type: 'PaymentsDown' }] }),
    ];
    const selection = selectOtelErrorSpans(spans);

    // payments' SERVER span is its own entry (parent in another service); checkout has no exception.
    expect(selection.kept.map((kept) => [kept.service, kept.meta['error.type']])).toEqual([['payments', 'PaymentsDown']]);
    expect(selection.dropped).toEqual({ missing_error_type: 1, not_error: 1 });
  });

  it('counts a SERVER span with a remote parent (incoming traceparent) as an entry', () => {
    const spans = failingRequest();
    spans[0] = { ...spans[0], parentId: '1311768467463790320' };
    expect(selectOtelErrorSpans(spans).kept.map((kept) => kept.spanId)).toEqual(['1']);
  });

  it('does not count a SERVER span whose parent is of the same service, in the request or known from history', () => {
    const loopback = failingRequest();
    loopback[0] = { ...loopback[0], parentId: '9' };
    const caller = span({ spanId: '9', kind: 'client' });

    expect(selectOtelErrorSpans([caller, ...loopback]).dropped).toMatchObject({ not_service_entry: 2 });
    expect(selectOtelErrorSpans(loopback, history({ [`${TRACE}:9`]: 'checkout' })).kept).toEqual([]);
    expect(selectOtelErrorSpans(loopback, history({ [`${TRACE}:9`]: 'gateway' })).kept).toHaveLength(1);
  });

  it('drops entry spans without an exception or without a stack trace', () => {
    const noEvent = [span({ spanId: '1', kind: 'server', error: true })];
    const noStack = failingRequest();
    noStack[2] = { ...noStack[2], exceptions: [{ ...typeError, stacktrace: '' }] };

    expect(selectOtelErrorSpans(noEvent).dropped).toEqual({ missing_error_type: 1 });
    expect(selectOtelErrorSpans(noStack).dropped).toMatchObject({ missing_error_stack: 1 });
  });

  it('counts copies of the same exception in one trace once, but the same bug in two traces twice', () => {
    const second = failingRequest().map((copy) => ({ ...copy, spanId: `1${copy.spanId}`, parentId: copy.parentId === '0' ? '0' : `1${copy.parentId}` }));
    const otherTrace = failingRequest('99');
    const selection = selectOtelErrorSpans([...failingRequest(), ...second, ...otherTrace]);

    expect(selection.kept.map((kept) => [kept.traceId, kept.spanId])).toEqual([[TRACE, '1'], ['99', '1']]);
    expect(selection.dropped.duplicate_exception).toBe(1);
  });

  it('remembers an exception whose SERVER span is in a later export, and uses it when the SERVER span arrives', () => {
    // Children end before their parent, so a batch can hold them without the SERVER span.
    const [server, ...children] = failingRequest();
    const first = selectOtelErrorSpans(children);

    expect(first.kept).toEqual([]);
    expect(first.unattributed).toEqual([{ traceId: TRACE, belowSpanId: '1', service: 'checkout', exception: typeError }]);

    const { traceId, belowSpanId, ...pending } = first.unattributed[0];
    const later = selectOtelErrorSpans([server], history({ [`${TRACE}:3`]: 'checkout' }, { [`${traceId}:${belowSpanId}`]: pending }));
    expect(later.kept.map((kept) => kept.meta['error.type'])).toEqual(['TypeError']);
  });

  it('returns nothing for an empty export', () => {
    expect(selectOtelErrorSpans([])).toEqual({ kept: [], dropped: {}, unattributed: [] });
  });
});

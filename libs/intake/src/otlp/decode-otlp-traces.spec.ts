import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { selectOtelErrorSpans } from '@faultline/domain';
import { IntakeError } from '../intake-error';
import { decodeOtlpTraces, otlpPartialSuccessOf } from './decode-otlp-traces';
import { otlpTraceTypes } from './otlp-proto';

const fixtures = join(__dirname, '..', '__fixtures__', 'otlp');
/** OpenTelemetry Node SDK 0.223 + exporter-trace-otlp-http: 4 requests (3 failing), 19 spans, ids as hex. */
const sdkJsonPayload = readFileSync(join(fixtures, 'otlp-json.json'));
/** The same app with exporter-trace-otlp-proto (another run, other ids). */
const sdkProtoPayload = readFileSync(join(fixtures, 'otlp-proto.bin'));
/** otlp-proto.bin decoded independently to OTLP JSON (enum names, int64 as strings). */
const sdkProtoDecoded = readFileSync(join(fixtures, 'otlp-proto.decoded.json'));

/**
 * The e2e shop (apps/pipeline-e2e/src/fixtures/otel-express-app.js) with each exporter of the e2e
 * tests, captured by a stand-in receiver: GET /ok, /invoice/1 (TypeError), /payment/ORD-2024-00042,
 * /inventory (async RangeError), /recovered (error on a child span, handled), /unavailable (500
 * without exception), /payment/ORD-77 with an incoming traceparent. Three runs, so three sets of ids.
 */
const e2eCaptures = {
  'exporter-trace-otlp-http (JSON)': { body: readFileSync(join(fixtures, 'sdk-node-express.otlp-http-json.json')), contentType: 'application/json' },
  'exporter-trace-otlp-proto': { body: readFileSync(join(fixtures, 'sdk-node-express.otlp-proto.bin')), contentType: 'application/x-protobuf' },
  // Content-Encoding: gzip is undone by the HTTP layer before decoding.
  'exporter-trace-otlp-proto with gzip': { body: gunzipSync(readFileSync(join(fixtures, 'sdk-node-express.otlp-proto.bin.gz'))), contentType: 'application/x-protobuf' },
};

const JSON_TYPE = 'application/json';
const PROTOBUF = 'application/x-protobuf';

function decodingError(run: () => unknown): IntakeError {
  try {
    run();
  } catch (error) {
    if (error instanceof IntakeError) return error;
    throw error;
  }
  throw new Error('expected an IntakeError');
}

/** Re-encodes an OTLP JSON body as protobuf with the official definitions (hex ids -> bytes). */
function toProtobuf(jsonBody: Buffer): Buffer {
  const object = JSON.parse(jsonBody.toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  for (const resourceSpans of object.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        for (const field of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof span[field] === 'string') span[field] = Buffer.from(span[field] as string, 'hex');
        }
      }
    }
  }
  const { request } = otlpTraceTypes();
  return Buffer.from(request.encode(request.fromObject(object)).finish());
}

describe('decodeOtlpTraces with the captured OpenTelemetry Node SDK payloads', () => {
  const jsonSpans = decodeOtlpTraces(sdkJsonPayload, JSON_TYPE).spans;
  const protoSpans = decodeOtlpTraces(sdkProtoPayload, PROTOBUF).spans;

  it('decodes every span of both captures', () => {
    expect(jsonSpans).toHaveLength(19);
    expect(protoSpans).toHaveLength(19);
  });

  it('decodes protobuf and JSON to the same neutral spans', () => {
    // The protobuf capture against its independent JSON decoding (enum names, int64 strings).
    expect(decodeOtlpTraces(sdkProtoDecoded, JSON_TYPE).spans).toEqual(protoSpans);
    // The JSON capture against its own protobuf encoding.
    expect(decodeOtlpTraces(toProtobuf(sdkJsonPayload), PROTOBUF).spans).toEqual(jsonSpans);
  });

  it('maps the resource, ids, times, kind and status of the SERVER span of a failing request', () => {
    const server = jsonSpans.find((span) => span.name === 'GET /type-error');
    expect(server).toMatchObject({
      // 0xb4392ea27e38af1ca3366ad20a6fbdae and 0xa143d66f442cf414: all 128 bits of the trace id.
      traceId: BigInt('0xb4392ea27e38af1ca3366ad20a6fbdae').toString(),
      spanId: BigInt('0xa143d66f442cf414').toString(),
      parentId: '0',
      service: 'checkout',
      resource: 'GET /type-error',
      startNs: '1795571514344000000',
      durationNs: 2526311,
      error: true,
      kind: 'server',
      exceptions: [],
      metrics: {},
    });
    expect(server?.traceId).toBe('239557946027089075610965639941067881902');
    expect(server?.meta).toMatchObject({
      env: 'test',
      version: '1.2.3',
      host: 'vm',
      'span.kind': 'server',
      'http.request.method': 'GET',
      'http.route': '/type-error',
      'http.response.status_code': '500',
      'url.path': '/type-error',
      'host.id': '3d1219c7c4c5404aaa1f6d2a48adfda4',
      'process.command_args': '["/usr/bin/node","/srv/shop-app/checkout-01/app-otel.js"]',
    });
    // Consumed into service/env/version/host, or unique per process.
    for (const key of ['service.name', 'service.version', 'deployment.environment', 'deployment.environment.name', 'host.name', 'process.pid']) {
      expect(server?.meta).not.toHaveProperty([key]);
    }
  });

  it('reads the exception event on the request-handler child span', () => {
    const handler = jsonSpans.find((span) => span.name === 'request handler' && span.error);
    expect(handler).toMatchObject({ kind: 'internal', parentId: BigInt('0x9a6d9866bcee6859').toString() });
    expect(handler?.exceptions).toEqual([
      {
        type: 'TypeError',
        message: "Cannot read properties of undefined (reading 'items')",
        stacktrace: expect.stringMatching(/^TypeError: Cannot read properties of undefined \(reading 'items'\)\n {4}at parseCart \(\/srv\/shop-app\/checkout-01\/routes\.js:17:30\)/),
      },
    ]);
  });

  it.each([
    ['JSON', () => jsonSpans],
    ['protobuf', () => protoSpans],
  ])('turns exactly the 3 failing requests of the %s capture into 3 error spans, errors from the child exception events', (_encoding, spans) => {
    const selection = selectOtelErrorSpans(spans());

    expect(selection.kept.map((span) => [span.name, span.kind, span.meta['error.type'], span.meta['error.message']])).toEqual([
      ['GET /type-error', 'server', 'TypeError', "Cannot read properties of undefined (reading 'items')"],
      ['GET /payment/:orderId', 'server', 'PaymentDeclinedError', 'Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit'],
      ['GET /async-reject', 'server', 'Error', 'inventory service timed out after 5ms'],
    ]);
    for (const span of selection.kept) {
      expect(span.meta['error.stack']).toMatch(new RegExp(`^${span.meta['error.type']}: .*\\n {4}at `));
    }
    // 16 other spans: 13 without ERROR status, 3 INTERNAL express handlers with ERROR status.
    expect(selection.dropped).toEqual({ not_error: 13, not_service_entry: 3 });
  });
});

describe.each(Object.entries(e2eCaptures))('decodeOtlpTraces with the e2e shop traced through %s', (_client, { body, contentType }) => {
  const { spans } = decodeOtlpTraces(body, contentType);

  it('makes one error span per failing request, including the one with a remote parent, and none for the others', () => {
    const selection = selectOtelErrorSpans(spans);

    expect(selection.kept.map((span) => [span.resource, span.meta['error.type'], span.meta['error.message']])).toEqual([
      ['GET /invoice/:id', 'TypeError', "Cannot read properties of undefined (reading 'name')"],
      ['GET /payment/:orderId', 'PaymentDeclinedError', 'Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit'],
      ['GET /inventory', 'RangeError', 'Inventory service returned 0 items for warehouse 17'],
      ['GET /payment/:orderId', 'PaymentDeclinedError', 'Payment declined for order ORD-77: amount 1234.50 EUR exceeds limit'],
    ]);
    expect(selection.kept[0].meta['error.stack']).toMatch(/^TypeError: .*\n {4}at formatCustomer \(.*otel-express-app\.js:\d+:\d+\)\n {4}at renderInvoice /);
    // The traceparent's ids: 128-bit trace id and 64-bit parent span id, in decimal.
    expect(selection.kept[3]).toMatchObject({ traceId: BigInt('0x0af7651916cd43dd8448eb211c80319c').toString(), parentId: BigInt('0xb7ad6b7169203331').toString() });
    // /unavailable: a SERVER span with status ERROR and no exception anywhere.
    expect(selection.dropped.missing_error_type).toBe(1);
    // The recovered cache.lookup span has status ERROR too, but is INTERNAL; the express handlers likewise.
    expect(selection.dropped.not_service_entry).toBe(5);
    expect(selection.kept.length + Object.values(selection.dropped).reduce((sum, count) => sum + count, 0)).toBe(spans.length);
  });

  it('maps the resource the app configured', () => {
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['checkout']));
    expect(spans[0].meta).toMatchObject({ env: 'test', version: '1.2.3', 'process.runtime.name': 'nodejs' });
  });
});

describe('decodeOtlpTraces mapping', () => {
  const request = (resourceAttributes: unknown[], span: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ spans: [span] }] }] }));
  const minimalSpan = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '3' };
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

  it('falls back to deployment.environment and unknown_service, and keeps k8s and container attributes as tags', () => {
    const [span] = decodeOtlpTraces(request([str('deployment.environment', 'staging'), str('k8s.pod.name', 'web-7f9'), str('container.id', 'c0ffee')], minimalSpan), JSON_TYPE).spans;
    expect(span.service).toBe('unknown_service');
    expect(span.meta).toEqual({ env: 'staging', 'k8s.pod.name': 'web-7f9', 'container.id': 'c0ffee', 'span.kind': 'server' });
  });

  it('accepts enum names, 64-bit integers as JSON numbers, and every attribute value type', () => {
    const span = {
      ...minimalSpan,
      kind: 'SPAN_KIND_CONSUMER',
      startTimeUnixNano: 'START',
      endTimeUnixNano: '1795571514344000501',
      status: { code: 'STATUS_CODE_ERROR' },
      attributes: [
        { key: 'big', value: { intValue: 'BIG_INT' } },
        { key: 'ratio', value: { doubleValue: 0.25 } },
        { key: 'flag', value: { boolValue: true } },
        { key: 'raw', value: { bytesValue: 'AQI=' } },
        { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
        { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
        { key: 'empty', value: {} },
      ],
    };
    // As JSON numbers, beyond 2^53: a JSON.parse would round them.
    const body = request([], span).toString().replace('"BIG_INT"', '9007199254740993').replace('"START"', '1795571514344000001');
    const [decoded] = decodeOtlpTraces(Buffer.from(body), 'application/json; charset=utf-8').spans;
    expect(decoded).toMatchObject({ kind: 'consumer', error: true, startNs: '1795571514344000001', durationNs: 500 });
    expect(decoded.meta).toEqual({ big: '9007199254740993', ratio: '0.25', flag: 'true', raw: 'AQI=', list: '["a","2"]', map: '{"k":"false"}', 'span.kind': 'consumer' });
  });

  it("reads error.fingerprint from the exception event, else from the span that recorded it", () => {
    const exceptionEvent = (attributes: unknown[]) => ({ name: 'exception', timeUnixNano: '2', attributes: [str('exception.type', 'Error'), str('exception.stacktrace', 'Error: x'), ...attributes] });
    const spanWith = (attributes: unknown[], events: unknown[]) => decodeOtlpTraces(request([], { ...minimalSpan, attributes, events }), JSON_TYPE).spans[0];

    expect(spanWith([str('error.fingerprint', 'from-span')], [exceptionEvent([str('error.fingerprint', 'from-event')])]).exceptions[0].fingerprint).toBe('from-event');
    expect(spanWith([str('error.fingerprint', 'from-span')], [exceptionEvent([])]).exceptions[0].fingerprint).toBe('from-span');
    expect(spanWith([], [exceptionEvent([])]).exceptions[0]).not.toHaveProperty('fingerprint');
  });

  it('reads an all-zero or empty parent span id as no parent', () => {
    expect(decodeOtlpTraces(request([], { ...minimalSpan, parentSpanId: '0000000000000000' }), JSON_TYPE).spans[0].parentId).toBe('0');
    expect(decodeOtlpTraces(request([], { ...minimalSpan, parentSpanId: '' }), JSON_TYPE).spans[0].parentId).toBe('0');
  });

  it('accepts an empty protobuf request', () => {
    expect(decodeOtlpTraces(Buffer.alloc(0), PROTOBUF)).toEqual({ spans: [], rejectedSpans: [] });
  });
});

describe('decodeOtlpTraces rejects malformed bodies', () => {
  const sdkRequest = () => JSON.parse(sdkJsonPayload.toString('utf8')) as { resourceSpans: Array<{ resource: { attributes: unknown[] }; scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  /** The captured JSON request with one thing changed. */
  function withChange(change: (request: ReturnType<typeof sdkRequest>) => void): Buffer {
    const request = sdkRequest();
    change(request);
    return Buffer.from(JSON.stringify(request));
  }

  it('answers 415 for a content type OTLP/HTTP does not define', () => {
    for (const contentType of ['application/msgpack', 'text/plain', undefined]) {
      const error = decodingError(() => decodeOtlpTraces(sdkJsonPayload, contentType));
      expect(error.status).toBe(415);
      expect(error.message).toContain('expected application/x-protobuf or application/json');
    }
  });

  it('answers 400 for truncated protobuf', () => {
    const error = decodingError(() => decodeOtlpTraces(sdkProtoPayload.subarray(0, sdkProtoPayload.length - 100), PROTOBUF));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^body: invalid protobuf ExportTraceServiceRequest: /);
  });

  it('answers 400 for JSON sent as protobuf, and for invalid JSON', () => {
    expect(decodingError(() => decodeOtlpTraces(sdkJsonPayload, PROTOBUF)).message).toMatch(/^body: invalid protobuf/);
    expect(decodingError(() => decodeOtlpTraces(sdkJsonPayload.subarray(0, 100), JSON_TYPE)).message).toMatch(/^body: invalid JSON/);
  });

  it('rejects only the span, naming it and the field, for a protobuf id with the wrong length', () => {
    const { request } = otlpTraceTypes();
    const message = request.toObject(request.decode(sdkProtoPayload)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: Buffer }> }> }> };
    message.resourceSpans[0].scopeSpans[1].spans[2].traceId = Buffer.alloc(8, 1);
    const body = Buffer.from(request.encode(request.fromObject(message)).finish());

    const { spans, rejectedSpans } = decodeOtlpTraces(body, PROTOBUF);
    expect(rejectedSpans).toEqual(['resourceSpans[0].scopeSpans[1].spans[2].traceId: expected 16 bytes']);
    expect(spans).toHaveLength(18);
  });

  it.each([
    ['a body that is not an object', () => Buffer.from('[]'), 'body: expected an ExportTraceServiceRequest object'],
    ['resourceSpans that is not a list', () => Buffer.from('{"resourceSpans":{}}'), 'resourceSpans: expected an array'],
    ['a resource that is not an object', () => withChange((r) => (r.resourceSpans[0].resource = 'checkout' as never)), 'resourceSpans[0].resource: expected an object'],
    ['a scope that is not an object', () => withChange((r) => (r.resourceSpans[0].scopeSpans[1] = [] as never)), 'resourceSpans[0].scopeSpans[1]: expected an object'],
    ['spans that are not a list', () => withChange((r) => (r.resourceSpans[0].scopeSpans[1].spans = {} as never)), 'resourceSpans[0].scopeSpans[1].spans: expected an array'],
    ['a resource attribute with a numeric string value', () => withChange((r) => (r.resourceSpans[0].resource.attributes[0] = { key: 'process.pid', value: { stringValue: 10110 } })), 'resourceSpans[0].resource.attributes[0].value.stringValue: expected string'],
    ['an intValue that is not an integer', () => withChange((r) => (r.resourceSpans[0].resource.attributes[0] = { key: 'process.pid', value: { intValue: 'ten' } })), 'resourceSpans[0].resource.attributes[0].value.intValue: expected signed 64-bit integer'],
  ])('answers 400 naming the field, for the whole request, for %s', (_case, body, message) => {
    const error = decodingError(() => decodeOtlpTraces(body(), JSON_TYPE));
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });

  it.each([
    ['a span that is not an object', () => withChange((r) => (r.resourceSpans[0].scopeSpans[1].spans[3] = 'span' as never)), 'resourceSpans[0].scopeSpans[1].spans[3]: expected an object'],
    ['a trace id in base64', () => withChange((r) => (r.resourceSpans[0].scopeSpans[1].spans[3].traceId = 'tDkuon44rxyjNmrSCm+9rg==')), 'resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex characters'],
    ['a trace id with a non-hex character', () => withChange((r) => (r.resourceSpans[0].scopeSpans[1].spans[3].traceId = 'b4392ea27e38af1ca3366ad20a6fbdaz')), 'resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex characters'],
    ['a missing span id', () => withChange((r) => delete r.resourceSpans[0].scopeSpans[0].spans[1].spanId), 'resourceSpans[0].scopeSpans[0].spans[1].spanId: expected 16 hex characters'],
    ['an all-zero trace id', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[0].traceId = '0'.repeat(32))), 'resourceSpans[0].scopeSpans[0].spans[0].traceId: must not be all zeros'],
    ['a short parent span id', () => withChange((r) => (r.resourceSpans[0].scopeSpans[2].spans[0].parentSpanId = '8973e411')), 'resourceSpans[0].scopeSpans[2].spans[0].parentSpanId: expected 16 hex characters'],
    ['a numeric name', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[0].name = 7)), 'resourceSpans[0].scopeSpans[0].spans[0].name: expected string'],
    ['an unknown span kind', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[0].kind = 9)), 'resourceSpans[0].scopeSpans[0].spans[0].kind: expected a SpanKind (0-5 or SPAN_KIND_*)'],
    ['a status code name that does not exist', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[1].status = { code: 'ERROR' })), 'resourceSpans[0].scopeSpans[0].spans[1].status.code: expected a StatusCode (0-2 or STATUS_CODE_*)'],
    ['a negative start time', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano = '-5')), 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected unsigned 64-bit integer'],
    ['a fractional end time', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano = 1.5)), 'resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: expected unsigned 64-bit integer'],
    ['attributes that are a map', () => withChange((r) => (r.resourceSpans[0].scopeSpans[0].spans[0].attributes = { 'http.route': '/ok' })), 'resourceSpans[0].scopeSpans[0].spans[0].attributes: expected an array'],
    ['an exception event attribute without a key', () => withChange((r) => ((r.resourceSpans[0].scopeSpans[1].spans[2].events as Array<{ attributes: unknown[] }>)[0].attributes[1] = { value: { stringValue: 'x' } })), 'resourceSpans[0].scopeSpans[1].spans[2].events[0].attributes[1].key: expected string'],
  ])('rejects only the span, naming it and the field, for %s', (_case, body, message) => {
    const { spans, rejectedSpans } = decodeOtlpTraces(body(), JSON_TYPE);
    expect(rejectedSpans).toEqual([message]);
    // The 18 other spans of the capture are decoded as usual.
    expect(spans).toHaveLength(18);
  });
});

describe('decodeOtlpTraces partial success', () => {
  const request = (spans: unknown[]) => Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
  const goodSpan = (spanId: string) => ({ traceId: '5b8efff798038103d269b633813fc60c', spanId, name: 'GET /', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '3' });
  const badSpanId = { ...goodSpan('eee19b7ec3c1b174'), spanId: 'eee19b7e' };

  it('decodes the good spans around a bad one and names the bad one', () => {
    const { spans, rejectedSpans } = decodeOtlpTraces(request([goodSpan('eee19b7ec3c1b171'), badSpanId, goodSpan('eee19b7ec3c1b173')]), JSON_TYPE);

    expect(spans.map((span) => span.spanId)).toEqual([BigInt('0xeee19b7ec3c1b171').toString(), BigInt('0xeee19b7ec3c1b173').toString()]);
    expect(rejectedSpans).toEqual(['resourceSpans[0].scopeSpans[0].spans[1].spanId: expected 16 hex characters']);
    expect(otlpPartialSuccessOf(rejectedSpans)).toEqual({
      rejectedSpans: 1,
      errorMessage: '1 span rejected: resourceSpans[0].scopeSpans[0].spans[1].spanId: expected 16 hex characters',
    });
  });

  it('names the first three rejected spans and counts the rest', () => {
    const { rejectedSpans } = decodeOtlpTraces(request([goodSpan('eee19b7ec3c1b171'), badSpanId, { ...badSpanId, kind: 9 }, 'span', { ...badSpanId, name: 7 }, badSpanId]), JSON_TYPE);

    expect(otlpPartialSuccessOf(rejectedSpans)).toEqual({
      rejectedSpans: 5,
      errorMessage:
        '5 spans rejected: resourceSpans[0].scopeSpans[0].spans[1].spanId: expected 16 hex characters; ' +
        'resourceSpans[0].scopeSpans[0].spans[2].spanId: expected 16 hex characters; resourceSpans[0].scopeSpans[0].spans[3]: expected an object; and 2 more',
    });
  });

  it('sets no partial success when no span was rejected', () => {
    expect(otlpPartialSuccessOf(decodeOtlpTraces(sdkJsonPayload, JSON_TYPE).rejectedSpans)).toBeUndefined();
  });

  it('answers 400 for the whole request when every span of it is rejected', () => {
    const one = decodingError(() => decodeOtlpTraces(request([badSpanId]), JSON_TYPE));
    expect([one.status, one.message]).toEqual([400, 'resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 16 hex characters']);

    const two = decodingError(() => decodeOtlpTraces(request([badSpanId, { ...goodSpan('eee19b7ec3c1b171'), traceId: '0'.repeat(32) }]), JSON_TYPE));
    expect([two.status, two.message]).toEqual([
      400,
      '2 spans rejected: resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 16 hex characters; resourceSpans[0].scopeSpans[0].spans[1].traceId: must not be all zeros',
    ]);
  });
});

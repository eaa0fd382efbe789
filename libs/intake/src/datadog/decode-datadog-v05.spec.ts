import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { selectErrorSpans } from '@faultline/domain';
import { IntakeError } from '../intake-error';
import { datadogTraceToSpans } from './datadog-span.mapper';
import { decodeDatadogV05 } from './decode-datadog-v05';

const fixtures = join(__dirname, '..', '__fixtures__');
/** dd-trace 5.132 (Node), `DD_TRACE_AGENT_PROTOCOL_VERSION=0.5`, `PUT /v0.5/traces`: 5 traces, 3 of them failing requests. */
const ddTracePayload = readFileSync(join(fixtures, 'dd-trace-v05.payload.msgpack'));
/**
 * The same payload decoded independently: `[strings, traces]` with the spans still as 12-element
 * arrays of string indexes, u64 values as decimal strings.
 */
type CapturedSpan = [number, number, number, string, string, string, string, number, number, Record<string, number>, Record<string, number>, number];
const [capturedStrings, capturedTraces] = JSON.parse(readFileSync(join(fixtures, 'dd-trace-v05.stringtable.json'), 'utf8')) as [string[], CapturedSpan[][]];

const MSGPACK = 'application/msgpack';

/** A captured span resolved through the string table by hand, in the v0.4 field names. */
function resolved([service, name, resource, traceId, spanId, parentId, start, duration, error, meta, metrics, type]: CapturedSpan): Record<string, unknown> {
  const text = (index: number) => capturedStrings[index];
  return {
    service: text(service),
    name: text(name),
    resource: text(resource),
    trace_id: traceId,
    span_id: spanId,
    parent_id: parentId,
    start,
    duration,
    error,
    meta: Object.fromEntries(Object.entries(meta).map(([key, value]) => [text(Number(key)), text(value)])),
    metrics: Object.fromEntries(Object.entries(metrics).map(([key, value]) => [text(Number(key)), value])),
    type: text(type),
  };
}

/**
 * msgpack as tracers write v0.5: like `encode`, but a Map is written with its keys as they are
 * (integers), which @msgpack/msgpack's encoder cannot do. Small arrays and maps only (fix headers).
 */
function encodeWithIntegerKeys(value: unknown): Uint8Array {
  if (Array.isArray(value) && value.length < 16) {
    return Buffer.concat([Buffer.of(0x90 + value.length), ...value.map(encodeWithIntegerKeys)]);
  }
  if (value instanceof Map && value.size < 16) {
    const entries = [...value].flatMap(([key, entry]) => [encodeWithIntegerKeys(key), encodeWithIntegerKeys(entry)]);
    return Buffer.concat([Buffer.of(0x80 + value.size), ...entries]);
  }
  return encode(value, { useBigInt64: true });
}

function decodingError(run: () => unknown): IntakeError {
  try {
    run();
  } catch (error) {
    if (error instanceof IntakeError) return error;
    throw error;
  }
  throw new Error('expected an IntakeError');
}

describe('decodeDatadogV05 with the captured dd-trace payload', () => {
  const traces = decodeDatadogV05(ddTracePayload, MSGPACK);

  it('decodes exactly the spans the independently decoded string table describes', () => {
    expect(traces.map((trace) => trace.length)).toEqual([1, 3, 4, 4, 4]);
    const wire = traces.map((trace) =>
      trace.map((span) => ({
        ...span,
        trace_id: span.trace_id.toString(),
        span_id: span.span_id.toString(),
        parent_id: span.parent_id.toString(),
        start: span.start.toString(),
        duration: Number(span.duration),
      })),
    );
    expect(wire).toEqual(capturedTraces.map((trace) => trace.map(resolved)));
  });

  it('keeps u64 ids exact above 2^53', () => {
    const ids = traces.flat().flatMap((span) => [span.trace_id, span.span_id]);
    expect(ids.some((id) => id > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(traces[2][0].trace_id).toBe(7707986935426200622n);
  });

  it('resolves index 0 to the empty string, as in the type of child spans', () => {
    expect(capturedStrings[0]).toBe('');
    expect(traces[1][1].type).toBe('');
    expect(traces[1][0].type).toBe('web');
  });

  it('selects exactly the 3 entry spans of the failing requests as error spans', () => {
    const selections = traces.map((trace) => selectErrorSpans(datadogTraceToSpans(trace)));
    const kept = selections.flatMap((selection) => selection.kept);

    expect(kept.map((span) => [span.traceId, span.spanId, span.parentId, span.resource, span.meta['error.type']])).toEqual([
      ['7707986935426200622', '7707986935426200622', '0', 'GET /type-error', 'TypeError'],
      ['322416055529270025', '322416055529270025', '0', 'GET /payment/:orderId', 'PaymentDeclinedError'],
      ['326021911948751739', '326021911948751739', '0', 'GET /async-reject', 'Error'],
    ]);
    // dd-trace 5 makes 128-bit trace ids: the upper 64 bits arrive in _dd.p.tid.
    expect(kept.map((span) => span.traceIdHex)).toEqual(['6b063f33000000006af84547736e342e', '6b063f3300000000047973b1bbb46b09', '6b063f3300000000048643339ab2f37b']);
    expect(kept[1].meta['error.message']).toBe('Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit');
    // dd-trace copies the error onto two router.middleware children per failing request.
    expect(selections.reduce((sum, selection) => sum + (selection.dropped.not_service_entry ?? 0), 0)).toBe(6);
  });
});

describe('decodeDatadogV05 with a distributed request captured from dd-trace', () => {
  /**
   * fixtures/dd-express-app.js (apps/pipeline-e2e) with dd-trace 5.132 over v0.5, GET /invoice/1 carrying
   * `x-datadog-trace-id: 1234567890123`, `x-datadog-parent-id: 987654321`, `x-datadog-sampling-priority: 1`.
   */
  const traces = decodeDatadogV05(readFileSync(join(fixtures, 'dd-trace-v05-distributed.payload.msgpack')), MSGPACK);

  it('keeps the entry span whose parent is in the caller, though dd-trace marks it with no _dd.top_level', () => {
    const request = traces.find((trace) => trace.some((span) => span.name === 'express.request'));
    if (!request) throw new Error('no express.request trace in the capture');
    const entry = request.find((span) => span.name === 'express.request');
    expect(entry).toMatchObject({ trace_id: 1234567890123n, parent_id: 987654321n, error: 1 });
    expect(entry?.metrics['_dd.top_level']).toBeUndefined();

    const { kept } = selectErrorSpans(datadogTraceToSpans(request));
    expect(kept.map((span) => [span.traceId, span.parentId, span.meta['error.type']])).toEqual([['1234567890123', '987654321', 'TypeError']]);
    // x-datadog-trace-id carries 64 bits only and no _dd.p.tid came with it: the upper half is zeros.
    expect(kept[0].traceIdHex).toBe('00000000000000000000011f71fb04cb');
  });
});

describe('decodeDatadogV05 rejects malformed bodies', () => {
  const strings = ['', 'shop', 'express.request', 'GET /', 'error.type', 'TypeError', '_dd.top_level', 'web'];
  /** A map with integer keys, as tracers write v0.5 meta and metrics (a plain object would encode string keys). */
  const indexed = (entries: Array<[number, unknown]>) => new Map(entries);
  const validSpan = () => [1, 2, 3, 42n, 7n, 0n, 1795571507649001984n, 1000, 1, indexed([[4, 5]]), indexed([[6, 1]]), 7];
  const msgpack = (value: unknown) => Buffer.from(encodeWithIntegerKeys(value));
  const withField = (position: number, value: unknown) => {
    const span: unknown[] = validSpan();
    span[position] = value;
    return msgpack([strings, [[validSpan(), span]]]);
  };

  it('accepts the valid span used below', () => {
    const [[span]] = decodeDatadogV05(msgpack([strings, [[validSpan()]]]), MSGPACK);
    expect(span).toEqual({
      service: 'shop',
      name: 'express.request',
      resource: 'GET /',
      trace_id: 42n,
      span_id: 7n,
      parent_id: 0n,
      start: 1795571507649001984n,
      duration: 1000n,
      error: 1,
      meta: { 'error.type': 'TypeError' },
      metrics: { '_dd.top_level': 1 },
      type: 'web',
    });
  });

  it('answers 400 for a truncated body', () => {
    const error = decodingError(() => decodeDatadogV05(ddTracePayload.subarray(0, ddTracePayload.length - 100), MSGPACK));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^body: invalid msgpack/);
  });

  it('answers 415 for anything but msgpack, JSON included', () => {
    const error = decodingError(() => decodeDatadogV05(Buffer.from('[[""],[]]'), 'application/json'));
    expect(error.status).toBe(415);
    expect(error.message).toContain('application/json');
  });

  it.each([
    ['a top level that is not an array', msgpack({ strings, traces: [] }), 'body: expected an array of 2 elements [string table, traces]'],
    ['a top level of 3 elements', msgpack([strings, [], []]), 'body: expected an array of 2 elements [string table, traces]'],
    ['a string table that is not an array', msgpack(['', [[validSpan()]]]), 'strings: expected an array of strings'],
    ['a string table with a number', msgpack([['', 'shop', 3], []]), 'strings[2]: expected string'],
    ['traces that are not an array', msgpack([strings, { 0: [] }]), 'traces: expected an array of traces'],
    ['a trace that is not an array', msgpack([strings, [[validSpan()], 'spans']]), 'traces[1]: expected an array of spans'],
    ['a span that is a map', msgpack([strings, [[{ service: 1 }]]]), 'traces[0][0]: expected an array of 12 span fields'],
    ['a span of 11 fields', msgpack([strings, [[validSpan().slice(0, 11)]]]), 'traces[0][0]: expected an array of 12 span fields, got 11'],
    ['a span of 13 fields', msgpack([strings, [[validSpan(), [...validSpan(), 0]]]]), 'traces[0][1]: expected an array of 12 span fields, got 13'],
    ['a service index out of range', withField(0, 812), 'traces[0][1][0]: service index 812 out of range (string table has 8 entries)'],
    ['a type index out of range', withField(11, 8), 'traces[0][1][11]: type index 8 out of range (string table has 8 entries)'],
    ['a name given as a string', withField(1, 'express.request'), 'traces[0][1][1]: name: expected uint32 string index'],
    ['a negative resource index', withField(2, -1), 'traces[0][1][2]: resource: expected uint32 string index'],
    ['a trace id given as a string', withField(3, '42'), 'traces[0][1][3]: trace_id: expected unsigned 64-bit integer'],
    ['a negative span id', withField(4, -7n), 'traces[0][1][4]: span_id: expected unsigned 64-bit integer'],
    ['a fractional parent id', withField(5, 1.5), 'traces[0][1][5]: parent_id: expected unsigned 64-bit integer'],
    ['a nil start', withField(6, null), 'traces[0][1][6]: start: expected non-negative 64-bit integer'],
    ['a boolean error flag', withField(8, true), 'traces[0][1][8]: error: expected integer 0 or 1'],
    ['meta that is a list', withField(9, [4, 5]), 'traces[0][1][9]: meta: expected a map of string index to string index'],
    ['a meta key index out of range', withField(9, indexed([[812, 5]])), 'traces[0][1][9]: meta key index 812 out of range (string table has 8 entries)'],
    ['a meta key that is a string', withField(9, { 'error.type': 5 }), 'traces[0][1][9]: meta key "error.type": expected uint32 string index'],
    ['a meta value index out of range', withField(9, indexed([[4, 99]])), 'traces[0][1][9]: meta value (key "error.type") index 99 out of range (string table has 8 entries)'],
    ['a meta value that is a string', withField(9, indexed([[4, 'TypeError']])), 'traces[0][1][9]: meta["error.type"]: expected uint32 string index'],
    ['a meta key that is a string of digits', withField(9, { '4': 5 }), 'traces[0][1][9]: meta key "4": expected uint32 string index'],
    ['a fractional meta key', msgpack([strings, [[[1, 2, 3, 42n, 7n, 0n, 1n, 1, 1, indexed([[1.5, 5]]), {}, 7]]]]), 'traces[0][0][9]: meta key 1.5: expected uint32 string index'],
    ['a metrics key index out of range', withField(10, indexed([[8, 1]])), 'traces[0][1][10]: metrics key index 8 out of range (string table has 8 entries)'],
    ['a metric value that is a string', withField(10, indexed([[6, '1']])), 'traces[0][1][10]: metrics["_dd.top_level"]: expected number'],
  ])('answers 400 naming the span and field for %s', (_case, body, message) => {
    const error = decodingError(() => decodeDatadogV05(body, MSGPACK));
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });

  it('reads ids of the full u64 range and metric floats', () => {
    const span = validSpan();
    span[3] = 18446744073709551615n;
    span[10] = indexed([[6, 0.25]]);
    const [[decoded]] = decodeDatadogV05(msgpack([strings, [[span]]]), 'application/x-msgpack');
    expect(decoded.trace_id).toBe(18446744073709551615n);
    expect(decoded.metrics).toEqual({ '_dd.top_level': 0.25 });
  });

  it('names a span without resource (index 0) after its operation, as v0.4 does', () => {
    const span = validSpan();
    span[2] = 0;
    expect(decodeDatadogV05(msgpack([strings, [[span]]]), MSGPACK)[0][0].resource).toBe('express.request');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { IntakeError } from '../intake-error';
import { decodeDatadogV04 } from './decode-datadog-v04';
import type { DatadogSpan } from './datadog-span';

const fixtures = join(__dirname, '..', '__fixtures__');
/** dd-trace 5.132 (Node), `PUT /v0.4/traces`: 5 traces, 3 of them failing requests. */
const ddTracePayload = readFileSync(join(fixtures, 'dd-trace-v04.payload.msgpack'));
/** The trace 3983546689382542143 of that payload, decoded independently, u64 values as decimal strings. */
const ddTraceDecodedJson = readFileSync(join(fixtures, 'dd-trace-v04.json'), 'utf8');
const expectedTrace = JSON.parse(ddTraceDecodedJson) as Array<Array<Record<string, unknown>>>;

const MSGPACK = 'application/msgpack';
const JSON_TYPE = 'application/json';

function decodingError(run: () => unknown): IntakeError {
  try {
    run();
  } catch (error) {
    if (error instanceof IntakeError) return error;
    throw error;
  }
  throw new Error('expected an IntakeError');
}

function asWire(span: DatadogSpan): Record<string, unknown> {
  return {
    ...span,
    trace_id: span.trace_id.toString(),
    span_id: span.span_id.toString(),
    parent_id: span.parent_id.toString(),
    start: span.start.toString(),
    duration: Number(span.duration),
  };
}

describe('decodeDatadogV04 with the captured dd-trace msgpack payload', () => {
  const traces = decodeDatadogV04(ddTracePayload, MSGPACK);

  it('decodes every trace and span', () => {
    expect(traces.map((trace) => trace.length)).toEqual([1, 3, 4, 4, 4]);
  });

  /** The msgpack trace that the JSON file holds, found by its trace id. */
  function capturedTrace(): DatadogSpan[] {
    const traceId = BigInt(expectedTrace[0][0]['trace_id'] as string);
    const trace = traces.find((candidate) => candidate[0].trace_id === traceId);
    if (!trace) throw new Error(`trace ${traceId} not in the msgpack payload`);
    return trace;
  }

  it('decodes u64 ids and start as exact bigints equal to the independently decoded JSON', () => {
    const trace = capturedTrace();
    const traceId = trace[0].trace_id;
    const [expectedSpans] = expectedTrace;
    expect(trace.map((span) => span.trace_id.toString())).toEqual(expectedSpans.map((span) => span['trace_id']));
    expect(trace.map((span) => span.span_id.toString())).toEqual(expectedSpans.map((span) => span['span_id']));
    expect(trace.map((span) => span.parent_id.toString())).toEqual(expectedSpans.map((span) => span['parent_id']));
    expect(trace.map((span) => span.start.toString())).toEqual(expectedSpans.map((span) => span['start']));
    // Well above 2^53: a JS number would have rounded them.
    expect(traceId > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('matches the decoded JSON field for field', () => {
    const wire = capturedTrace().map(asWire);
    expectedTrace[0].forEach((expectedSpan, index) => {
      expect(wire[index]).toEqual({ type: '', ...expectedSpan });
    });
  });

  it('keeps the entry span marker and the error tags dd-trace copies onto child spans', () => {
    const failing = traces.filter((trace) => trace[0].error === 1);
    expect(failing).toHaveLength(3);
    for (const trace of failing) {
      expect(trace[0].metrics['_dd.top_level']).toBe(1);
      expect(trace.filter((span) => span.meta['error.stack'])).toHaveLength(3);
    }
  });
});

describe('decodeDatadogV04 with JSON bodies', () => {
  it('keeps ids above 2^53 exact', () => {
    // The decoded fixture with its u64 strings turned back into JSON numbers, as a JSON tracer sends them.
    const body = ddTraceDecodedJson.replace(/"(trace_id|span_id|parent_id|start)": "(\d+)"/g, '"$1": $2');
    expect(body).toContain('"trace_id": 3983546689382542143');

    const [trace] = decodeDatadogV04(Buffer.from(body), 'application/json; charset=utf-8');

    expect(trace.map((span) => span.span_id.toString())).toEqual(expectedTrace[0].map((span) => span['span_id']));
    expect(trace[0].trace_id).toBe(3983546689382542143n);
    expect(trace[0].start).toBe(1795571501272004352n);
  });

  it('accepts the largest u64 and float metrics', () => {
    const body = '[[{"trace_id":18446744073709551615,"span_id":1,"service":"s","name":"n","resource":"r","start":1,"duration":2,"metrics":{"cpu":0.25,"count":3}}]]';
    const [[span]] = decodeDatadogV04(Buffer.from(body), JSON_TYPE);
    expect(span.trace_id).toBe(18446744073709551615n);
    expect(span.parent_id).toBe(0n);
    expect(span.error).toBe(0);
    expect(span.meta).toEqual({});
    expect(span.metrics).toEqual({ cpu: 0.25, count: 3 });
  });

  it('names a span without resource after its operation, as the agent does', () => {
    const body = '[[{"trace_id":1,"span_id":1,"service":"s","name":"express.request","start":1,"duration":2}]]';
    expect(decodeDatadogV04(Buffer.from(body), JSON_TYPE)[0][0].resource).toBe('express.request');
  });
});

describe('decodeDatadogV04 rejects malformed bodies', () => {
  const validSpan = { trace_id: 1, span_id: 2, parent_id: 0, service: 's', name: 'n', resource: 'r', start: 10, duration: 5, error: 0, meta: {}, metrics: {} };
  const jsonBody = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('answers 415 for a content type it does not speak', () => {
    const error = decodingError(() => decodeDatadogV04(Buffer.from('[]'), 'text/plain'));
    expect(error.status).toBe(415);
    expect(error.message).toContain('text/plain');
    expect(decodingError(() => decodeDatadogV04(Buffer.from('[]'), undefined)).status).toBe(415);
  });

  it('answers 400 for truncated msgpack', () => {
    const error = decodingError(() => decodeDatadogV04(ddTracePayload.subarray(0, ddTracePayload.length - 100), MSGPACK));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^body: invalid msgpack/);
  });

  it('answers 400 for invalid JSON', () => {
    const error = decodingError(() => decodeDatadogV04(Buffer.from('[[{"trace_id": 1,'), JSON_TYPE));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^body: invalid JSON/);
  });

  it.each([
    ['a body that is not an array', { traces: [] }, 'traces: expected an array of traces'],
    ['a trace that is not an array', [validSpan], 'traces[0]: expected an array of spans'],
    ['a span that is not a map', [[validSpan, 'span']], 'traces[0][1]: expected a map of span fields'],
    ['a string trace id', [[validSpan, { ...validSpan, trace_id: '12' }]], 'traces[0][1].trace_id: expected unsigned 64-bit integer'],
    ['a negative span id', [[{ ...validSpan, span_id: -1 }]], 'traces[0][0].span_id: expected unsigned 64-bit integer'],
    ['a fractional parent id', [[{ ...validSpan, parent_id: 1.5 }]], 'traces[0][0].parent_id: expected unsigned 64-bit integer'],
    ['a missing trace id', [[{ ...validSpan, trace_id: undefined }]], 'traces[0][0].trace_id: expected unsigned 64-bit integer'],
    ['a missing service', [[], [{ ...validSpan, service: undefined }]], 'traces[1][0].service: expected string'],
    ['a numeric name', [[{ ...validSpan, name: 3 }]], 'traces[0][0].name: expected string'],
    ['a negative start', [[{ ...validSpan, start: -5 }]], 'traces[0][0].start: expected non-negative 64-bit integer'],
    ['a string duration', [[{ ...validSpan, duration: '5' }]], 'traces[0][0].duration: expected non-negative 64-bit integer'],
    ['a boolean error flag', [[{ ...validSpan, error: true }]], 'traces[0][0].error: expected integer 0 or 1'],
    ['meta that is a list', [[{ ...validSpan, meta: ['a'] }]], 'traces[0][0].meta: expected a map of string to string'],
    ['a numeric meta value', [[{ ...validSpan, meta: { 'http.status_code': 500 } }]], 'traces[0][0].meta["http.status_code"]: expected string'],
    ['a string metric value', [[{ ...validSpan, metrics: { 'x': '1' } }]], 'traces[0][0].metrics["x"]: expected number'],
  ])('answers 400 naming the field for %s', (_case, payload, message) => {
    const error = decodingError(() => decodeDatadogV04(jsonBody(payload), JSON_TYPE));
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });

  it('rejects ids above 2^64 - 1 in JSON and msgpack', () => {
    const tooLarge = '[[{"trace_id":18446744073709551616,"span_id":1,"service":"s","name":"n","resource":"r","start":1,"duration":1}]]';
    expect(decodingError(() => decodeDatadogV04(Buffer.from(tooLarge), JSON_TYPE)).message).toBe(
      'traces[0][0].trace_id: expected unsigned 64-bit integer',
    );
    // msgpack int64 -1: how a signed encoder would write the top bit; the v0.4 API says unsigned.
    const signed = Buffer.from(encode([[{ ...validSpan, span_id: -1n }]], { useBigInt64: true }));
    expect(decodingError(() => decodeDatadogV04(signed, MSGPACK)).message).toBe('traces[0][0].span_id: expected unsigned 64-bit integer');
  });

  it('accepts msgpack ids sent as small positive integers and as uint64', () => {
    const body = Buffer.from(encode([[{ ...validSpan, trace_id: 7, span_id: 18446744073709551615n }]], { useBigInt64: true }));
    const [[span]] = decodeDatadogV04(body, MSGPACK);
    expect(span.trace_id).toBe(7n);
    expect(span.span_id).toBe(18446744073709551615n);
    expect(span.duration).toBe(5n);
  });
});

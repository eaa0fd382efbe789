import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { decodeDatadogV04 } from './datadog/decode-datadog-v04';
import { decodeDatadogV05 } from './datadog/decode-datadog-v05';
import { IntakeError } from './intake-error';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits, TRUNCATED_TAG } from './intake-limits';
import { decodeOtlpTraces } from './otlp/decode-otlp-traces';
import { otlpTraceTypes } from './otlp/otlp-proto';

const fixtures = join(__dirname, '__fixtures__');
const v04Msgpack = readFileSync(join(fixtures, 'dd-trace-v04.payload.msgpack'));
const v05Msgpack = readFileSync(join(fixtures, 'dd-trace-v05.payload.msgpack'));
const otlpProto = readFileSync(join(fixtures, 'otlp', 'sdk-node-express.otlp-proto.bin'));
const otlpJson = readFileSync(join(fixtures, 'otlp', 'sdk-node-express.otlp-http-json.json'));
const v04Json = Buffer.from(readFileSync(join(fixtures, 'dd-trace-v04.json'), 'utf8').replace(/"(trace_id|span_id|parent_id|start)": "(\d+)"/g, '"$1": $2'));

const MSGPACK = 'application/msgpack';
const JSON_TYPE = 'application/json';
const PROTOBUF = 'application/x-protobuf';

/** Every decoder entry point, with a valid captured payload of its format. */
const ENTRY_POINTS: Array<{ name: string; decode: (body: Buffer) => unknown; valid: Buffer }> = [
  { name: 'Datadog v0.4 msgpack', decode: (body) => decodeDatadogV04(body, MSGPACK), valid: v04Msgpack },
  { name: 'Datadog v0.4 JSON', decode: (body) => decodeDatadogV04(body, JSON_TYPE), valid: v04Json },
  { name: 'Datadog v0.5 msgpack', decode: (body) => decodeDatadogV05(body, MSGPACK), valid: v05Msgpack },
  { name: 'OTLP protobuf', decode: (body) => decodeOtlpTraces(body, PROTOBUF), valid: otlpProto },
  { name: 'OTLP JSON', decode: (body) => decodeOtlpTraces(body, JSON_TYPE), valid: otlpJson },
];

/** The decoders' contract: a result, or IntakeError with a 4xx and a message; nothing else escapes. */
function decodesOrRejects(decode: (body: Buffer) => unknown, body: Buffer): void {
  try {
    decode(body);
  } catch (error) {
    if (!(error instanceof IntakeError)) throw error;
    expect([400, 413, 415]).toContain(error.status);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

function intakeError(run: () => unknown): IntakeError {
  try {
    run();
  } catch (error) {
    if (error instanceof IntakeError) return error;
    throw error;
  }
  throw new Error('expected an IntakeError');
}

/** A valid body with bytes cut, flipped, spliced in or repeated: what a broken proxy or a fuzzer sends. */
function mutated(valid: Buffer): fc.Arbitrary<Buffer> {
  const position = fc.nat({ max: valid.length });
  return fc.oneof(
    position.map((end) => valid.subarray(0, end)),
    fc.tuple(position, fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
      const copy = Buffer.from(valid);
      if (at < copy.length) copy[at] ^= mask;
      return copy;
    }),
    fc.tuple(position, fc.uint8Array({ maxLength: 16 })).map(([at, bytes]) => Buffer.concat([valid.subarray(0, at), bytes, valid.subarray(at)])),
    fc.tuple(position, position, position).map(([at, from, to]) =>
      Buffer.concat([valid.subarray(0, at), valid.subarray(Math.min(from, to), Math.max(from, to)), valid.subarray(at)]),
    ),
    fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const copy = Buffer.from(valid);
      for (const [at, byte] of edits) if (at < copy.length) copy[at] = byte;
      return copy;
    }),
  );
}

/** JSON-ish values of any shape, with the integers and strings that decoders trip on. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, Number.MAX_VALUE, '', '0', 'ffffffffffffffff', '__proto__', 'SPAN_KIND_SERVER', '\ud800'),
    fc.string(),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('trace_id', 'span_id', 'service', 'name', 'meta', 'metrics', 'error', 'resourceSpans', 'scopeSpans', 'spans', 'traceId', 'spanId', 'attributes', 'events', 'value', 'stringValue', 'arrayValue', 'values', 'key', '__proto__'), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** JSON text of a value, bigints as JSON integers. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `@@${item}@@` : item)).replace(/"@@(-?\d+)@@"/g, '$1');
}

describe.each(ENTRY_POINTS)('$name decoder, fuzzed', ({ decode, valid }) => {
  it('decodes its captured payload (the base of the mutations)', () => {
    expect(() => decode(valid)).not.toThrow();
  });

  it('returns or throws IntakeError for arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRejects(decode, Buffer.from(bytes))), { numRuns: 300 });
  });

  it('returns or throws IntakeError for mutated valid payloads (truncated, flipped, spliced)', () => {
    fc.assert(fc.property(mutated(valid), (body) => decodesOrRejects(decode, body)), { numRuns: 300 });
  });
});

describe('decoders fuzzed with structured values of the wrong types', () => {
  it('Datadog v0.4 (JSON and msgpack) and OTLP JSON reject arbitrary values with IntakeError', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        decodesOrRejects((body) => decodeDatadogV04(body, JSON_TYPE), Buffer.from(toJson(value)));
        decodesOrRejects((body) => decodeOtlpTraces(body, JSON_TYPE), Buffer.from(toJson(value)));
        decodesOrRejects((body) => decodeDatadogV04(body, MSGPACK), Buffer.from(encode(value, { useBigInt64: true })));
        decodesOrRejects((body) => decodeDatadogV05(body, MSGPACK), Buffer.from(encode([['', 'a'], value], { useBigInt64: true })));
      }),
      { numRuns: 400 },
    );
  });

  it('Datadog v0.4 rejects any wrong type in any span field, naming the field', () => {
    const span = { trace_id: 1, span_id: 2, parent_id: 0, service: 's', name: 'n', resource: 'r', start: 10, duration: 5, error: 1, meta: {}, metrics: {}, type: 'web' };
    const wrongType = fc.constantFrom<unknown>('x', -1, 1.5, 2n ** 64n, [], { a: 1 }, true);
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(span)), wrongType, (field, value) => {
        const body = Buffer.from(toJson([[{ ...span, [field]: value }]]));
        try {
          decodeDatadogV04(body, JSON_TYPE);
        } catch (error) {
          if (!(error instanceof IntakeError)) throw error;
          expect(error.status).toBe(400);
          expect(error.message).toContain(`traces[0][0].${field}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('OTLP protobuf rejects arbitrary encoded messages with IntakeError or decodes them', () => {
    const { request } = otlpTraceTypes();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 40 }), (bytes, cut) => {
        const message = request.encode(request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: bytes, spanId: bytes.subarray(0, 8), name: 'n' }] }] }] })).finish();
        decodesOrRejects((body) => decodeOtlpTraces(body, PROTOBUF), Buffer.from(message));
        decodesOrRejects((body) => decodeOtlpTraces(body, PROTOBUF), Buffer.from(message.subarray(0, Math.max(0, message.length - cut))));
      }),
      { numRuns: 200 },
    );
  });
});

describe('length bombs: a declared length far larger than the body', () => {
  /** Heap and array buffers grow by far less than the declared size: nothing of it was allocated. */
  function expectRefusedCheaply(run: () => unknown, messagePattern: RegExp): void {
    const before = process.memoryUsage();
    const error = intakeError(run);
    const after = process.memoryUsage();
    // 413 when the declared count of traces is over the span limit: refused from the header alone.
    expect([400, 413]).toContain(error.status);
    expect(error.message).toMatch(messagePattern);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * 1024 * 1024);
  }

  it.each([
    ['str32 of 4 GB', [0xdb, 0xff, 0xff, 0xff, 0xf0, 0x61]],
    ['bin32 of 4 GB', [0xc6, 0xff, 0xff, 0xff, 0xf0, 0x61]],
    ['array32 of 4 billion elements', [0xdd, 0xff, 0xff, 0xff, 0xfe, 0x91, 0x90]],
    ['map32 of 4 billion entries', [0xdf, 0xff, 0xff, 0xff, 0xfe, 0xa1, 0x61, 0x01]],
    ['a trace declaring 4 billion spans', [0x91, 0xdd, 0xff, 0xff, 0xff, 0xfe, 0x80]],
  ])('msgpack %s in a few bytes is a 400 before allocating it', (_case, bytes) => {
    expectRefusedCheaply(() => decodeDatadogV04(Buffer.from(bytes), MSGPACK), /^body: invalid msgpack/);
    expectRefusedCheaply(() => decodeDatadogV05(Buffer.from([0x92, 0x91, 0xa0, ...bytes]), MSGPACK), /^body: (invalid msgpack|\d+ traces, more than the 50000 spans a request may carry)/);
  });

  it('a v0.5 string table declaring 4 billion strings is a 400 before allocating it', () => {
    expectRefusedCheaply(() => decodeDatadogV05(Buffer.from([0x92, 0xdd, 0xff, 0xff, 0xff, 0xff, 0xa0]), MSGPACK), /^body: invalid msgpack/);
  });

  it('a protobuf field declaring 2 GB is a 400 before allocating it', () => {
    // resourceSpans (field 1, LEN) of 0x7fffffff bytes, then 3 bytes.
    const body = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x12, 0x00, 0x00]);
    expectRefusedCheaply(() => decodeOtlpTraces(body, PROTOBUF), /^body: invalid protobuf ExportTraceServiceRequest: index out of range/);
    // A span name (string) declaring 2 GB inside a well-formed prefix.
    const nameBomb = Buffer.from([0x0a, 0x0c, 0x12, 0x0a, 0x12, 0x08, 0x2a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x41, 0x41]);
    expectRefusedCheaply(() => decodeOtlpTraces(nameBomb, PROTOBUF), /^body: invalid protobuf/);
  });
});

describe('nesting bombs', () => {
  it('5 MB of one-element msgpack arrays is a 400 naming the depth, without ~900 MB of decoder state', () => {
    const before = process.memoryUsage().heapUsed;
    const error = intakeError(() => decodeDatadogV04(Buffer.alloc(5_000_000, 0x91), MSGPACK));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`body: msgpack nested deeper than ${DEFAULT_INTAKE_LIMITS.maxNestingDepth} levels (at byte ${DEFAULT_INTAKE_LIMITS.maxNestingDepth})`);
    expect(intakeError(() => decodeDatadogV05(Buffer.alloc(100_000, 0x91), MSGPACK)).message).toMatch(/^body: msgpack nested deeper than 64 levels/);
  });

  it('deeply nested JSON is a 400 naming the depth, for Datadog and OTLP, instead of a stack overflow', () => {
    const deep = Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(intakeError(() => decodeDatadogV04(deep, JSON_TYPE)).message).toBe('body: JSON nested deeper than 64 levels (at byte 64)');
    const deepObject = Buffer.from(`{"resourceSpans":${'{"a":'.repeat(100)}1${'}'.repeat(101)}`);
    expect(intakeError(() => decodeOtlpTraces(deepObject, JSON_TYPE))).toMatchObject({ status: 400, message: expect.stringMatching(/^body: JSON nested deeper than 64 levels \(at byte \d+\)$/) });
    // Brackets inside strings do not count.
    const inString = Buffer.from(`[[{"trace_id":1,"span_id":1,"service":"s","name":"${'['.repeat(1000)}","start":1,"duration":1}]]`);
    expect(decodeDatadogV04(inString, JSON_TYPE)[0][0].name).toHaveLength(1000);
  });

  it('OTLP JSON attribute values nested deeper than the limit are a 400; within a raised limit they pass', () => {
    let value: unknown = { stringValue: 'leaf' };
    for (let level = 0; level < 70; level++) value = { arrayValue: { values: [value] } };
    const span = (spanId: string, attributes: unknown[]) => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId, name: 'n', attributes });
    const body = { resourceSpans: [{ scopeSpans: [{ spans: [span('b7ad6b7169203331', [{ key: 'deep', value }]), span('b7ad6b7169203332', [])] }] }] };
    // In JSON the body's own depth limit speaks first (3 JSON levels per AnyValue); raised, 70 levels pass.
    expect(intakeError(() => decodeOtlpTraces(Buffer.from(JSON.stringify(body)), JSON_TYPE)).message).toMatch(/^body: JSON nested deeper than 64 levels/);
    const { spans, rejectedSpans } = decodeOtlpTraces(Buffer.from(JSON.stringify(body)), JSON_TYPE, { ...DEFAULT_INTAKE_LIMITS, maxNestingDepth: 300 });
    expect(spans).toHaveLength(2);
    expect(rejectedSpans).toEqual([]);
  });

  it('protobuf attribute values nested 100,000 deep are a 400 from protobufjs\'s recursion limit (100, as protoc), not a stack overflow', () => {
    // AnyValue.array_value (5) -> ArrayValue.values (1) -> AnyValue ..., 100,000 levels deep, in a
    // resource attribute (request.resource_spans(1).resource(1).attributes(1).value(2)).
    const levels = 100_000;
    const anyValueSizes = [0];
    for (let level = 1; level <= levels; level++) {
      const arrayValue = 1 + varint(anyValueSizes[level - 1]).length + anyValueSizes[level - 1];
      anyValueSizes.push(1 + varint(arrayValue).length + arrayValue);
    }
    const parts: Buffer[] = [];
    for (let level = levels; level >= 1; level--) {
      const inner = anyValueSizes[level - 1];
      parts.push(Buffer.from([0x2a]), varint(1 + varint(inner).length + inner), Buffer.from([0x0a]), varint(inner));
    }
    const anyValue = Buffer.concat(parts);
    const keyValue = Buffer.concat([Buffer.from([0x0a, 0x01, 0x6b, 0x12]), varint(anyValue.length), anyValue]);
    const resource = Buffer.concat([Buffer.from([0x0a]), varint(keyValue.length), keyValue]);
    const resourceSpans = Buffer.concat([Buffer.from([0x0a]), varint(resource.length), resource]);
    const body = Buffer.concat([Buffer.from([0x0a]), varint(resourceSpans.length), resourceSpans]);
    expect(intakeError(() => decodeOtlpTraces(body, PROTOBUF))).toMatchObject({ status: 400, message: 'body: invalid protobuf ExportTraceServiceRequest: max depth exceeded' });
  });
});

describe('gzip bombs reach the decoders only through the HTTP layer', () => {
  it('a gzip body given to a decoder as is is refused as not msgpack/protobuf, never inflated', () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20 * 1024);
    decodesOrRejects((body) => decodeDatadogV04(body, MSGPACK), bomb);
    decodesOrRejects((body) => decodeOtlpTraces(body, PROTOBUF), bomb);
  });
});

describe('spans per payload', () => {
  const limits: IntakeLimits = { ...DEFAULT_INTAKE_LIMITS, maxSpansPerPayload: 10_000 };
  const span = (index: number) => ({ trace_id: 7, span_id: index + 1, parent_id: index === 0 ? 0 : 1, service: 'shop', name: 'express.request', resource: 'GET /', start: 1, duration: 1, error: index === 0 ? 1 : 0, meta: index === 0 ? { 'error.type': 'TypeError', 'error.message': 'x', 'error.stack': 'TypeError: x\n    at f (/app/a.js:1:1)' } : {}, metrics: {} });
  const trace = (count: number) => Array.from({ length: count }, (_, index) => span(index));

  it('accepts 10,000 spans in one trace at the limit, in bounded time', () => {
    const body = Buffer.from(encode([trace(10_000)]));
    const started = Date.now();
    const [decoded] = decodeDatadogV04(body, MSGPACK, limits);
    expect(decoded).toHaveLength(10_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses 10,001 with a 413 naming the count and the limit, counted before decoding', () => {
    const error = intakeError(() => decodeDatadogV04(Buffer.from(encode([trace(10_001)])), MSGPACK, limits));
    expect(error).toMatchObject({ status: 413, message: 'body: 10001 spans, more than the 10000 spans a request may carry' });
    expect(intakeError(() => decodeDatadogV04(Buffer.from(JSON.stringify([trace(5_000), trace(5_001)])), JSON_TYPE, limits)).status).toBe(413);
  });

  it('refuses millions of empty traces or spans in a few MB before they become objects', () => {
    const emptyTraces = Buffer.concat([Buffer.from([0xdd, 0x00, 0x40, 0x00, 0x00]), Buffer.alloc(0x400000, 0x90)]);
    expect(intakeError(() => decodeDatadogV04(emptyTraces, MSGPACK))).toMatchObject({ status: 413, message: 'body: 4194304 traces, more than the 50000 spans a request may carry' });
    const emptySpans = Buffer.concat([Buffer.from([0x91, 0xdd, 0x00, 0x40, 0x00, 0x00]), Buffer.alloc(0x400000, 0x80)]);
    expect(intakeError(() => decodeDatadogV04(emptySpans, MSGPACK))).toMatchObject({ status: 413, message: 'body: 4194304 spans, more than the 50000 spans a request may carry' });
    const v05 = Buffer.concat([Buffer.from([0x92, 0x91, 0xa0, 0x91, 0xdd, 0x00, 0x40, 0x00, 0x00]), Buffer.alloc(0x400000, 0x90)]);
    expect(intakeError(() => decodeDatadogV05(v05, MSGPACK))).toMatchObject({ status: 413, message: 'body: 4194304 spans, more than the 50000 spans a request may carry' });
    // OTLP protobuf: 2-byte empty spans (field 2, length 0) inside one scope, counted on the wire.
    const resourceSpans = Buffer.concat([Buffer.from([0x12]), varint(2 * 60_000), Buffer.alloc(2 * 60_000).fill(Buffer.from([0x12, 0x00]))]);
    const request = Buffer.concat([Buffer.from([0x0a]), varint(resourceSpans.length), resourceSpans]);
    expect(intakeError(() => decodeOtlpTraces(request, PROTOBUF))).toMatchObject({ status: 413, message: 'body: 60000 spans, more than the 50000 spans a request may carry' });
  });
});

function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

describe('1 MB error messages and stacks, long fields and too many tags: stored truncated and marked', () => {
  const megabyte = 1024 * 1024;
  const stack = `TypeError: boom\n${'    at handler (/app/src/routes/checkout.js:42:13)\n'.repeat(megabyte / 48)}`;
  const message = 'x'.repeat(megabyte);
  const errorMeta = { 'error.type': 'TypeError', 'error.message': message, 'error.stack': stack };

  it('cuts error.message, error.stack and tag values to their limits, keeping the top of the stack', () => {
    const tags = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`tag.${index}`, 'v']));
    const body = Buffer.from(encode([[{ trace_id: 1, span_id: 1, service: 's'.repeat(10_000), name: 'n', resource: 'r'.repeat(megabyte), start: 1, duration: 1, error: 1, meta: { ...errorMeta, ...tags, 'http.url': 'u'.repeat(megabyte) } }]]));
    const [[span]] = decodeDatadogV04(body, MSGPACK);
    expect(span.meta['error.message']).toHaveLength(DEFAULT_INTAKE_LIMITS.maxErrorMessageChars);
    expect(span.meta['error.message'].endsWith('\u2026')).toBe(true);
    expect(span.meta['error.stack']).toHaveLength(DEFAULT_INTAKE_LIMITS.maxErrorStackChars);
    expect(span.meta['error.stack'].startsWith('TypeError: boom\n    at handler (/app/src/routes/checkout.js:42:13)\n')).toBe(true);
    expect(span.resource).toHaveLength(DEFAULT_INTAKE_LIMITS.maxFieldChars);
    expect(span.service).toHaveLength(DEFAULT_INTAKE_LIMITS.maxFieldChars);
    // 128 tags besides the reserved error fields: the first 128 sent, then the rest dropped.
    const userTags = Object.keys(span.meta).filter((key) => key.startsWith('tag.') || key === 'http.url');
    expect(userTags).toHaveLength(DEFAULT_INTAKE_LIMITS.maxTagsPerSpan);
    expect(span.meta[TRUNCATED_TAG]).toBe('service,resource,error.message,error.stack,tags');
  });

  it('marks nothing on a span within the limits', () => {
    const [[span]] = decodeDatadogV04(v04Msgpack, MSGPACK);
    expect(span.meta[TRUNCATED_TAG]).toBeUndefined();
  });

  it('cuts a v0.5 string table entry per use, once per payload', () => {
    const strings = ['', 'shop', 'express.request', 'error.stack', stack, 'error.message', 'http.url'];
    const span = (spanId: number) => [1, 2, 2, 42, spanId, 0, 1, 1, 1, new Map([[3, 4], [5, 4], [6, 4]]), new Map(), 0];
    // Integer map keys, as tracers write v0.5 meta (encode() would write a Map's keys as given, but a plain object's as strings).
    const meta = Buffer.from([0x83, 0x03, 0x04, 0x05, 0x04, 0x06, 0x04]);
    const spanBytes = (spanId: number) => Buffer.concat([Buffer.from([0x9c]), ...span(spanId).slice(0, 9).map((field) => Buffer.from(encode(field))), meta, Buffer.from([0x80, 0x00])]);
    const body = Buffer.concat([Buffer.from([0x92]), Buffer.from(encode(strings)), Buffer.from([0x91, 0xdc, 0x03, 0xe8]), ...Array.from({ length: 1000 }, (_, index) => spanBytes(index + 1))]);
    const [trace] = decodeDatadogV05(body, MSGPACK);
    expect(trace[0].meta['error.stack']).toHaveLength(DEFAULT_INTAKE_LIMITS.maxErrorStackChars);
    expect(trace[0].meta['error.message']).toHaveLength(DEFAULT_INTAKE_LIMITS.maxErrorMessageChars);
    expect(trace[0].meta['http.url']).toHaveLength(DEFAULT_INTAKE_LIMITS.maxFieldChars);
    // The same cut string for every span, not a copy each.
    expect(trace[999].meta['error.stack']).toBe(trace[0].meta['error.stack']);
    expect(trace[0].meta[TRUNCATED_TAG]).toBe('error.stack,error.message,http.url');
  });

  it('cuts OTLP exception messages and stack traces and marks the span', () => {
    const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const body = { resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /', kind: 2, status: { code: 2 },
      events: [{ name: 'exception', attributes: [attribute('exception.type', 'TypeError'), attribute('exception.message', message), attribute('exception.stacktrace', stack)] }],
    }] }] }] };
    const { spans } = decodeOtlpTraces(Buffer.from(JSON.stringify(body)), JSON_TYPE);
    expect(spans[0].exceptions[0].message).toHaveLength(DEFAULT_INTAKE_LIMITS.maxErrorMessageChars);
    expect(spans[0].exceptions[0].stacktrace).toHaveLength(DEFAULT_INTAKE_LIMITS.maxErrorStackChars);
    expect(spans[0].meta[TRUNCATED_TAG]).toBe('exception.message,exception.stacktrace');
  });

  it('never splits a surrogate pair at the cut', () => {
    const emoji = '\u{1F4A5}'.repeat(megabyte / 2);
    const body = Buffer.from(JSON.stringify([[{ trace_id: 1, span_id: 1, service: 's', name: 'n', start: 1, duration: 1, meta: { 'error.message': emoji, 'x.odd': `a${emoji}` } }]]));
    const [[span]] = decodeDatadogV04(body, JSON_TYPE);
    for (const value of [span.meta['error.message'], span.meta['x.odd']]) {
      expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
      expect(value.endsWith('\u2026')).toBe(true);
    }
  });
});

describe('invalid UTF-8 is repaired with U+FFFD, as the Datadog agent does', () => {
  const span = (service: Buffer) => Buffer.concat([
    // [[{service: <bytes as str>, trace_id: 1, span_id: 1, name: "n", start: 1, duration: 1}]]
    Buffer.from([0x91, 0x91, 0x86, 0xa7]), Buffer.from('service'), Buffer.from([0xa0 | service.length]), service,
    Buffer.from([0xa8]), Buffer.from('trace_id'), Buffer.from([0x01]),
    Buffer.from([0xa7]), Buffer.from('span_id'), Buffer.from([0x01]),
    Buffer.from([0xa4]), Buffer.from('name'), Buffer.from([0xa1]), Buffer.from('n'),
    Buffer.from([0xa5]), Buffer.from('start'), Buffer.from([0x01]),
    Buffer.from([0xa8]), Buffer.from('duration'), Buffer.from([0x01]),
  ]);

  it('in msgpack strings (short ones, which the msgpack decoder would turn into Latin-1 or lone surrogates)', () => {
    const [[decoded]] = decodeDatadogV04(span(Buffer.from([0x73, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80])), MSGPACK);
    expect(decoded.service).toBe('s\ufffd\ufffd\ufffd(\ufffd\ufffd\ufffd');
  });

  it('in JSON bodies, and lone surrogate escapes become U+FFFD too', () => {
    const body = Buffer.concat([Buffer.from('[[{"trace_id":1,"span_id":1,"service":"a'), Buffer.from([0xff]), Buffer.from('","name":"\\ud800","start":1,"duration":1}]]')]);
    const [[decoded]] = decodeDatadogV04(body, JSON_TYPE);
    expect(decoded.service).toBe('a\ufffd');
    expect(decoded.name).toBe('\ufffd');
  });

  it('but not in protobuf strings: proto3 requires valid UTF-8, and protobufjs (like the Collector) refuses it with a 400', () => {
    const { request } = otlpTraceTypes();
    const encoded = Buffer.from(request.encode(request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'AB' }] }] }] })).finish());
    const at = encoded.indexOf('AB');
    encoded[at] = 0xff;
    expect(intakeError(() => decodeOtlpTraces(encoded, PROTOBUF))).toMatchObject({
      status: 400,
      message: 'body: invalid protobuf ExportTraceServiceRequest: The encoded data was not valid for encoding utf-8',
    });
  });
});

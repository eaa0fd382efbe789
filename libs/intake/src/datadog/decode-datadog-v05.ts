import { failIntake, IntakeError } from '../intake-error';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits, PayloadLimiter, type SpanLimiter } from '../intake-limits';
import type { DatadogSpan, DatadogTrace } from './datadog-span';
import { decodeMsgpackBody, indexKeyedMsgpackDecoder, mediaTypeOf, STRING_KEY_MARK } from './msgpack-body';
import {
  asString,
  checkSpanCount,
  isMap,
  isNil,
  readErrorFlag,
  readMetricValue,
  readNonNegative64,
  readUnsigned64,
  resourceOrName,
  type SpanFieldLocation,
} from './validate-datadog-traces';

/** The fixed positions of a v0.5 span array, named as the v0.4 fields they hold. */
const SPAN_FIELDS = ['service', 'name', 'resource', 'trace_id', 'span_id', 'parent_id', 'start', 'duration', 'error', 'meta', 'metrics', 'type'] as const;
type SpanField = (typeof SPAN_FIELDS)[number];
const POSITION_OF = Object.fromEntries(SPAN_FIELDS.map((field, position) => [field, position])) as Record<SpanField, number>;
const UINT32_MAX = 0xffff_ffff;
/** A map key as the msgpack decoder leaves an integer key: its decimal property name. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

/**
 * Decodes a `PUT|POST /v0.5/traces` body (dd-trace with `DD_TRACE_AGENT_PROTOCOL_VERSION=0.5`):
 * msgpack `[strings, traces]`, where every span is a 12-element array
 * `[service, name, resource, trace_id, span_id, parent_id, start, duration, error, meta, metrics, type]`
 * and every string (including meta keys and values and metric keys) is a uint32 index into `strings`.
 *
 * Returns the same `DatadogTrace[]` as v0.4, so selection and mapping downstream are shared; the
 * numeric fields go through the v0.4 readers. Throws IntakeError 415 for a content type other than
 * msgpack and 400 naming the span and position (`traces[0][2][9]: meta key index 812 out of range
 * (string table has 57 entries)`) for anything else. Tracers put `""` at index 0; the table is used
 * as sent without checking that, like the agent.
 *
 * Limits as for v0.4: 413 for more traces or spans than `maxSpansPerPayload`, counted before decoding;
 * strings truncated per use (a table entry may be a stack in one place and a tag in another).
 */
export function decodeDatadogV05(body: Buffer, contentType: string | undefined, limits: IntakeLimits = DEFAULT_INTAKE_LIMITS): DatadogTrace[] {
  const mediaType = mediaTypeOf(contentType);
  if (mediaType !== 'application/msgpack' && mediaType !== 'application/x-msgpack') {
    throw new IntakeError(415, `unsupported content type ${JSON.stringify(contentType ?? '')}: v0.5 traces are application/msgpack`);
  }
  const limiter = new PayloadLimiter(limits);
  const payload = decodeMsgpackBody(
    body,
    limits.maxNestingDepth,
    ({ valuesAtLevel, firstLengthsAtLevel1 }) => {
      // [strings, traces]: traces are declared at level 1, spans are the values at level 3.
      limiter.checkSpanCount(firstLengthsAtLevel1[1] ?? 0, 'traces', failIntake);
      limiter.checkSpanCount(valuesAtLevel[3] ?? 0, 'spans', failIntake);
    },
    indexKeyedMsgpackDecoder,
  );
  return validateDatadogV05(payload, limiter);
}

function validateDatadogV05(payload: unknown, limiter: PayloadLimiter): DatadogTrace[] {
  if (!Array.isArray(payload) || payload.length !== 2) {
    throw new IntakeError(400, 'body: expected an array of 2 elements [string table, traces]');
  }
  const strings = readStringTable(payload[0]);
  const rawTraces: unknown = payload[1];
  if (!Array.isArray(rawTraces)) throw new IntakeError(400, 'traces: expected an array of traces');
  checkSpanCount(rawTraces, limiter);
  const traces: DatadogTrace[] = new Array(rawTraces.length);
  for (let traceIndex = 0; traceIndex < rawTraces.length; traceIndex++) {
    const rawTrace: unknown = rawTraces[traceIndex];
    if (!Array.isArray(rawTrace)) throw new IntakeError(400, `traces[${traceIndex}]: expected an array of spans`);
    const trace: DatadogSpan[] = new Array(rawTrace.length);
    for (let spanIndex = 0; spanIndex < rawTrace.length; spanIndex++) {
      trace[spanIndex] = readSpan(rawTrace[spanIndex], new V05SpanLocation(traceIndex, spanIndex, strings.length), strings, limiter.span());
    }
    traces[traceIndex] = trace;
  }
  return traces;
}

function readStringTable(value: unknown): string[] {
  if (!Array.isArray(value)) throw new IntakeError(400, 'strings: expected an array of strings');
  const strings: string[] = new Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const text = asString(value[index]);
    if (text === undefined) throw new IntakeError(400, `strings[${index}]: expected string`);
    strings[index] = text;
  }
  return strings;
}

/**
 * A span's place as `traces[t][s][position]`. Field names passed by the shared v0.4 readers
 * (`trace_id`, `metrics["x"]`) are mapped to their position in the span array.
 */
class V05SpanLocation implements SpanFieldLocation {
  constructor(
    private readonly traceIndex: number,
    private readonly spanIndex: number,
    private readonly tableSize: number,
  ) {}

  fail(field: string | undefined, expected: string): never {
    if (field === undefined) throw new IntakeError(400, `${this.span()}: ${expected}`);
    const spanField = field.split('[', 1)[0] as SpanField;
    this.failAt(spanField, `${field}: ${expected}`);
  }

  /** `what` is e.g. `meta key`, `service`: "traces[0][2][9]: meta key index 812 out of range (...)". */
  indexOutOfRange(field: SpanField, what: string, index: number): never {
    this.failAt(field, `${what} index ${index} out of range (string table has ${this.tableSize} entries)`);
  }

  failAt(field: SpanField, message: string): never {
    throw new IntakeError(400, `${this.span()}[${POSITION_OF[field]}]: ${message}`);
  }

  private span(): string {
    return `traces[${this.traceIndex}][${this.spanIndex}]`;
  }
}

function readSpan(raw: unknown, at: V05SpanLocation, strings: string[], limiter: SpanLimiter): DatadogSpan {
  if (!Array.isArray(raw)) at.fail(undefined, `expected an array of ${SPAN_FIELDS.length} span fields`);
  if (raw.length !== SPAN_FIELDS.length) at.fail(undefined, `expected an array of ${SPAN_FIELDS.length} span fields, got ${raw.length}`);
  // In wire order, so the first problem reported is the first one in the span.
  const service = limiter.field(readString(raw[0], 'service', at, strings), 'service');
  const name = limiter.field(readString(raw[1], 'name', at, strings), 'name');
  const resource = limiter.field(readString(raw[2], 'resource', at, strings), 'resource');
  const span: DatadogSpan = {
    service,
    name,
    resource: resourceOrName(resource, name),
    trace_id: readUnsigned64(raw[3], 'trace_id', at),
    span_id: readUnsigned64(raw[4], 'span_id', at),
    parent_id: readUnsigned64(raw[5], 'parent_id', at),
    start: readNonNegative64(raw[6], 'start', at),
    duration: readNonNegative64(raw[7], 'duration', at),
    error: readErrorFlag(raw[8], at),
    meta: readMeta(raw[9], at, strings, limiter),
    metrics: readMetrics(raw[10], at, strings, limiter),
    type: limiter.field(readString(raw[11], 'type', at, strings), 'type'),
  };
  limiter.mark(span.meta);
  return span;
}

function readString(value: unknown, field: SpanField, at: V05SpanLocation, strings: string[]): string {
  const index = toIndex(value);
  if (index === undefined) at.fail(field, 'expected uint32 string index');
  if (index >= strings.length) at.indexOutOfRange(field, field, index);
  return strings[index];
}

/** A uint32 sent as any msgpack integer width (dd-trace writes uint32, fixint for `type`). */
function toIndex(value: unknown): number | undefined {
  const number = typeof value === 'bigint' && value <= BigInt(UINT32_MAX) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= UINT32_MAX ? number : undefined;
}

/** Map keys are uint32 indexes; the msgpack decoder turns them into decimal property names. */
function readKey(key: string, field: 'meta' | 'metrics', at: V05SpanLocation, strings: string[]): string {
  const index = INDEX_KEY.test(key) ? Number(key) : UINT32_MAX + 1;
  if (index > UINT32_MAX) {
    const sent = key.startsWith(STRING_KEY_MARK) ? JSON.stringify(key.slice(STRING_KEY_MARK.length)) : key;
    at.failAt(field, `${field} key ${sent}: expected uint32 string index`);
  }
  if (index >= strings.length) at.indexOutOfRange(field, `${field} key`, index);
  return strings[index];
}

function readMeta(value: unknown, at: V05SpanLocation, strings: string[], limiter: SpanLimiter): Record<string, string> {
  if (!isMap(value)) at.fail('meta', 'expected a map of string index to string index');
  const meta: Record<string, string> = {};
  for (const rawKey of Object.keys(value)) {
    const key = readKey(rawKey, 'meta', at, strings);
    const rawValue = value[rawKey];
    if (isNil(rawValue) || key === '__proto__') continue;
    const index = toIndex(rawValue);
    if (index === undefined) at.fail(`meta[${JSON.stringify(key)}]`, 'expected uint32 string index');
    if (index >= strings.length) at.indexOutOfRange('meta', `meta value (key ${JSON.stringify(key)})`, index);
    const limitedKey = limiter.tagKey(key);
    if (limiter.admitsTag(limitedKey)) meta[limitedKey] = limiter.tagValue(limitedKey, strings[index]);
  }
  return meta;
}

function readMetrics(value: unknown, at: V05SpanLocation, strings: string[], limiter: SpanLimiter): Record<string, number> {
  if (!isMap(value)) at.fail('metrics', 'expected a map of string index to number');
  const metrics: Record<string, number> = {};
  for (const rawKey of Object.keys(value)) {
    const key = readKey(rawKey, 'metrics', at, strings);
    if (key === '__proto__') continue;
    const number = readMetricValue(value[rawKey], key, at);
    if (number === undefined) continue;
    const limitedKey = limiter.tagKey(key);
    if (limiter.admitsTag(limitedKey)) metrics[limitedKey] = number;
  }
  return metrics;
}

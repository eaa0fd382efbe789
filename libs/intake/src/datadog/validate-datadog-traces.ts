import { failIntake, IntakeError } from '../intake-error';
import { PayloadLimiter, type SpanLimiter } from '../intake-limits';
import type { DatadogSpan, DatadogTrace } from './datadog-span';

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const I64_MAX = 0x7fff_ffff_ffff_ffffn;
const utf8 = new TextDecoder('utf-8');

/**
 * Checks a decoded v0.4 body (msgpack or JSON) and converts it to typed spans. Hand-written rather
 * than a schema library: it runs on every span of every payload, and the error paths are built only
 * when something is wrong.
 *
 * Integers may arrive as number (small values) or bigint (msgpack uint64/int64, JSON integers); both
 * are accepted, and ids and times always come out as bigint. Like the Datadog agent, optional fields
 * (`parent_id`, `error`, `meta`, `metrics`, `type`, `resource`) may be missing or nil, and msgpack
 * `bin` is accepted wherever a string is expected. Unknown fields (`meta_struct`, `span_links`, ...)
 * are ignored.
 *
 * Limits (`limiter`): more spans than the payload may carry is a 413 before any span is read; strings
 * and tags beyond their limits are truncated and the span marked (see IntakeLimits).
 */
export function validateDatadogTraces(payload: unknown, limiter: PayloadLimiter = new PayloadLimiter()): DatadogTrace[] {
  if (!Array.isArray(payload)) throw new IntakeError(400, 'traces: expected an array of traces');
  checkSpanCount(payload, limiter);
  const traces: DatadogTrace[] = new Array(payload.length);
  for (let traceIndex = 0; traceIndex < payload.length; traceIndex++) {
    const rawTrace: unknown = payload[traceIndex];
    if (!Array.isArray(rawTrace)) throw new IntakeError(400, `traces[${traceIndex}]: expected an array of spans`);
    const trace: DatadogSpan[] = new Array(rawTrace.length);
    for (let spanIndex = 0; spanIndex < rawTrace.length; spanIndex++) {
      trace[spanIndex] = readSpan(rawTrace[spanIndex], new SpanLocation(traceIndex, spanIndex), limiter.span());
    }
    traces[traceIndex] = trace;
  }
  return traces;
}

/** Traces, then spans of every trace together, against `maxSpansPerPayload` (413). */
export function checkSpanCount(traces: unknown[], limiter: PayloadLimiter): void {
  limiter.checkSpanCount(traces.length, 'traces', failIntake);
  let spans = 0;
  for (const trace of traces) if (Array.isArray(trace)) spans += trace.length;
  limiter.checkSpanCount(spans, 'spans', failIntake);
}

/**
 * Where a field of a span sits in the payload, for error messages. `field` is the v0.4 field name,
 * possibly with a map key (`meta["http.status_code"]`); each wire format turns it into its own path.
 */
export interface SpanFieldLocation {
  fail(field: string | undefined, expected: string): never;
}

/** Where a span sits in the payload; turns into a readable path only when an error is thrown. */
class SpanLocation implements SpanFieldLocation {
  constructor(
    private readonly traceIndex: number,
    private readonly spanIndex: number,
  ) {}

  fail(field: string | undefined, expected: string): never {
    const span = `traces[${this.traceIndex}][${this.spanIndex}]`;
    throw new IntakeError(400, `${field === undefined ? span : `${span}.${field}`}: ${expected}`);
  }
}

function readSpan(raw: unknown, at: SpanFieldLocation, limiter: SpanLimiter): DatadogSpan {
  if (!isMap(raw)) at.fail(undefined, 'expected a map of span fields');
  // Read in wire order, so the first problem reported is the first field a reader would look at.
  const trace_id = readUnsigned64(raw['trace_id'], 'trace_id', at);
  const span_id = readUnsigned64(raw['span_id'], 'span_id', at);
  const parent_id = isNil(raw['parent_id']) ? 0n : readUnsigned64(raw['parent_id'], 'parent_id', at);
  const service = limiter.field(readString(raw['service'], 'service', at), 'service');
  const name = limiter.field(readString(raw['name'], 'name', at), 'name');
  const resource = limiter.field(readOptionalString(raw['resource'], 'resource', at), 'resource');
  const span: DatadogSpan = {
    trace_id,
    span_id,
    parent_id,
    service,
    name,
    resource: resourceOrName(resource, name),
    start: readNonNegative64(raw['start'], 'start', at),
    duration: readNonNegative64(raw['duration'], 'duration', at),
    error: readErrorFlag(raw['error'], at),
    meta: readMeta(raw['meta'], at, limiter),
    metrics: readMetrics(raw['metrics'], at, limiter),
    type: limiter.field(readOptionalString(raw['type'], 'type', at), 'type'),
  };
  limiter.mark(span.meta);
  return span;
}

/** The agent names a span without resource after its operation; so do we. */
export function resourceOrName(resource: string, name: string): string {
  return resource === '' ? name : resource;
}

export function readUnsigned64(value: unknown, field: string, at: SpanFieldLocation): bigint {
  const integer = toBigInt(value);
  if (integer === undefined || integer < 0n || integer > U64_MAX) at.fail(field, 'expected unsigned 64-bit integer');
  return integer;
}

export function readNonNegative64(value: unknown, field: string, at: SpanFieldLocation): bigint {
  const integer = toBigInt(value);
  if (integer === undefined || integer < 0n || integer > I64_MAX) at.fail(field, 'expected non-negative 64-bit integer');
  return integer;
}

/** A number is only trusted as an integer when it is exact; a float above 2^53 already lost digits. */
function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

export function readErrorFlag(value: unknown, at: SpanFieldLocation): number {
  if (isNil(value)) return 0;
  const integer = toBigInt(value);
  if (integer === undefined || integer < -0x8000_0000n || integer > 0x7fff_ffffn) at.fail('error', 'expected integer 0 or 1');
  return Number(integer);
}

function readString(value: unknown, field: string, at: SpanFieldLocation): string {
  const text = asString(value);
  if (text === undefined) at.fail(field, 'expected string');
  return text;
}

function readOptionalString(value: unknown, field: string, at: SpanFieldLocation): string {
  return isNil(value) ? '' : readString(value, field, at);
}

function readMeta(value: unknown, at: SpanFieldLocation, limiter: SpanLimiter): Record<string, string> {
  const meta: Record<string, string> = {};
  if (isNil(value)) return meta;
  if (!isMap(value)) at.fail('meta', 'expected a map of string to string');
  for (const rawKey of Object.keys(value)) {
    const entry = value[rawKey];
    if (isNil(entry) || rawKey === '__proto__') continue;
    const text = asString(entry);
    if (text === undefined) at.fail(`meta[${JSON.stringify(rawKey)}]`, 'expected string');
    const key = limiter.tagKey(rawKey);
    if (limiter.admitsTag(key)) meta[key] = limiter.tagValue(key, text);
  }
  return meta;
}

function readMetrics(value: unknown, at: SpanFieldLocation, limiter: SpanLimiter): Record<string, number> {
  const metrics: Record<string, number> = {};
  if (isNil(value)) return metrics;
  if (!isMap(value)) at.fail('metrics', 'expected a map of string to number');
  for (const rawKey of Object.keys(value)) {
    if (rawKey === '__proto__') continue;
    const number = readMetricValue(value[rawKey], rawKey, at);
    if (number === undefined) continue;
    const key = limiter.tagKey(rawKey);
    if (limiter.admitsTag(key)) metrics[key] = number;
  }
  return metrics;
}

/** A metric value as a number, or undefined for a value that is skipped (nil, NaN, infinities). */
export function readMetricValue(value: unknown, key: string, at: SpanFieldLocation): number | undefined {
  if (isNil(value)) return undefined;
  const number = typeof value === 'bigint' ? Number(value) : value;
  if (typeof number !== 'number') at.fail(`metrics[${JSON.stringify(key)}]`, 'expected number');
  // NaN and infinities cannot travel as JSON downstream; a tracer bug there should not cost the span.
  return Number.isFinite(number) ? number : undefined;
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  return undefined;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

import type { OtelSpan, OtelSpanKind, SpanException } from '@faultline/domain';
import { failIntake, IntakeError } from '../intake-error';
import { PayloadLimiter } from '../intake-limits';
import type { OtlpEncoding } from './otlp-encoding';

/** What OTel SDKs report when no `service.name` was configured (the spec's default is `unknown_service:<process>`). */
export const UNKNOWN_SERVICE = 'unknown_service';

const SPAN_KINDS: readonly OtelSpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODE_ERROR = 2;
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const I64_MIN = -0x8000_0000_0000_0000n;
const I64_MAX = 0x7fff_ffff_ffff_ffffn;

/**
 * Resource attributes the mapping consumes into fields of its own (service, env, version, host), and
 * ones left out of the tags because they are unique per process and would only bloat occurrence rows.
 */
const CONSUMED_RESOURCE_KEYS = new Set(['service.name', 'service.version', 'deployment.environment.name', 'deployment.environment', 'host.name']);
const SKIPPED_RESOURCE_KEYS = new Set(['process.pid']);

/** The spans of one export request that could be read, and why the others could not. */
export interface OtlpTraces {
  spans: OtelSpan[];
  /** One message per rejected span, naming the span and field: `resourceSpans[0].scopeSpans[0].spans[3].spanId: expected 16 hex characters`. */
  rejectedSpans: string[];
}

/**
 * Checks a decoded `ExportTraceServiceRequest` and maps every span onto the protocol-neutral model.
 * `raw` has the lowerCamelCase field names of the OTLP JSON encoding: parsed JSON, or the protobufjs
 * message as a plain object (ids as bytes, 64-bit integers as decimal strings, enums as numbers).
 * JSON ids are hex strings (the OTLP JSON encoding, unlike proto3 JSON, does not use base64 for them);
 * enums may be integers or their names; 64-bit integers may be strings or numbers.
 *
 * Two kinds of problems, each reported naming the field:
 * - structural (the body is not a request, `resourceSpans` or a scope's `spans` is not a list, a
 *   resource or scope cannot be read): throws IntakeError 400 and nothing of the request is used,
 *   since the spans it concerns can then be neither counted nor given their service;
 * - in one span (ids, a field of the wrong type, times, kind, status, attributes, events): that span
 *   alone is rejected and listed in `rejectedSpans`, the others are used (OTLP partial success).
 * Fields it does not read (links, trace state, non-exception event attributes) are not checked.
 *
 * Mapping: resource `service.name` -> service, `service.version` -> `version`,
 * `deployment.environment.name` (or the older `deployment.environment`) -> `env`, `host.name` ->
 * `host`; the other resource attributes (`container.id`, `k8s.*`, ...) and the span attributes
 * (`http.*`, `url.*`, ...) become tags, a span's own attribute winning over the resource's. Trace ids
 * are the decimal of the full 128-bit value, span ids of the 64-bit value.
 *
 * Limits (`limiter`): more resource spans, scope spans or spans than `maxSpansPerPayload` is a 413
 * before any span is read; an attribute value nested deeper than `maxNestingDepth` rejects its span;
 * strings and tags beyond their limits are truncated and the span marked (see IntakeLimits).
 */
export function readOtlpTraces(raw: unknown, encoding: OtlpEncoding, limiter: PayloadLimiter = new PayloadLimiter()): OtlpTraces {
  if (!isRecord(raw)) fail('body', 'expected an ExportTraceServiceRequest object');
  checkSpanCounts(raw, limiter);
  const reader = new Reader(encoding, limiter);
  const spans: OtelSpan[] = [];
  const rejectedSpans: string[] = [];
  const resourceSpansList = reader.array(raw['resourceSpans'], 'resourceSpans');
  for (let r = 0; r < resourceSpansList.length; r++) {
    const resourceSpansPath = `resourceSpans[${r}]`;
    const resourceSpans = reader.record(resourceSpansList[r], resourceSpansPath);
    const resource = reader.optionalRecord(resourceSpans['resource'], `${resourceSpansPath}.resource`);
    const resourceAttributes = reader.attributes(resource?.['attributes'], `${resourceSpansPath}.resource.attributes`);
    const { service, resourceMeta } = mapResource(resourceAttributes);
    const scopeSpansList = reader.array(resourceSpans['scopeSpans'], `${resourceSpansPath}.scopeSpans`);
    for (let s = 0; s < scopeSpansList.length; s++) {
      const scopeSpansPath = `${resourceSpansPath}.scopeSpans[${s}]`;
      const scopeSpans = reader.record(scopeSpansList[s], scopeSpansPath);
      const spanList = reader.array(scopeSpans['spans'], `${scopeSpansPath}.spans`);
      for (let i = 0; i < spanList.length; i++) {
        try {
          spans.push(reader.span(spanList[i], `${scopeSpansPath}.spans[${i}]`, service, resourceMeta));
        } catch (error) {
          if (!(error instanceof IntakeError)) throw error;
          rejectedSpans.push(error.message);
        }
      }
    }
  }
  return { spans, rejectedSpans };
}

/** The three repeated levels against `maxSpansPerPayload`, tolerating wrong types (the reader names those). */
function checkSpanCounts(request: Record<string, unknown>, limiter: PayloadLimiter): void {
  const counts = { resourceSpans: 0, scopeSpans: 0, spans: 0 };
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  for (const resourceSpans of list(request['resourceSpans'])) {
    counts.resourceSpans++;
    if (!isRecord(resourceSpans)) continue;
    for (const scopeSpans of list(resourceSpans['scopeSpans'])) {
      counts.scopeSpans++;
      if (isRecord(scopeSpans)) counts.spans += list(scopeSpans['spans']).length;
    }
  }
  checkOtlpSpanCounts(counts, limiter);
}

export function checkOtlpSpanCounts(counts: { resourceSpans: number; scopeSpans: number; spans: number }, limiter: PayloadLimiter): void {
  limiter.checkSpanCount(counts.spans, 'spans', failIntake);
  // Empty resource or scope entries cost memory too, without a span to count.
  limiter.checkSpanCount(Math.max(counts.resourceSpans, counts.scopeSpans), 'traces', failIntake);
}

function mapResource(attributes: Record<string, string>): { service: string; resourceMeta: Record<string, string> } {
  const resourceMeta: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!CONSUMED_RESOURCE_KEYS.has(key) && !SKIPPED_RESOURCE_KEYS.has(key)) resourceMeta[key] = value;
  }
  const env = attributes['deployment.environment.name'] || attributes['deployment.environment'];
  if (env) resourceMeta['env'] = env;
  if (attributes['service.version']) resourceMeta['version'] = attributes['service.version'];
  if (attributes['host.name']) resourceMeta['host'] = attributes['host.name'];
  return { service: attributes['service.name'] || UNKNOWN_SERVICE, resourceMeta };
}

function fail(path: string, expected: string): never {
  throw new IntakeError(400, `${path}: ${expected}`);
}

/** Reads values of one request; what differs between the encodings is how ids and bytes look. */
class Reader {
  constructor(
    private readonly encoding: OtlpEncoding,
    private readonly limiter: PayloadLimiter,
  ) {}

  span(raw: unknown, path: string, resourceService: string, resourceMeta: Record<string, string>): OtelSpan {
    const limiter = this.limiter.span();
    const span = this.record(raw, path);
    const traceId = this.id(span['traceId'], 16, `${path}.traceId`);
    const spanId = this.id(span['spanId'], 8, `${path}.spanId`);
    const parentId = this.optionalId(span['parentSpanId'], 8, `${path}.parentSpanId`);
    const name = limiter.field(this.string(span['name'], `${path}.name`), 'name');
    const kind = this.kind(span['kind'], `${path}.kind`);
    const start = this.unsigned64(span['startTimeUnixNano'], `${path}.startTimeUnixNano`);
    const end = this.unsigned64(span['endTimeUnixNano'], `${path}.endTimeUnixNano`);
    const attributes = this.attributes(span['attributes'], `${path}.attributes`);
    const exceptions = this.exceptions(span['events'], `${path}.events`, attributes['error.fingerprint']).map((exception) => ({
      ...exception,
      type: limiter.field(exception.type, 'exception.type'),
      message: limiter.exceptionValue('exception.message', exception.message),
      stacktrace: limiter.exceptionValue('exception.stacktrace', exception.stacktrace),
      ...(exception.fingerprint === undefined ? {} : { fingerprint: limiter.field(exception.fingerprint, 'error.fingerprint') }),
    }));
    const status = this.optionalRecord(span['status'], `${path}.status`);
    const statusCode = this.statusCode(status?.['code'], `${path}.status.code`);
    const meta: Record<string, string> = {};
    for (const [rawKey, value] of Object.entries({ ...resourceMeta, ...attributes })) {
      const key = limiter.tagKey(rawKey);
      if (limiter.admitsTag(key)) meta[key] = limiter.tagValue(key, value);
    }
    meta['span.kind'] = kind;
    const service = limiter.field(resourceService, 'service');
    limiter.mark(meta);
    return {
      traceId,
      spanId,
      parentId: parentId ?? '0',
      service,
      name,
      resource: name,
      startNs: start.toString(),
      // An unfinished or clock-skewed span has no meaningful duration; nanoseconds fit a double for 104 days.
      durationNs: end > start ? Number(end - start) : 0,
      error: statusCode === STATUS_CODE_ERROR,
      meta,
      metrics: {},
      kind,
      exceptions,
    };
  }

  /** A required trace or span id, as the decimal of its unsigned value; all zeros is invalid in OTel. */
  id(value: unknown, bytes: number, path: string): string {
    const id = this.optionalId(value, bytes, path);
    if (id === undefined) fail(path, this.idExpectation(bytes));
    if (id === '0') fail(path, 'must not be all zeros');
    return id;
  }

  /** An id that may be absent (parent of a root span): empty string or empty bytes; all zeros reads as '0', no parent. */
  optionalId(value: unknown, bytes: number, path: string): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    let hex: string | undefined;
    if (this.encoding === 'json') {
      if (typeof value === 'string' && value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) hex = value;
    } else if (value instanceof Uint8Array) {
      if (value.length === 0) return undefined;
      if (value.length === bytes) hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
    }
    if (hex === undefined) fail(path, this.idExpectation(bytes));
    return BigInt(`0x${hex}`).toString();
  }

  private idExpectation(bytes: number): string {
    return this.encoding === 'json' ? `expected ${bytes * 2} hex characters` : `expected ${bytes} bytes`;
  }

  string(value: unknown, path: string): string {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') fail(path, 'expected string');
    return value;
  }

  kind(value: unknown, path: string): OtelSpanKind {
    if (value === undefined || value === null) return 'unspecified';
    if (typeof value === 'string' && value.startsWith('SPAN_KIND_')) {
      const kind = value.slice('SPAN_KIND_'.length).toLowerCase() as OtelSpanKind;
      if (SPAN_KINDS.includes(kind)) return kind;
    }
    const code = toInteger(value);
    if (code !== undefined && code >= 0n && code < BigInt(SPAN_KINDS.length)) return SPAN_KINDS[Number(code)];
    return fail(path, 'expected a SpanKind (0-5 or SPAN_KIND_*)');
  }

  statusCode(value: unknown, path: string): number {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'string' && STATUS_CODE_NAMES.includes(value)) return STATUS_CODE_NAMES.indexOf(value);
    const code = toInteger(value);
    if (code !== undefined && code >= 0n && code < BigInt(STATUS_CODE_NAMES.length)) return Number(code);
    return fail(path, 'expected a StatusCode (0-2 or STATUS_CODE_*)');
  }

  unsigned64(value: unknown, path: string): bigint {
    if (value === undefined || value === null) return 0n;
    const integer = toInteger(value);
    if (integer === undefined || integer < 0n || integer > U64_MAX) fail(path, 'expected unsigned 64-bit integer');
    return integer;
  }

  array(value: unknown, path: string): unknown[] {
    // proto3 omits empty repeated fields and so may a JSON encoder.
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) fail(path, 'expected an array');
    return value;
  }

  record(value: unknown, path: string): Record<string, unknown> {
    if (!isRecord(value)) fail(path, 'expected an object');
    return value;
  }

  optionalRecord(value: unknown, path: string): Record<string, unknown> | undefined {
    return value === undefined || value === null ? undefined : this.record(value, path);
  }

  /** `KeyValue` list -> tags; an attribute without a value (an empty AnyValue) is left out. */
  attributes(value: unknown, path: string): Record<string, string> {
    const tags: Record<string, string> = {};
    const list = this.array(value, path);
    for (let i = 0; i < list.length; i++) {
      const keyValue = this.record(list[i], `${path}[${i}]`);
      const key = keyValue['key'];
      if (typeof key !== 'string') fail(`${path}[${i}].key`, 'expected string');
      const plain = this.anyValue(keyValue['value'], `${path}[${i}].value`, 1);
      if (plain !== undefined) tags[key] = typeof plain === 'string' ? plain : JSON.stringify(plain);
    }
    return tags;
  }

  /** `exception` events -> type, message and stack trace (OTel semantic conventions). */
  /** `spanFingerprint`: the recording span's own `error.fingerprint` attribute, for events that carry none. */
  exceptions(value: unknown, path: string, spanFingerprint?: string): SpanException[] {
    const exceptions: SpanException[] = [];
    const events = this.array(value, path);
    for (let i = 0; i < events.length; i++) {
      const event = this.record(events[i], `${path}[${i}]`);
      if (this.string(event['name'], `${path}[${i}].name`) !== 'exception') continue;
      const attributes = this.attributes(event['attributes'], `${path}[${i}].attributes`);
      exceptions.push({
        type: attributes['exception.type'] ?? '',
        message: attributes['exception.message'] ?? '',
        stacktrace: attributes['exception.stacktrace'] ?? '',
        ...withFingerprint(attributes['error.fingerprint'] || spanFingerprint),
      });
    }
    return exceptions;
  }

  /**
   * An `AnyValue` as a plain value: strings, booleans and numbers as themselves (64-bit integers as
   * decimal strings, bytes as base64), arrays and key-value lists as arrays and objects.
   */
  private anyValue(value: unknown, path: string, depth: number): unknown {
    if (value === undefined || value === null) return undefined;
    const maxDepth = this.limiter.limits.maxNestingDepth;
    if (depth > maxDepth) fail(path, `attribute value nested deeper than ${maxDepth} levels`);
    const anyValue = this.record(value, path);
    if ('stringValue' in anyValue) return this.string(anyValue['stringValue'], `${path}.stringValue`);
    if ('boolValue' in anyValue) {
      if (typeof anyValue['boolValue'] !== 'boolean') fail(`${path}.boolValue`, 'expected boolean');
      return anyValue['boolValue'] ? 'true' : 'false';
    }
    if ('intValue' in anyValue) {
      const integer = toInteger(anyValue['intValue']);
      if (integer === undefined || integer < I64_MIN || integer > I64_MAX) fail(`${path}.intValue`, 'expected signed 64-bit integer');
      return integer.toString();
    }
    if ('doubleValue' in anyValue) return this.double(anyValue['doubleValue'], `${path}.doubleValue`);
    if ('bytesValue' in anyValue) {
      const bytes = anyValue['bytesValue'];
      if (this.encoding === 'json' && typeof bytes === 'string') return bytes;
      if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
      return fail(`${path}.bytesValue`, this.encoding === 'json' ? 'expected base64 string' : 'expected bytes');
    }
    if ('arrayValue' in anyValue) {
      const values = this.array(this.record(anyValue['arrayValue'], `${path}.arrayValue`)['values'], `${path}.arrayValue.values`);
      return values.map((item, index) => this.anyValue(item, `${path}.arrayValue.values[${index}]`, depth + 1) ?? null);
    }
    if ('kvlistValue' in anyValue) {
      const values = this.array(this.record(anyValue['kvlistValue'], `${path}.kvlistValue`)['values'], `${path}.kvlistValue.values`);
      // No prototype: a `__proto__` key is then a plain key, not a prototype to set.
      const object: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      values.forEach((item, index) => {
        const keyValue = this.record(item, `${path}.kvlistValue.values[${index}]`);
        if (typeof keyValue['key'] !== 'string') fail(`${path}.kvlistValue.values[${index}].key`, 'expected string');
        object[keyValue['key']] = this.anyValue(keyValue['value'], `${path}.kvlistValue.values[${index}].value`, depth + 1) ?? null;
      });
      return object;
    }
    return undefined;
  }

  /** A double as its shortest decimal text; JSON may spell NaN and the infinities as strings. */
  private double(value: unknown, path: string): string {
    if (typeof value === 'number') return String(value);
    if (typeof value === 'bigint') return value.toString();
    if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
    return fail(path, 'expected number');
  }
}

/**
 * An integer as bigint: a safe JS number, a bigint (exact JSON integers), or a decimal string (how
 * proto3 JSON and protobufjs write 64-bit integers). Anything else is undefined.
 */
function toInteger(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The user's `error.fingerprint` (custom grouping key) on an exception, only when set. */
function withFingerprint(fingerprint: string | undefined): Pick<SpanException, 'fingerprint'> {
  return fingerprint ? { fingerprint } : {};
}

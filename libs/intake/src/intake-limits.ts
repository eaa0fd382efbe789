/**
 * What one request may carry, and how long the strings of a decoded span may be. The ingestion app
 * fills it from its config (`INGESTION_MAX_*`); the defaults are the config's.
 *
 * Two kinds of limit, chosen by what a user loses:
 * - refused (IntakeError): more spans than `maxSpansPerPayload` (413), nesting deeper than
 *   `maxNestingDepth` (400). A payload like that is not a tracer's, and refusing it whole costs
 *   nothing real;
 * - truncated and marked: strings longer than their limit, tags beyond `maxTagsPerSpan`. A 1 MB
 *   stack is a real error with a pathological message; cut to its first 64 Ki characters it keeps its
 *   top frames, so it is still grouped and counted, where a 413 would lose the error for good.
 */
export interface IntakeLimits {
  /** Spans in one request, every trace together (traces too, for an array of empty traces). */
  maxSpansPerPayload: number;
  /** `error.message` and OTel `exception.message`, in UTF-16 code units. */
  maxErrorMessageChars: number;
  /** `error.stack` and OTel `exception.stacktrace`. */
  maxErrorStackChars: number;
  /** Every other string of a span: service, name, resource, type, tag keys and values. */
  maxFieldChars: number;
  /** Tags (meta, metrics, attributes) kept per span, besides those the pipeline reads itself (RESERVED_TAG_KEYS). */
  maxTagsPerSpan: number;
  /**
   * Arrays and maps inside one another (JSON, msgpack), and OTLP `AnyValue`s inside one another. No
   * tracer nests deeper than about 10; not configurable. Deeper is a 400 before anything is decoded.
   */
  maxNestingDepth: number;
}

export const DEFAULT_INTAKE_LIMITS: Readonly<IntakeLimits> = Object.freeze({
  maxSpansPerPayload: 50_000,
  maxErrorMessageChars: 8 * 1024,
  maxErrorStackChars: 64 * 1024,
  maxFieldChars: 4 * 1024,
  maxTagsPerSpan: 128,
  maxNestingDepth: 64,
});

/**
 * The tag a span gets when something of it was cut: the names of the truncated fields, comma
 * separated (`error.stack,http.url`), and `tags` when tags beyond the limit were dropped. It becomes
 * an occurrence tag like any other, so truncated occurrences can be found.
 */
export const TRUNCATED_TAG = 'faultline.truncated';

/** Appended to a truncated string, within its limit: the cut is visible where the text is shown. */
const ELLIPSIS = '\u2026';
/** Field names listed in TRUNCATED_TAG, at most; then `…`. */
const TRUNCATED_NAMED = 8;

/**
 * Tags the pipeline reads (error fields, ids, entry-span marker, env/version/host/container) and
 * OTLP's resource keys: never dropped for the tag limit, so a span with a thousand junk tags keeps its
 * error and its grouping. A fixed set, so they cannot be used to get past the limit.
 */
const RESERVED_TAG_KEYS = new Set([
  'error.type',
  'error.message',
  'error.stack',
  'error.fingerprint',
  '_dd.p.tid',
  '_dd.top_level',
  '_dd.hostname',
  'env',
  'version',
  'host',
  'hostname',
  'container_id',
  'container.id',
  'span.kind',
  'http.route',
  'http.status_code',
  'service.name',
  'service.version',
  'deployment.environment.name',
  'deployment.environment',
  'host.name',
  TRUNCATED_TAG,
]);

function stringLimitOf(limits: IntakeLimits, key: string): number {
  switch (key) {
    case 'error.message':
    case 'exception.message':
      return limits.maxErrorMessageChars;
    case 'error.stack':
    case 'exception.stacktrace':
      return limits.maxErrorStackChars;
    default:
      return limits.maxFieldChars;
  }
}

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * The limits applied to one request: truncated strings are remembered by value, so a v0.5 string
 * table entry used by every span of the payload is cut (and copied) once, not once per span.
 */
export class PayloadLimiter {
  private readonly truncatedByLimit = new Map<number, Map<string, string>>();

  constructor(readonly limits: IntakeLimits = DEFAULT_INTAKE_LIMITS) {}

  /** Throws when the request carries more than `maxSpansPerPayload` spans (or traces). */
  checkSpanCount(count: number, what: 'spans' | 'traces', fail: (status: 413, message: string) => never): void {
    const max = this.limits.maxSpansPerPayload;
    if (count > max) fail(413, `body: ${count} ${what}, more than the ${max} spans a request may carry`);
  }

  span(): SpanLimiter {
    return new SpanLimiter(this);
  }

  /**
   * `value` within `limit` UTF-16 code units, as well-formed UTF-16 (a lone surrogate, which JSON's
   * `\ud800` or broken msgpack can produce, becomes U+FFFD). A cut string ends in `…`, never splits a
   * surrogate pair, and is a fresh copy: a slice would keep the whole original alive.
   */
  fit(value: string, limit: number): { text: string; truncated: boolean } {
    const wellFormed = (value as unknown as WellFormedString).isWellFormed() ? value : (value as unknown as WellFormedString).toWellFormed();
    if (wellFormed.length <= limit) return { text: wellFormed, truncated: false };
    let cache = this.truncatedByLimit.get(limit);
    if (!cache) this.truncatedByLimit.set(limit, (cache = new Map()));
    let text = cache.get(wellFormed);
    if (text === undefined) {
      let end = Math.max(0, limit - ELLIPSIS.length);
      const last = wellFormed.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end--;
      text = Buffer.from(`${wellFormed.slice(0, end)}${ELLIPSIS}`, 'utf16le').toString('utf16le');
      cache.set(wellFormed, text);
    }
    return { text, truncated: true };
  }
}

/** Applies the limits to the strings and tags of one span, and marks it when something was cut. */
export class SpanLimiter {
  private readonly truncatedFields: string[] = [];
  private tagsKept = 0;
  private tagsDropped = false;

  constructor(private readonly payload: PayloadLimiter) {}

  /** A span field (service, name, resource, type) or an attribute value, named for the mark. */
  field(value: string, name: string): string {
    return this.fit(value, this.payload.limits.maxFieldChars, name);
  }

  /** A tag value; `error.message` and `error.stack` have limits of their own. */
  tagValue(key: string, value: string): string {
    return this.fit(value, stringLimitOf(this.payload.limits, key), key);
  }

  /** An exception event's attribute (`exception.message`, `exception.stacktrace`, ...). */
  exceptionValue(key: string, value: string): string {
    return this.fit(value, stringLimitOf(this.payload.limits, key), key);
  }

  tagKey(key: string): string {
    return this.fit(key, this.payload.limits.maxFieldChars, 'tag key');
  }

  /** Whether one more tag with this key is kept; reserved keys always are, and do not count. */
  admitsTag(key: string): boolean {
    if (RESERVED_TAG_KEYS.has(key)) return true;
    if (this.tagsKept < this.payload.limits.maxTagsPerSpan) {
      this.tagsKept++;
      return true;
    }
    this.tagsDropped = true;
    return false;
  }

  /** Adds TRUNCATED_TAG to `meta` when anything of the span was cut or dropped. */
  mark(meta: Record<string, string>): void {
    const names = [...new Set(this.truncatedFields)];
    if (this.tagsDropped) names.push('tags');
    if (names.length === 0) return;
    const listed = names.slice(0, TRUNCATED_NAMED).join(',');
    meta[TRUNCATED_TAG] = names.length > TRUNCATED_NAMED ? `${listed},${ELLIPSIS}` : listed;
  }

  private fit(value: string, limit: number, name: string): string {
    const { text, truncated } = this.payload.fit(value, limit);
    if (truncated) this.truncatedFields.push(this.payload.fit(name, 64).text);
    return text;
  }
}

/** Entries of the three repeated levels of an `ExportTraceServiceRequest` that hold spans. */
export interface OtlpSpanCounts {
  resourceSpans: number;
  scopeSpans: number;
  spans: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
/** `resource_spans` = 1 in the request, `scope_spans` = 2 in ResourceSpans, `spans` = 2 in ScopeSpans. */
const RESOURCE_SPANS_FIELD = 1;
const SCOPE_SPANS_FIELD = 2;
const SPANS_FIELD = 2;

/**
 * Counts resource spans, scope spans and spans in a protobuf `ExportTraceServiceRequest` by walking
 * its wire format, without decoding: protobufjs turns every 2-byte empty `Span` into an object of
 * ~100 bytes, so a 25 MB body of them would take over a GB before any limit could look at it. Linear in
 * the body; a malformed body ends the walk quietly with what was counted (the decoder then names the
 * problem).
 */
export function countOtlpProtobufSpans(body: Uint8Array): OtlpSpanCounts {
  const counts: OtlpSpanCounts = { resourceSpans: 0, scopeSpans: 0, spans: 0 };
  forEachLengthDelimited(body, 0, body.length, RESOURCE_SPANS_FIELD, (resourceStart, resourceEnd) => {
    counts.resourceSpans++;
    forEachLengthDelimited(body, resourceStart, resourceEnd, SCOPE_SPANS_FIELD, (scopeStart, scopeEnd) => {
      counts.scopeSpans++;
      forEachLengthDelimited(body, scopeStart, scopeEnd, SPANS_FIELD, () => counts.spans++);
    });
  });
  return counts;
}

/** Calls `visit` with the bounds of every length-delimited occurrence of `field` in the message `[start, end)`. */
function forEachLengthDelimited(body: Uint8Array, start: number, end: number, field: number, visit: (start: number, end: number) => void): void {
  const cursor = { pos: start };
  while (cursor.pos < end) {
    const tag = readVarint(body, cursor, end);
    if (tag === undefined) return;
    const wireType = tag % 8;
    const fieldNumber = Math.floor(tag / 8);
    if (wireType === WIRE_VARINT) {
      if (readVarint(body, cursor, end) === undefined) return;
    } else if (wireType === WIRE_FIXED64) {
      cursor.pos += 8;
    } else if (wireType === WIRE_FIXED32) {
      cursor.pos += 4;
    } else if (wireType === WIRE_LEN) {
      const length = readVarint(body, cursor, end);
      if (length === undefined || cursor.pos + length > end) return;
      if (fieldNumber === field) visit(cursor.pos, cursor.pos + length);
      cursor.pos += length;
    } else {
      // Groups (3, 4) are not used by OTLP; 6 and 7 do not exist.
      return;
    }
  }
}

/** A varint of up to 10 bytes as a number (exact below 2^53, which covers every length and tag); undefined when cut off. */
function readVarint(body: Uint8Array, cursor: { pos: number }, end: number): number | undefined {
  let value = 0;
  let scale = 1;
  for (let bytes = 0; bytes < 10; bytes++) {
    if (cursor.pos >= end) return undefined;
    const byte = body[cursor.pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  return undefined;
}

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const UPPER_64_HEX = /^[0-9a-fA-F]{16}$/;

/**
 * The span tag in which Datadog tracers send the upper 64 bits of a 128-bit trace id (16 hex; the
 * v0.4/v0.5 `trace_id` field holds only the lower 64). dd-trace sets it on the first span of a chunk.
 */
export const DATADOG_TRACE_ID_HIGH_TAG = '_dd.p.tid';

/**
 * A trace id in its W3C/OTel form, 32 lowercase hex characters, so a trace reads the same whichever
 * protocol carried it. `traceId` is the decimal the span model holds (Datadog: 64 bits; OTLP: the full
 * 128 bits). `upper64Hex` is Datadog's `_dd.p.tid`: used only while `traceId` fits 64 bits, and
 * ignored unless it is 16 hex characters, so the upper half is then zeros (a 64-bit-only tracer).
 * Null when `traceId` is not a decimal of at most 128 bits.
 */
export function toTraceIdHex(traceId: string, upper64Hex?: string): string | null {
  if (!/^\d{1,39}$/.test(traceId)) return null;
  const id = BigInt(traceId);
  if (id > U128_MAX) return null;
  if (id <= U64_MAX && upper64Hex !== undefined && UPPER_64_HEX.test(upper64Hex)) {
    return upper64Hex.toLowerCase() + id.toString(16).padStart(16, '0');
  }
  return id.toString(16).padStart(32, '0');
}

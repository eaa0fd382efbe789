import { DATADOG_TRACE_ID_HIGH_TAG, type Span, toTraceIdHex } from '@faultline/domain';
import type { DatadogSpan, DatadogTrace } from './datadog-span';

/** The agent's name for a span that came without a service; the error-span contract needs one. */
export const UNNAMED_SERVICE = 'unnamed-service';

/**
 * Maps a decoded trace chunk onto the protocol-neutral span model. dd-trace sends the upper 64 bits
 * of a 128-bit trace id (`_dd.p.tid`) on one span of the chunk only (its first, usually the local
 * root), so every span of the same trace in the chunk gets the full id from there: an error entry
 * span of another service further down the chunk carries no `_dd.p.tid` of its own.
 */
export function datadogTraceToSpans(trace: DatadogTrace): Span[] {
  const upper64HexByTraceId = new Map<bigint, string>();
  for (const span of trace) {
    const upper64Hex = span.meta[DATADOG_TRACE_ID_HIGH_TAG];
    if (upper64Hex !== undefined && !upper64HexByTraceId.has(span.trace_id)) upper64HexByTraceId.set(span.trace_id, upper64Hex);
  }
  return trace.map((span) => datadogSpanToSpan(span, upper64HexByTraceId.get(span.trace_id)));
}

/**
 * Maps a decoded v0.4 span onto the protocol-neutral span model; ids become decimal strings.
 * `traceIdHex` joins the upper 64 bits (`upper64Hex`, by default the span's own `_dd.p.tid`; zeros
 * when absent or malformed) and `trace_id`.
 */
export function datadogSpanToSpan(span: DatadogSpan, upper64Hex: string | undefined = span.meta[DATADOG_TRACE_ID_HIGH_TAG]): Span {
  const traceId = span.trace_id.toString();
  const traceIdHex = toTraceIdHex(traceId, upper64Hex);
  return {
    traceId,
    ...(traceIdHex === null ? {} : { traceIdHex }),
    spanId: span.span_id.toString(),
    parentId: span.parent_id.toString(),
    service: span.service === '' ? UNNAMED_SERVICE : span.service,
    name: span.name,
    resource: span.resource,
    startNs: span.start.toString(),
    // Durations fit a double exactly up to 104 days.
    durationNs: Number(span.duration),
    error: span.error !== 0,
    meta: span.meta,
    metrics: span.metrics,
    ...(span.type === '' ? {} : { type: span.type }),
  };
}

import type { Span } from '@faultline/domain';
import type { DatadogSpan } from './datadog-span';

/** The agent's name for a span that came without a service; the error-span contract needs one. */
export const UNNAMED_SERVICE = 'unnamed-service';

/** Maps a decoded v0.4 span onto the protocol-neutral span model; ids become decimal strings. */
export function datadogSpanToSpan(span: DatadogSpan): Span {
  return {
    traceId: span.trace_id.toString(),
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

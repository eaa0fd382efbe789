import { NO_PARENT_ID, type Span } from './span';

/** Why a span did not become an error span; counted per reason so operators can see what is filtered. */
export const DROP_REASONS = [
  'not_error',
  'not_service_entry',
  'missing_error_type',
  'missing_error_message',
  'missing_error_stack',
  /** OTLP: another copy of an exception already kept for the same trace and service. */
  'duplicate_exception',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** The service of a span seen in a recent earlier payload, when still remembered. */
export type KnownServiceOf = (traceId: string, spanId: string) => string | undefined;

export interface ErrorSpanSelection {
  kept: Span[];
  dropped: Partial<Record<DropReason, number>>;
}

/**
 * Keeps the spans that are occurrences of an error: service-entry spans flagged as errors that carry
 * `error.type`, `error.message` and `error.stack`. dd-trace copies the error tags onto the child spans
 * the exception travelled through (`router.middleware`), so without the service-entry rule one
 * failing request would count several times.
 *
 * `trace` is one trace chunk as it arrived in a payload. A span whose parent is not in the chunk
 * (partial flush, or a remote parent) is an entry unless `knownServiceOf` (what ingestion remembers
 * of recent payloads) says the parent is of the same service. dd-trace flushes partially only for
 * very long traces, and the deterministic occurrence id downstream keeps resends from double counting.
 */
export function selectErrorSpans(trace: Span[]): ErrorSpanSelection {
  return selectErrorSpansWithHistory(trace, undefined);
}

/** `selectErrorSpans` for a chunk that may be part of a trace split across payloads. */
export function selectErrorSpansWithHistory(trace: Span[], knownServiceOf: KnownServiceOf | undefined): ErrorSpanSelection {
  const kept: Span[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  let serviceBySpanId: Map<string, string> | undefined;

  for (const span of trace) {
    let reason: DropReason | undefined;
    if (!span.error) {
      reason = 'not_error';
    } else {
      // Built lazily: most traces carry no error at all.
      serviceBySpanId ??= indexServiceBySpanId(trace);
      reason = isServiceEntry(span, serviceBySpanId, knownServiceOf) ? missingErrorTag(span) : 'not_service_entry';
    }
    if (reason === undefined) kept.push(span);
    else dropped[reason] = (dropped[reason] ?? 0) + 1;
  }
  return { kept, dropped };
}

/**
 * Service-entry: the first span of a service in the request path. Computed from the trace rather than
 * read from `metrics['_dd.top_level']`, because dd-trace omits that metric when the request arrived
 * with distributed-tracing headers (the entry span then has a parent in another process).
 */
export function isServiceEntry(span: Span, serviceBySpanId: ReadonlyMap<string, string>, knownServiceOf?: KnownServiceOf): boolean {
  if (span.metrics['_dd.top_level'] === 1) return true;
  if (span.parentId === NO_PARENT_ID) return true;
  const parentService = serviceBySpanId.get(span.parentId) ?? knownServiceOf?.(span.traceId, span.parentId);
  return parentService === undefined || parentService !== span.service;
}

export function indexServiceBySpanId(trace: readonly Span[]): Map<string, string> {
  const serviceBySpanId = new Map<string, string>();
  for (const span of trace) serviceBySpanId.set(span.spanId, span.service);
  return serviceBySpanId;
}

function missingErrorTag(span: Span): DropReason | undefined {
  if (!span.meta['error.type']) return 'missing_error_type';
  if (!span.meta['error.message']) return 'missing_error_message';
  if (!span.meta['error.stack']) return 'missing_error_stack';
  return undefined;
}

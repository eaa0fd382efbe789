import type { OtelSpan, SpanException } from './otel-span';
import type { DropReason, ErrorSpanSelection } from './select-error-spans';
import { NO_PARENT_ID } from './span';

/** An exception seen below a span that was not in its payload, waiting for that span to arrive. */
export interface PendingException {
  service: string;
  exception: SpanException;
}

/**
 * What the caller remembers of recent payloads (both protocols), so a trace split across export
 * requests is judged as one. Both lookups may forget (bounded, expiring); `undefined` means "not known".
 */
export interface SpanHistory {
  /** The service of a span seen in an earlier payload. */
  serviceOf(traceId: string, spanId: string): string | undefined;
  /** The nearest exception recorded below `spanId` in an earlier payload (see `unattributed`). */
  exceptionBelow(traceId: string, spanId: string): PendingException | undefined;
}

export interface UnattributedException extends PendingException {
  traceId: string;
  /** The span, missing from this request, under which the exception's same-service spans hang. */
  belowSpanId: string;
}

export interface OtelErrorSpanSelection extends ErrorSpanSelection {
  kept: OtelSpan[];
  /**
   * Exceptions on spans whose service-entry span was not in this request. OTel SDKs end (and batch)
   * child spans before their parent, so the exception often arrives one export before the SERVER
   * span it belongs to: the caller keeps these for `SpanHistory.exceptionBelow`.
   */
  unattributed: UnattributedException[];
}

/**
 * The OTel error rule, for the spans of one export request.
 *
 * Entry span: kind SERVER or CONSUMER, and its parent is absent, in another service, or not in this
 * request and not known (from `history`) to be of the same service. A parent outside the request is
 * usually remote (incoming `traceparent`), so the span counts as an entry unless history says otherwise.
 *
 * An entry span whose status is ERROR is an occurrence. Its error is its own (last) `exception`
 * event; failing that, the exception event of the nearest descendant of the same service in the
 * request (breadth-first, payload order within a level): real SDKs record the exception on the
 * request-handler child (INTERNAL) and leave the SERVER span with only the ERROR status. Failing
 * that, an exception remembered below the entry span or one of those descendants from an earlier
 * export. Copies of the same exception (service, type, message, stack) in one trace are one
 * occurrence; the rest count as `duplicate_exception`.
 *
 * Kept spans come back with `error.type`, `error.message` and `error.stack` set in `meta` (and
 * `error.fingerprint` from the exception when the entry span has none), ready for `toErrorSpanMessage`. Every input span is either kept or counted under exactly one drop reason.
 */
export function selectOtelErrorSpans(spans: readonly OtelSpan[], history?: SpanHistory): OtelErrorSpanSelection {
  const trace = new RequestTraces(spans, history);
  const kept: OtelSpan[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  const drop = (reason: DropReason) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  const occurrenceKeysByTrace = new Map<string, Set<string>>();

  for (const span of spans) {
    if (!span.error) {
      drop('not_error');
      continue;
    }
    if (!trace.isServiceEntry(span)) {
      drop('not_service_entry');
      continue;
    }
    const exception = trace.exceptionFor(span);
    if (!exception?.type) {
      drop('missing_error_type');
      continue;
    }
    if (!exception.stacktrace) {
      drop('missing_error_stack');
      continue;
    }
    let occurrenceKeys = occurrenceKeysByTrace.get(span.traceId);
    if (!occurrenceKeys) occurrenceKeysByTrace.set(span.traceId, (occurrenceKeys = new Set()));
    const occurrenceKey = JSON.stringify([span.service, exception.type, exception.message, exception.stacktrace]);
    if (occurrenceKeys.has(occurrenceKey)) {
      drop('duplicate_exception');
      continue;
    }
    occurrenceKeys.add(occurrenceKey);
    kept.push({
      ...span,
      meta: {
        ...span.meta,
        'error.type': exception.type,
        'error.message': exception.message,
        'error.stack': exception.stacktrace,
        // The entry span's own `error.fingerprint` attribute wins over the exception's.
        ...(!span.meta['error.fingerprint'] && exception.fingerprint ? { 'error.fingerprint': exception.fingerprint } : {}),
      },
    });
  }
  return { kept, dropped, unattributed: trace.unattributedExceptions() };
}

const spanKey = (traceId: string, spanId: string) => `${traceId}:${spanId}`;

/** The spans of one request indexed by id and by parent; ids are only unique within a trace. */
class RequestTraces {
  private readonly byKey = new Map<string, OtelSpan>();
  private readonly childrenByKey = new Map<string, OtelSpan[]>();

  constructor(
    private readonly spans: readonly OtelSpan[],
    private readonly history: SpanHistory | undefined,
  ) {
    for (const span of spans) {
      this.byKey.set(spanKey(span.traceId, span.spanId), span);
      if (span.parentId === NO_PARENT_ID) continue;
      const parentKey = spanKey(span.traceId, span.parentId);
      const siblings = this.childrenByKey.get(parentKey);
      if (siblings) siblings.push(span);
      else this.childrenByKey.set(parentKey, [span]);
    }
  }

  isServiceEntry(span: OtelSpan): boolean {
    if (span.kind !== 'server' && span.kind !== 'consumer') return false;
    if (span.parentId === NO_PARENT_ID) return true;
    const parentService = this.byKey.get(spanKey(span.traceId, span.parentId))?.service ?? this.history?.serviceOf(span.traceId, span.parentId);
    return parentService !== span.service;
  }

  exceptionFor(entry: OtelSpan): SpanException | undefined {
    const own = lastOf(entry.exceptions);
    if (own) return own;
    // Breadth-first over the entry's own service: another service's spans hold that service's errors.
    const visited: OtelSpan[] = [entry];
    for (let level = this.sameServiceChildren(entry); level.length > 0; ) {
      const withException = level.find((span) => span.exceptions.length > 0);
      if (withException) return lastOf(withException.exceptions);
      visited.push(...level);
      level = level.flatMap((span) => this.sameServiceChildren(span));
    }
    for (const span of visited) {
      const pending = this.history?.exceptionBelow(span.traceId, span.spanId);
      if (pending && pending.service === entry.service) return pending.exception;
    }
    return undefined;
  }

  /**
   * For each exception whose same-service ancestors in this request end below a span that is not in
   * the request (and with no entry span on the way), the nearest such exception per missing span.
   */
  unattributedExceptions(): UnattributedException[] {
    const nearestByMissingSpan = new Map<string, { depth: number; found: UnattributedException }>();
    for (const span of this.spans) {
      const exception = lastOf(span.exceptions);
      if (!exception) continue;
      let current = span;
      for (let depth = 0; ; depth++) {
        if (this.isServiceEntry(current) || current.parentId === NO_PARENT_ID) break;
        const parent = this.byKey.get(spanKey(current.traceId, current.parentId));
        if (parent === undefined) {
          const key = spanKey(current.traceId, current.parentId);
          const nearest = nearestByMissingSpan.get(key);
          if (nearest === undefined || depth < nearest.depth) {
            nearestByMissingSpan.set(key, { depth, found: { traceId: current.traceId, belowSpanId: current.parentId, service: span.service, exception } });
          }
          break;
        }
        if (parent.service !== current.service) break;
        current = parent;
      }
    }
    return [...nearestByMissingSpan.values()].map(({ found }) => found);
  }

  private sameServiceChildren(span: OtelSpan): OtelSpan[] {
    return (this.childrenByKey.get(spanKey(span.traceId, span.spanId)) ?? []).filter((child) => child.service === span.service);
  }
}

/** The last exception event: when a span records several, the last is the one it ended with. */
function lastOf(exceptions: readonly SpanException[]): SpanException | undefined {
  return exceptions[exceptions.length - 1];
}

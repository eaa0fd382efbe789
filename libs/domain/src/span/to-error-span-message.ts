import type { ErrorSpanMessage } from '@faultline/contracts';
import type { Span } from './span';
import { toTraceIdHex } from './trace-id-hex';

/** What the transport knew about the request that carried the span (not part of the span itself). */
export interface ErrorSpanContext {
  tenant: string;
  /** Milliseconds since the epoch when ingestion accepted the payload. */
  receivedAt: number;
  protocol: ErrorSpanMessage['protocol'];
  /** Datadog tracers send the container id as the `Datadog-Container-ID` request header. */
  containerId?: string;
  language?: string;
  languageVersion?: string;
  tracerVersion?: string;
}

const HOST_KEYS = ['_dd.hostname', 'host', 'hostname'] as const;
const CONTAINER_KEYS = ['container_id', 'container.id'] as const;
/** Metrics that are bookkeeping of the tracer rather than facts about the request. */
const SKIPPED_METRIC_KEYS = new Set(['process_id']);

/**
 * Builds the `error-span/v1` message for a span that `selectErrorSpans` kept, so `error.type`,
 * `error.message` and `error.stack` are present. Pure: the caller supplies tenant and received time.
 */
export function toErrorSpanMessage(span: Span, context: ErrorSpanContext): ErrorSpanMessage {
  const { meta } = span;
  return {
    schema: 'error-span/v1',
    tenant: context.tenant,
    receivedAt: context.receivedAt,
    protocol: context.protocol,
    traceId: span.traceId,
    traceIdHex: span.traceIdHex ?? toTraceIdHex(span.traceId),
    spanId: span.spanId,
    parentId: span.parentId,
    service: span.service,
    name: span.name,
    resource: span.resource,
    startNs: span.startNs,
    durationNs: span.durationNs,
    error: { type: meta['error.type'] ?? '', message: meta['error.message'] ?? '', stack: meta['error.stack'] ?? '' },
    // Datadog: the span tag. OTel: the entry span's attribute, or the exception's (see selectOtelErrorSpans).
    errorFingerprint: nonEmpty(meta['error.fingerprint']),
    env: nonEmpty(meta['env']),
    version: nonEmpty(meta['version']),
    host: firstNonEmpty(meta, HOST_KEYS),
    container: nonEmpty(context.containerId) ?? firstNonEmpty(meta, CONTAINER_KEYS),
    tags: facetTags(span, context),
  };
}

/**
 * The span's tags worth faceting on, as strings: env, version, language/runtime, http.*, component,
 * span.kind, peer.* and whatever the user added. Left out: `error.*` (carried in `error`), `_dd.*`
 * and `_`-prefixed metrics (tracer internals), and ids unique per process (`runtime-id`, `process_id`)
 * that would only bloat the occurrence rows.
 */
function facetTags(span: Span, context: Omit<ErrorSpanContext, 'tenant' | 'receivedAt' | 'protocol'> = {}): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(span.metrics)) {
    if (key.startsWith('_') || SKIPPED_METRIC_KEYS.has(key)) continue;
    tags[key] = String(value);
  }
  // Meta after metrics: when a tracer sends both, the string form is the one it meant to show.
  for (const [key, value] of Object.entries(span.meta)) {
    if (key.startsWith('error.') || key.startsWith('_dd.') || key === 'runtime-id') continue;
    tags[key] = value;
  }
  // Request headers describe the runtime for the whole payload; a span's own tag wins.
  if (context.language) tags['language'] ??= context.language;
  if (context.languageVersion) tags['language.version'] ??= context.languageVersion;
  if (context.tracerVersion) tags['tracer.version'] ??= context.tracerVersion;
  return tags;
}

function nonEmpty(value: string | undefined): string | null {
  return value ? value : null;
}

function firstNonEmpty(meta: Record<string, string>, keys: readonly string[]): string | null {
  for (const key of keys) {
    if (meta[key]) return meta[key];
  }
  return null;
}

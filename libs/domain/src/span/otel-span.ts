import type { Span } from './span';

/** OpenTelemetry `SpanKind`, lower-cased. Only `server` and `consumer` spans can be service-entry spans. */
export type OtelSpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/**
 * One `exception` event of a span (OTel semantic conventions). Every attribute is optional on the
 * wire; an empty string stands for a missing one.
 */
export interface SpanException {
  type: string;
  message: string;
  stacktrace: string;
  /** `error.fingerprint` on the event, or else on the span that recorded it: the user's grouping key. Absent when unset. */
  fingerprint?: string;
}

/**
 * A span that arrived over OTLP, in the protocol-neutral model plus what the OTel error rule needs.
 * `error` is `status.code == ERROR`; `meta` holds the resource and span attributes as strings, with
 * the resource's env/version/host under the keys `toErrorSpanMessage` reads (`env`, `version`,
 * `host`, `container.id`). `metrics` stays empty: OTLP attributes carry their own types, and every
 * tag ends up a string in the error-span message anyway.
 */
export interface OtelSpan extends Span {
  kind: OtelSpanKind;
  /** The span's `exception` events, in the order the SDK recorded them. */
  exceptions: SpanException[];
}

/**
 * A span as the pipeline sees it, whatever protocol carried it (Datadog v0.4/v0.5, OTLP, JSON).
 * Ids and the start time are unsigned 64-bit values and travel as decimal strings: JS numbers
 * would silently round them above 2^53.
 */
export interface Span {
  /** Datadog: the 64-bit trace id as sent; OTLP: the full 128-bit trace id. */
  traceId: string;
  /**
   * The full 128-bit trace id as 32 lowercase hex (see `toTraceIdHex`), when it is more than
   * `traceId` says: Datadog sends the upper 64 bits apart (`_dd.p.tid`, see `DATADOG_TRACE_ID_HIGH_TAG`).
   * Absent (OTLP, where `traceId` is the full id): the hex of `traceId`.
   */
  traceIdHex?: string;
  spanId: string;
  /** '0' when the span has no parent. */
  parentId: string;
  service: string;
  name: string;
  resource: string;
  /** Nanoseconds since the epoch, decimal. */
  startNs: string;
  durationNs: number;
  error: boolean;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  /** Datadog span type (`web`, `db`, ...) when the protocol has one. */
  type?: string;
}

/** The parent id of a root span on every protocol we accept. */
export const NO_PARENT_ID = '0';

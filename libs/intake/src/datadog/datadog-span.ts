/**
 * One span of the Datadog trace-agent v0.4 API, field names as on the wire. The u64 ids and the
 * i64 nanosecond times are bigint: tracers generate ids over the full 64-bit range, which JS numbers
 * cannot hold.
 */
export interface DatadogSpan {
  trace_id: bigint;
  span_id: bigint;
  /** 0n for a root span. */
  parent_id: bigint;
  service: string;
  name: string;
  resource: string;
  /** Nanoseconds since the epoch. */
  start: bigint;
  /** Nanoseconds. */
  duration: bigint;
  /** Non-zero when the span ended with an error (tracers send 0 or 1). */
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  /** Span type (`web`, `db`, ...); empty when the tracer sent none. */
  type: string;
}

/** One trace chunk: the spans of one trace that a tracer flushed together. */
export type DatadogTrace = DatadogSpan[];

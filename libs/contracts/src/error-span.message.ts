import { z } from 'zod';

/**
 * `error-spans` topic, schema v1: one service-entry span that carries an error, as ingestion kept it.
 * Ids are unsigned 64-bit integers in decimal, exactly as the tracer sent them (never JS numbers).
 */
const decimalId = z.string().regex(/^\d{1,39}$/, 'must be an unsigned integer in decimal');

/**
 * The W3C/OTel form of the full 128-bit trace id: 32 lowercase hex characters, the same for a trace
 * whichever protocol carried it, so Datadog- and OTel-instrumented services of one trace correlate.
 * Null when unknown. Added after v1 shipped: a message without it reads as null.
 */
export const traceIdHexSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex characters').nullable().default(null);

export const errorSpanMessageSchema = z.object({
  schema: z.literal('error-span/v1'),
  tenant: z.string().min(1),
  /** Milliseconds since the epoch when ingestion accepted the payload. */
  receivedAt: z.number().int().nonnegative(),
  protocol: z.enum(['datadog-v0.4', 'datadog-v0.5', 'otlp', 'json']),
  /** Datadog: the 64-bit trace id as sent. OTLP: the 128-bit trace id. */
  traceId: decimalId,
  /** The full 128-bit trace id (see `traceIdHexSchema`); for Datadog, `_dd.p.tid` gives the upper 64 bits. */
  traceIdHex: traceIdHexSchema,
  spanId: decimalId,
  /** '0' when the span has no parent. */
  parentId: decimalId,
  service: z.string().min(1),
  name: z.string(),
  resource: z.string(),
  /** Span start in nanoseconds since the epoch, decimal (exceeds 2^53). */
  startNs: decimalId,
  durationNs: z.number().nonnegative(),
  error: z.object({ type: z.string().min(1), message: z.string(), stack: z.string().min(1) }),
  /**
   * The span's `error.fingerprint` tag as sent: the user's own grouping key, replacing the computed
   * fingerprint. Added after v1 shipped, so optional: absent or null means none.
   */
  errorFingerprint: z.string().nullable().optional(),
  env: z.string().nullable(),
  version: z.string().nullable(),
  host: z.string().nullable(),
  container: z.string().nullable(),
  /** Span, host and container tags worth faceting on (env, version, runtime, http.*, ...), as strings. */
  tags: z.record(z.string(), z.string()),
});
export type ErrorSpanMessage = z.infer<typeof errorSpanMessageSchema>;

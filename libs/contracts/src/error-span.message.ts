import { z } from 'zod';

/**
 * `error-spans` topic, schema v1: one service-entry span that carries an error, as ingestion kept it.
 * Ids are unsigned 64-bit integers in decimal, exactly as the tracer sent them (never JS numbers).
 */
const decimalId = z.string().regex(/^\d{1,39}$/, 'must be an unsigned integer in decimal');

export const errorSpanMessageSchema = z.object({
  schema: z.literal('error-span/v1'),
  tenant: z.string().min(1),
  /** Milliseconds since the epoch when ingestion accepted the payload. */
  receivedAt: z.number().int().nonnegative(),
  protocol: z.enum(['datadog-v0.4', 'datadog-v0.5', 'otlp', 'json']),
  traceId: decimalId,
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
  env: z.string().nullable(),
  version: z.string().nullable(),
  host: z.string().nullable(),
  container: z.string().nullable(),
  /** Span, host and container tags worth faceting on (env, version, runtime, http.*, ...), as strings. */
  tags: z.record(z.string(), z.string()),
});
export type ErrorSpanMessage = z.infer<typeof errorSpanMessageSchema>;

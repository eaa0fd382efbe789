import { z } from 'zod';
import { traceIdHexSchema } from './error-span.message';
import { stackFrameSchema } from './stack-frame';

/**
 * `occurrences` topic, schema v1: an error span after stack parsing, message normalisation and
 * fingerprinting. `occurrenceId` is deterministic (tenant, trace id, span id) so redelivery and
 * tracer resends are recognised downstream.
 */
export const occurrenceMessageSchema = z.object({
  schema: z.literal('occurrence/v1'),
  occurrenceId: z.string().regex(/^[0-9a-f]{32}$/),
  tenant: z.string().min(1),
  fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
  fingerprintVersion: z.number().int().positive(),
  /** Milliseconds since the epoch: the span's start. */
  timestampMs: z.number().int().nonnegative(),
  receivedAt: z.number().int().nonnegative(),
  traceId: z.string(),
  /** The W3C/OTel form of the full 128-bit trace id (32 lowercase hex), as in `error-span/v1`; null when unknown. */
  traceIdHex: traceIdHexSchema,
  spanId: z.string(),
  service: z.string().min(1),
  env: z.string().nullable(),
  version: z.string().nullable(),
  host: z.string().nullable(),
  container: z.string().nullable(),
  resource: z.string(),
  errorType: z.string().min(1),
  errorMessage: z.string(),
  messageTemplate: z.string(),
  stack: z.string(),
  frames: z.array(stackFrameSchema),
  /** Top in-app frame as `function (file)`, or null when there is none. */
  culprit: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
});
export type OccurrenceMessage = z.infer<typeof occurrenceMessageSchema>;

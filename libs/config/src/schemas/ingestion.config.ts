import { z } from 'zod';
import { commonEnv, kafkaEnv, port, positiveInt } from './fragments';

export const ingestionConfigSchema = z.object({
  ...commonEnv,
  ...kafkaEnv,
  /** Datadog trace-agent API port: tracers default to 8126. */
  INGESTION_PORT: port(8126),
  /** Largest request body accepted, in bytes (dd-trace flushes at most a few MB); for OTLP also the decompressed size. */
  INGESTION_MAX_BODY_BYTES: positiveInt(25 * 1024 * 1024),
  /** OTLP/HTTP port (`POST /v1/traces`): OpenTelemetry SDKs and the Collector default to 4318. */
  INGESTION_OTLP_PORT: port(4318),
  /** OTLP export requests handled at once; beyond it the answer is 429 with Retry-After and exporters retry. */
  INGESTION_OTLP_MAX_CONCURRENT_REQUESTS: positiveInt(64),
});
export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

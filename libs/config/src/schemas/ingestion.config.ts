import { z } from 'zod';
import { commonEnv, kafkaEnv, port, positiveInt } from './fragments';

export const ingestionConfigSchema = z.object({
  ...commonEnv,
  ...kafkaEnv,
  /** Datadog trace-agent API port: tracers default to 8126. */
  INGESTION_PORT: port(8126),
  /** Largest request body accepted, in bytes (dd-trace flushes at most a few MB). */
  INGESTION_MAX_BODY_BYTES: positiveInt(25 * 1024 * 1024),
});
export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

import { z } from 'zod';
import { commonEnv, kafkaEnv, port, positiveInt } from './fragments';

export const fingerprinterConfigSchema = z.object({
  ...commonEnv,
  ...kafkaEnv,
  /** Health and metrics listener. */
  FINGERPRINTER_PORT: port(8127),
  FINGERPRINTER_BATCH_SIZE: positiveInt(500),
  FINGERPRINTER_BATCH_MAX_WAIT_MS: positiveInt(50),
});
export type FingerprinterConfig = z.infer<typeof fingerprinterConfigSchema>;

import { z } from 'zod';
import { commonEnv, kafkaEnv, kafkaEnvRules, port, positiveInt, redisEnv, redisEnvRules } from './fragments';
import { maxInvalidRatio } from './invalid-ratio';

export const fingerprinterConfigSchema = z.object({
  ...commonEnv,
  ...kafkaEnv,
  /** Where tenants' grouping rules and in-app patterns are stored (the gateway writes them). */
  ...redisEnv,
  /** Health and metrics listener. */
  FINGERPRINTER_PORT: port(8127),
  FINGERPRINTER_BATCH_SIZE: positiveInt(500),
  FINGERPRINTER_BATCH_MAX_WAIT_MS: positiveInt(50),
  /** See maxInvalidRatio. */
  FINGERPRINTER_MAX_INVALID_RATIO: maxInvalidRatio(),
  /** A tenant's grouping config is reloaded from Redis at most this often: how long a rule change takes to apply. */
  FINGERPRINTER_GROUPING_CONFIG_TTL_MS: positiveInt(5000),
}).check(kafkaEnvRules, redisEnvRules);
export type FingerprinterConfig = z.infer<typeof fingerprinterConfigSchema>;

import { z } from 'zod';
import { clickhouseEnv, commonEnv, hourlyCountsEnv, kafkaEnv, kafkaEnvRules, port, positiveInt, redisEnv, redisEnvRules } from './fragments';
import { maxInvalidRatio } from './invalid-ratio';

export const aggregatorConfigSchema = z.object({
  ...commonEnv,
  ...kafkaEnv,
  ...clickhouseEnv,
  ...redisEnv,
  ...hourlyCountsEnv,
  /** Health and metrics listener. */
  AGGREGATOR_PORT: port(8128),
  /** Occurrences per ClickHouse insert; the batch is also flushed after AGGREGATOR_BATCH_MAX_WAIT_MS. */
  AGGREGATOR_BATCH_SIZE: positiveInt(5000),
  AGGREGATOR_BATCH_MAX_WAIT_MS: positiveInt(500),
  /** See maxInvalidRatio. */
  AGGREGATOR_MAX_INVALID_RATIO: maxInvalidRatio(),
  /** How long an occurrence id is remembered to drop redeliveries and tracer resends. */
  AGGREGATOR_DEDUPE_WINDOW_HOURS: positiveInt(48),
  /** Auto-resolve (README, Triage workflow): how often the job looks for issues to resolve; the first run is shortly after start. */
  AGGREGATOR_AUTO_RESOLVE_INTERVAL_MS: positiveInt(600_000),
  /** Days without an occurrence after which a FOR_REVIEW or REVIEWED issue is resolved; 0 turns this rule off. */
  AGGREGATOR_AUTO_RESOLVE_INACTIVE_DAYS: z.coerce.number().int().min(0).default(14),
  /**
   * Hours a newer version must have been seen, and the issue quiet, before that version supersedes the
   * issue's last version (a fresh deploy gets this long to show the error).
   */
  AGGREGATOR_AUTO_RESOLVE_VERSION_GRACE_HOURS: z.coerce.number().int().min(0).default(24),
}).check(kafkaEnvRules, redisEnvRules);
export type AggregatorConfig = z.infer<typeof aggregatorConfigSchema>;

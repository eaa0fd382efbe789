import { z } from 'zod';
import { clickhouseEnv, commonEnv, hourlyCountsEnv, kafkaEnv, port, positiveInt, redisEnv } from './fragments';

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
  /** How long an occurrence id is remembered to drop redeliveries and tracer resends. */
  AGGREGATOR_DEDUPE_WINDOW_HOURS: positiveInt(48),
});
export type AggregatorConfig = z.infer<typeof aggregatorConfigSchema>;

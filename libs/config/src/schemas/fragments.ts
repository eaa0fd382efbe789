import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const commaList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
  .refine((items) => items.length > 0, 'must list at least one host:port');

export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bind address of the HTTP listener (health, metrics, API). Containers set 0.0.0.0. */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};

const booleanFlag = (fallback: 'true' | 'false') =>
  z.enum(['true', 'false']).default(fallback).transform((value) => value === 'true');

export const kafkaEnv = {
  /** Comma-separated bootstrap brokers, e.g. `kafka-0:9092,kafka-1:9092`. */
  KAFKA_BROKERS: commaList,
  KAFKA_CLIENT_ID: z.string().min(1).default('faultline'),
  /**
   * Idempotent producer: a retried send is not written twice. On by default; only librdkafka's mock
   * cluster (local development) does not support it, and the local stack turns it off there.
   */
  KAFKA_IDEMPOTENT_PRODUCER: booleanFlag('true'),
};

export const clickhouseEnv = {
  CLICKHOUSE_URL: z.url().default('http://127.0.0.1:18123'),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('faultline'),
};

export const redisEnv = {
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:16379'),
};

/**
 * How many hours of per-issue hourly counters Redis keeps (older hours are read from ClickHouse).
 * The aggregator trims to it and the gateway reads Redis only within it, so both must agree.
 */
export const hourlyCountsEnv = {
  REDIS_HOURLY_COUNTS_RETENTION_HOURS: z.coerce.number().int().positive().default(14 * 24),
};


export { booleanFlag, port, positiveInt };

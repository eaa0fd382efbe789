import { z } from 'zod';
import { commonEnv, kafkaEnv, kafkaEnvRules, port, positiveInt } from './fragments';

export const ingestionConfigSchema = z.object({
  ...commonEnv,
  ...kafkaEnv,
  /** Datadog trace-agent API port: tracers default to 8126. */
  INGESTION_PORT: port(8126),
  /**
   * Largest request body accepted as sent, in bytes (dd-trace flushes at most a few MB): 413 from the
   * `Content-Length` alone, or as soon as a chunked body goes past it, without reading the rest.
   */
  INGESTION_MAX_BODY_BYTES: positiveInt(25 * 1024 * 1024),
  /** Largest body once `Content-Encoding: gzip`/`deflate` is undone, in bytes: a gzip bomb stops here with a 413. */
  INGESTION_MAX_DECOMPRESSED_BYTES: positiveInt(50 * 1024 * 1024),
  /** Spans in one request, every trace together; a request with more is refused whole with a 413. */
  INGESTION_MAX_SPANS_PER_PAYLOAD: positiveInt(50_000),
  /** `error.message` / `exception.message` longer than this (UTF-16 code units) is stored truncated, not refused. */
  INGESTION_MAX_ERROR_MESSAGE_CHARS: positiveInt(8 * 1024),
  /** `error.stack` / `exception.stacktrace` longer than this is stored truncated: the top frames, which grouping uses, stay. */
  INGESTION_MAX_ERROR_STACK_CHARS: positiveInt(64 * 1024),
  /** Every other string of a span (service, name, resource, type, tag keys and values) is stored truncated to this. */
  INGESTION_MAX_FIELD_CHARS: positiveInt(4 * 1024),
  /** Tags (meta, metrics, attributes) kept per span, besides the error fields; the rest are dropped and the span marked. */
  INGESTION_MAX_TAGS_PER_SPAN: positiveInt(128),
  /** OTLP/HTTP port (`POST /v1/traces`): OpenTelemetry SDKs and the Collector default to 4318. */
  INGESTION_OTLP_PORT: port(4318),
  /** OTLP export requests handled at once; beyond it the answer is 429 with Retry-After and exporters retry. */
  INGESTION_OTLP_MAX_CONCURRENT_REQUESTS: positiveInt(64),
}).check(kafkaEnvRules);
export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

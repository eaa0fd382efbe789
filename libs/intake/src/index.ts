export * from './intake-error';
export * from './datadog/datadog-span';
export * from './datadog/decode-datadog-v04';
export * from './datadog/decode-datadog-v05';
export * from './datadog/datadog-span.mapper';
export * from './otlp/otlp-encoding';
export * from './otlp/decode-otlp-traces';
export { UNKNOWN_SERVICE } from './otlp/read-otlp-traces';
export { otlpTraceTypes } from './otlp/otlp-proto';

export * from './intake-error';
export * from './datadog/datadog-span';
export * from './datadog/decode-datadog-v04';
export * from './datadog/datadog-span.mapper';

export * from './span';
export * from './select-error-spans';
export * from './to-error-span-message';
export * from './trace-id-hex';
export * from './otel-span';
export * from './select-otel-error-spans';

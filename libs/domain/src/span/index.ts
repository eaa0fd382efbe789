export * from './span';
export * from './select-error-spans';
export * from './to-error-span-message';

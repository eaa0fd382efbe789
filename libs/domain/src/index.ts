export * from './grouping';
export * from './span';

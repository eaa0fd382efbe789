export * from './grouping';
export * from './span';
export * from './issue';

export * from './redis.client';
export * from './issue-state.store';
export * from './grouping-config.store';
export { RECORD_OCCURRENCES_LUA } from './record-occurrences.script';
export * from './redis.module';

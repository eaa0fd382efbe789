export * from './redis.client';
export * from './issue-state.store';
export * from './grouping-config.store';
export { RECORD_OCCURRENCES_LUA } from './record-occurrences.script';
export { ASSIGN_ISSUE_LUA, AUTO_RESOLVE_ISSUE_LUA, UPDATE_ISSUE_STATUS_LUA } from './issue-workflow.script';
export { ISSUE_HISTORY_LIMIT, VERSION_ORDER_LUA } from './issue-lua.shared';
export * from './redis.module';
export * from './list-snapshot.store';
export * from './issue-state-rebuild.store';

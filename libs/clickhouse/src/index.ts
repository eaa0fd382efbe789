export * from './sql';
export * from './clickhouse.client';
export * from './migrate';
export * from './cursor';
export * from './occurrence-row';
export * from './occurrence.repository';
export * from './issue-row';
export * from './issue.repository';

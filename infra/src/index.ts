/**
 * Local stack: start/stop of our own Redis, ClickHouse and Kafka mock plus the four services, for
 * `npm run up|down|start`, `npm run migrate` and the integration/e2e global setups. Development and
 * test tooling only; production runs real Kafka and ClickHouse (see helm/).
 */
export * from './stack-config';
export * from './state-dir';
export * from './process-supervisor';
export * from './readiness';
export * from './net-probes';
export * from './redis-server';
export * from './redis-cluster';
export * from './clickhouse-server';
export * from './clickhouse-cluster';
export * from './kafka-mock';
export * from './topics';
export * from './migrations';
export * from './services';
export * from './stack';

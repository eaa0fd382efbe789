export * from './logger';
export * from './metrics';
export * from './health.registry';
export * from './health.module';
export * from './service-bootstrap';
export * from './shutdown-signals';

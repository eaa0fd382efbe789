export * from './kafka.factory';
export * from './kafka.producer';
export * from './topics.admin';
export * from './pending-batch';
export * from './invalid-ratio.guard';
export * from './retry';
export * from './batching-consumer';
export * from './kafka.module';

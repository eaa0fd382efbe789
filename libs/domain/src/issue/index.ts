export * from './compare-versions';
export * from './version-order.cases';
export * from './issue-event';
export * from './auto-resolve';
export * from './counter-rebuild';
export * from './tracked-values';

export * from './load-config';
export * from './schemas/fragments';
export * from './schemas/ingestion.config';
export * from './schemas/fingerprinter.config';
export * from './schemas/aggregator.config';
export * from './schemas/gateway.config';

export * from './audit';
export * from './cost';
export * from './evals';
export * from './quotas';
export * from './slo';
export * from './running';

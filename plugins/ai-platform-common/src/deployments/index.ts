export * from './types';
export * from './canary';
export * from './running';

export * from './types';
export * from './canary';

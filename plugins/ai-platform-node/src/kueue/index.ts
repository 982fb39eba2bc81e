export * from './kueueApi';

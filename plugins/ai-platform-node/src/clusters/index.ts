export * from './readClusterConfigs';

export * from './readClusterConfigs';
export * from './kubeConfigOptions';

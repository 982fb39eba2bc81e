export * from './readClusterConfigs';
export * from './kubeConfigOptions';
export * from './connectToCluster';

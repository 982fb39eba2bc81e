import { ConfigReader } from '@backstage/config';
import {
  ClusterNotConfiguredError,
  findClusterConfig,
  readClusterConfigs,
} from './readClusterConfigs';

const config = new ConfigReader({
  kubernetes: {
    serviceLocatorMethod: { type: 'multiTenant' },
    clusterLocatorMethods: [
      { type: 'catalog' },
      {
        type: 'config',
        clusters: [
          {
            name: 'gpu-us-east',
            title: 'GPU us-east',
            url: 'https://10.0.0.1:6443',
            authProvider: 'serviceAccount',
            serviceAccountToken: 'token-abc',
            caData: 'LS0tLS1CRUdJTi==',
          },
          {
            name: 'gpu-eu-west',
            url: 'https://10.0.0.2:6443',
            authProvider: 'serviceAccount',
            caFile: '/etc/ca/eu.crt',
          },
          {
            name: 'dev',
            url: 'https://127.0.0.1:6443',
            authProvider: 'google',
            skipTLSVerify: true,
          },
        ],
      },
    ],
  },
});

describe('readClusterConfigs', () => {
  const clusters = readClusterConfigs(config);

  it('reads clusters of type config with each auth variant, skipping other locators', () => {
    expect(clusters).toEqual([
      {
        name: 'gpu-us-east',
        title: 'GPU us-east',
        url: 'https://10.0.0.1:6443',
        auth: { provider: 'serviceAccount', token: 'token-abc' },
        caData: 'LS0tLS1CRUdJTi==',
        caFile: undefined,
        skipTLSVerify: false,
      },
      {
        name: 'gpu-eu-west',
        title: undefined,
        url: 'https://10.0.0.2:6443',
        auth: { provider: 'serviceAccount', token: undefined },
        caData: undefined,
        caFile: '/etc/ca/eu.crt',
        skipTLSVerify: false,
      },
      {
        name: 'dev',
        title: undefined,
        url: 'https://127.0.0.1:6443',
        auth: { provider: 'google' },
        caData: undefined,
        caFile: undefined,
        skipTLSVerify: true,
      },
    ]);
  });

  it('finds the cluster a pool names', () => {
    expect(findClusterConfig(clusters, 'gpu-eu-west').url).toBe(
      'https://10.0.0.2:6443',
    );
  });

  it('names the missing config when a pool names an unknown cluster', () => {
    expect(() =>
      findClusterConfig(clusters, 'gpu-ap-south', 'gpupool:default/l4-apac'),
    ).toThrow(
      'gpupool:default/l4-apac runs on cluster "gpu-ap-south", which is not configured: add it under kubernetes.clusterLocatorMethods (type: config) as clusters[].name: gpu-ap-south with its url and authProvider (configured clusters: gpu-us-east, gpu-eu-west, dev)',
    );
    expect(() => findClusterConfig([], 'x')).toThrow(ClusterNotConfiguredError);
    expect(() => findClusterConfig([], 'x')).toThrow(
      '(no clusters are configured)',
    );
  });

  it('reads nothing when the Kubernetes plugin is not configured', () => {
    expect(readClusterConfigs(new ConfigReader({}))).toEqual([]);
  });
});

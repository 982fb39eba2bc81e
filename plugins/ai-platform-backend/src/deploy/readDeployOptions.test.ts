import { ConfigReader } from '@backstage/config';
import { readDeployOptions } from './types';

const read = (deploy?: object) =>
  readDeployOptions(new ConfigReader(deploy ? { aiPlatform: { deploy } } : {}));

describe('readDeployOptions', () => {
  it('applies the documented defaults', () => {
    expect(read()).toEqual({
      rolloutTimeoutMs: 1_800_000,
      progressIntervalMs: 5000,
      requestTimeoutMs: 30_000,
      forceConflicts: false,
      unreachableClusters: 'fail',
      autoscaling: {
        type: 'hpa',
        targetRequestsWaiting: 5,
        prometheusServerAddress: undefined,
      },
      namespaces: { mapping: {}, systemNamespaces: [], cacheTtlMs: 30_000 },
    });
  });

  it('reads who owns which namespace of which cluster, and the system namespaces', () => {
    expect(
      read({
        namespaces: {
          'gpu-us-east': {
            chat: ['group:default/applied-ml'],
            support: ['data-science', 'group:default/ml-platform'],
          },
        },
        systemNamespaces: ['monitoring'],
        namespaceOwnersCacheSeconds: 5,
      }).namespaces,
    ).toEqual({
      mapping: {
        'gpu-us-east': {
          chat: ['group:default/applied-ml'],
          support: ['data-science', 'group:default/ml-platform'],
        },
      },
      systemNamespaces: ['monitoring'],
      cacheTtlMs: 5000,
    });
    expect(() =>
      read({ namespaces: { 'gpu-us-east': { chat: 'applied-ml' } } }),
    ).toThrow(
      'aiPlatform.deploy.namespaces.gpu-us-east.chat must be a list of group refs, such as [group:default/applied-ml]',
    );
  });

  it('renders a ServiceMonitor only when enabled, with its interval', () => {
    expect(read({ serviceMonitor: { enabled: true } }).serviceMonitor).toEqual({
      interval: '30s',
    });
    expect(
      read({ serviceMonitor: { enabled: true, interval: '15s' } })
        .serviceMonitor,
    ).toEqual({ interval: '15s' });
    expect(
      read({ serviceMonitor: { enabled: false } }).serviceMonitor,
    ).toBeUndefined();
  });

  it('renders the SLO PrometheusRule only when enabled', () => {
    expect(read({ prometheusRules: { enabled: true } }).prometheusRules).toBe(
      true,
    );
    expect(
      read({ prometheusRules: { enabled: false } }).prometheusRules,
    ).toBeUndefined();
    expect(read({}).prometheusRules).toBeUndefined();
  });

  it('renders a NetworkPolicy only when enabled, with its sources', () => {
    expect(read({ networkPolicy: { enabled: true } }).networkPolicy).toEqual({
      allowSameNamespace: true,
      allowFromNamespaces: [],
      allowFromPodLabels: {},
    });
    expect(
      read({
        networkPolicy: {
          enabled: true,
          allowSameNamespace: false,
          allowFromNamespaces: ['ingress-nginx', 'monitoring'],
          allowFromPodLabels: { 'app.kubernetes.io/name': 'gateway' },
        },
      }).networkPolicy,
    ).toEqual({
      allowSameNamespace: false,
      allowFromNamespaces: ['ingress-nginx', 'monitoring'],
      allowFromPodLabels: { 'app.kubernetes.io/name': 'gateway' },
    });
    expect(
      read({ networkPolicy: { enabled: false } }).networkPolicy,
    ).toBeUndefined();
  });

  it('reads the clusters the demo simulates, from aiPlatform.demo', () => {
    expect(
      readDeployOptions(
        new ConfigReader({
          aiPlatform: { demo: { simulatedClusters: ['gpu-us-east'] } },
        }),
      ).simulatedClusters,
    ).toEqual(['gpu-us-east']);
    expect(read().simulatedClusters).toBeUndefined();
  });

  it('names the setting and the value it refuses', () => {
    expect(() =>
      read({ serviceMonitor: { enabled: true, interval: 'often' } }),
    ).toThrow(
      'aiPlatform.deploy.serviceMonitor.interval must be a Prometheus duration such as 30s or 1m, not "often"',
    );
    expect(() => read({ autoscaling: { type: 'vpa' } })).toThrow(
      'aiPlatform.deploy.autoscaling.type must be "hpa" or "keda", not "vpa"',
    );
    expect(() => read({ unreachableClusters: 'ignore' })).toThrow(
      'aiPlatform.deploy.unreachableClusters must be "fail" or "check-only", not "ignore"',
    );
  });
});

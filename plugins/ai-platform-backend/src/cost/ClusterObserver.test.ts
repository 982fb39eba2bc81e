import {
  startFakeKubeApiServer,
  type KubeObject,
} from '@internal/fake-kube-apiserver';
import { ClusterClients } from '../deploy/ClusterClients';
import { KubernetesClusterClient } from '../deploy/kube/KubernetesClusterClient';
import { ClusterObserver } from './ClusterObserver';

jest.setTimeout(60_000);

const pod = (name: string, labelled = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'chat',
    labels: labelled ? { 'backstage.io/kubernetes-id': 'chat' } : {},
  },
  spec: {
    nodeName: 'gpu-1',
    containers: [
      {
        name: 'vllm',
        image: 'vllm/vllm-openai',
        resources: {
          requests: { 'nvidia.com/gpu': '2', cpu: '4' },
          limits: { 'nvidia.com/gpu': '2' },
        },
      },
    ],
  },
  status: { phase: 'Running', startTime: '2026-12-07T10:00:00Z' },
});

describe('ClusterObserver', () => {
  it('lists the labelled Pods and Deployments of every namespace page by page, and starts over when the list expires between pages', async () => {
    const server = await startFakeKubeApiServer({
      controllers: false,
      namespaces: ['default', 'chat'],
      seed: [
        ...['a', 'b', 'c', 'd', 'e'].map(n => pod(n)),
        pod('unlabelled', false),
      ],
    });
    try {
      const observer = new ClusterObserver({
        pageSize: 2,
        clusters: new ClusterClients({
          clusters: [server.clusterConfig('gpu-a')],
          createClient: cluster => new KubernetesClusterClient({ cluster }),
        }),
      });
      // The second page of Pods answers 410 Expired once.
      server.injectFault({
        kind: 'status',
        code: 410,
        reason: 'Expired',
        method: 'GET',
        path: /^\/api\/v1\/pods\?.*continue=/,
      });
      const observed = await observer.observe('gpu-a', 1_000);
      expect(observed.pods.map(p => p.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(observed.pods[0]).toEqual({
        namespace: 'chat',
        name: 'a',
        kubernetesId: 'chat',
        nodeName: 'gpu-1',
        phase: 'Running',
        requests: { 'nvidia.com/gpu': 2 },
        since: Date.parse('2026-12-07T10:00:00Z') / 1000,
      });
      // Deployments: 1 page; Pods: 1 page, the 410, then 3 pages again.
      expect(observed.requests).toBe(1 + 1 + 1 + 3);
      expect(
        server.requests.every(
          r => r.query.labelSelector === 'backstage.io/kubernetes-id',
        ),
      ).toBe(true);
      await expect(observer.observe('elsewhere', 0)).rejects.toThrow(
        'cluster elsewhere is not configured in kubernetes.clusterLocatorMethods',
      );
    } finally {
      await server.close();
    }
  });
});

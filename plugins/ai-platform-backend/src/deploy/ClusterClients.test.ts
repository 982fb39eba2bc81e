import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { ClusterClients } from './ClusterClients';
import type { KubernetesClusterClient } from './kube/KubernetesClusterClient';

const cluster: ClusterConfig = {
  name: 'gpu-eu-west',
  url: 'https://gpu-eu-west.example.com',
  auth: { provider: 'serviceAccount', token: 't' },
  skipTLSVerify: false,
};

describe('ClusterClients', () => {
  it('creates one client per cluster and keeps it', () => {
    const created: string[] = [];
    const clients = new ClusterClients({
      clusters: [cluster],
      createClient: c => {
        created.push(c.name);
        return { cluster: c.name } as unknown as KubernetesClusterClient;
      },
    });
    const first = clients.client(cluster);
    expect(clients.client(cluster)).toBe(first);
    expect(created).toEqual(['gpu-eu-west']);
  });

  it('finds a pool’s cluster, or says that it is not configured', () => {
    const clients = new ClusterClients({
      clusters: [cluster],
      createClient: () => {
        throw new Error('not expected');
      },
    });
    expect(clients.target('gpu-eu-west', 'gpupool:default/l4')).toEqual({
      cluster,
    });
    const missing = clients.target('gpu-us-east', 'gpupool:default/h100');
    expect('notConfigured' in missing && missing.notConfigured).toEqual(
      expect.stringContaining('gpu-us-east'),
    );
  });
});

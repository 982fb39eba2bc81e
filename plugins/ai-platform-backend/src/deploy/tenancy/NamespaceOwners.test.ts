import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import {
  canonicalOwners,
  isSystemNamespace,
  NamespaceOwners,
} from './NamespaceOwners';

jest.setTimeout(30_000);

describe('NamespaceOwners', () => {
  let server: FakeKubeApiServer;
  let client: KubernetesClusterClient;
  let clock = 0;

  beforeAll(async () => {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'fake-token',
      seed: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'chat',
            annotations: {
              'ai-platform.io/owners':
                'group:default/applied-ml, search-relevance',
            },
          },
        },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } },
      ],
    });
    client = new KubernetesClusterClient({
      cluster: server.clusterConfig('gpu-eu-west') as ClusterConfig,
      requestTimeoutMs: 2000,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  const owners = (mapping: Record<string, Record<string, string[]>> = {}) =>
    new NamespaceOwners({
      mapping,
      systemNamespaces: ['monitoring'],
      cacheTtlMs: 1000,
      clientOf: cluster => (cluster === 'gpu-eu-west' ? client : undefined),
      now: () => clock,
    });

  it('reads the owners from the Namespace annotation, canonical', async () => {
    expect(await owners().ownership('gpu-eu-west', 'chat')).toEqual({
      cluster: 'gpu-eu-west',
      namespace: 'chat',
      owners: ['group:default/applied-ml', 'group:default/search-relevance'],
      sources: ['cluster'],
      system: false,
    });
  });

  it('adds the owners config names, and says when neither source names any', async () => {
    const withConfig = owners({
      'gpu-eu-west': { chat: ['data-science'], bare: ['group:default/x'] },
    });
    expect(await withConfig.ownership('gpu-eu-west', 'chat')).toMatchObject({
      owners: [
        'group:default/applied-ml',
        'group:default/data-science',
        'group:default/search-relevance',
      ],
      sources: ['cluster', 'config'],
    });
    expect(await withConfig.ownership('gpu-eu-west', 'bare')).toMatchObject({
      owners: ['group:default/x'],
      sources: ['config'],
    });
    expect(await owners().ownership('gpu-eu-west', 'bare')).toEqual({
      cluster: 'gpu-eu-west',
      namespace: 'bare',
      sources: [],
      system: false,
    });
    expect(await owners().ownership('gpu-eu-west', 'nope')).toMatchObject({
      missing: true,
      sources: [],
    });
  });

  it('lets config decide when the cluster cannot be asked, and says why', async () => {
    const mapped = owners({ 'gpu-us-east': { chat: ['applied-ml'] } });
    expect(await mapped.ownership('gpu-us-east', 'chat')).toEqual({
      cluster: 'gpu-us-east',
      namespace: 'chat',
      owners: ['group:default/applied-ml'],
      sources: ['config'],
      system: false,
      clusterError:
        'cluster gpu-us-east is not configured in kubernetes.clusterLocatorMethods',
    });
    server.injectFault({
      method: 'GET',
      path: '/api/v1/namespaces/chat',
      kind: 'status',
      code: 503,
    });
    const answer = await owners().ownership('gpu-eu-west', 'chat');
    expect(answer.owners).toBeUndefined();
    expect(answer.clusterError).toContain('503');
  });

  it('reuses an answer of the cluster for the cache time, not an error', async () => {
    const cached = owners();
    server.clearRequests();
    await cached.ownership('gpu-eu-west', 'chat');
    await cached.ownership('gpu-eu-west', 'chat');
    const reads = () =>
      server.requests.filter(r => r.path === '/api/v1/namespaces/chat').length;
    expect(reads()).toBe(1);
    clock += 1001;
    await cached.ownership('gpu-eu-west', 'chat');
    expect(reads()).toBe(2);
  });

  it('marks system namespaces: kube-*, default and the configured ones', async () => {
    expect(isSystemNamespace('kube-system', [])).toBe(true);
    expect(isSystemNamespace('kube-public', [])).toBe(true);
    expect(isSystemNamespace('default', [])).toBe(true);
    expect(isSystemNamespace('monitoring', ['monitoring'])).toBe(true);
    expect(isSystemNamespace('chat', ['monitoring'])).toBe(false);
    expect((await owners().ownership('gpu-eu-west', 'monitoring')).system).toBe(
      true,
    );
  });

  it('reads owner lists leniently: group by default, sorted, no duplicates, no junk', () => {
    expect(
      canonicalOwners([
        'b',
        ' group:default/a ',
        'a',
        '',
        'user:default/u',
        '::',
      ]),
    ).toEqual(['group:default/a', 'group:default/b', 'user:default/u']);
  });
});

import type { Entity } from '@backstage/catalog-model';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { simulationFromConfig, readSimulationConfig } from './config';
import {
  groupRef,
  readExampleEntities,
  simulatedClusterSpec,
} from './examples';
import { startSimulatedClusters } from './startSimulatedClusters';

const examplesDir = path.resolve(__dirname, '../../../../examples');
const repoRoot = path.resolve(__dirname, '../../../..');

describe('simulatedClusterSpec from the example catalog', () => {
  const entities = readExampleEntities(examplesDir);
  const endpoints = entities.filter(
    e => e.kind === 'InferenceEndpoint',
  ) as Array<
    Entity & { spec: { namespace: string; owner: string; gpuPool: string } }
  >;
  const pools = entities.filter(e => e.kind === 'GpuPool') as Array<
    Entity & { spec: { cluster: string } }
  >;

  it('reads the example files, not the deliberately invalid ones', () => {
    expect(pools.length).toBeGreaterThanOrEqual(2);
    expect(endpoints.length).toBeGreaterThanOrEqual(2);
    expect(entities.some(e => e.metadata.name === 'h100-inference')).toBe(true);
  });

  it('gives each pool perNode GPUs on ceil(count / perNode) nodes, labelled as GPU Feature Discovery labels them', () => {
    const east = simulatedClusterSpec('gpu-us-east', entities);
    expect(east.pools).toEqual(['h100-inference', 'a100-mig-3g']);
    const h100 = east.nodes.filter(n => n.name.startsWith('h100-inference-'));
    expect(h100).toHaveLength(4); // 32 GPUs, 8 per node
    expect(h100[0]).toEqual({
      name: 'h100-inference-1',
      labels: {
        'nvidia.com/gpu.present': 'true',
        'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
        'nvidia.com/gpu.memory': '81920',
        'nvidia.com/gpu.count': '8',
        'topology.kubernetes.io/region': 'us-east-1',
        'ai-platform.io/simulated-node': 'true',
      },
      allocatable: {
        'nvidia.com/gpu': '8',
        cpu: '96',
        memory: '960Gi',
        pods: '110',
      },
      // The pool tolerates nvidia.com/gpu:NoSchedule (Exists).
      taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
    });
    // MIG, mixed strategy: the slice resource and its labels; the pool's
    // nodeSelector (the whole GPU's product, the strategy) on the node.
    const mig = east.nodes.filter(n => n.name.startsWith('a100-mig-3g-'));
    expect(mig).toHaveLength(2);
    expect(mig[0].allocatable).toMatchObject({ 'nvidia.com/mig-3g.20gb': '8' });
    expect(mig[0].labels).toMatchObject({
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB',
      'nvidia.com/mig.strategy': 'mixed',
      'nvidia.com/mig-3g.20gb.product': 'NVIDIA-A100-SXM4-40GB-MIG-3g.20gb',
      'nvidia.com/mig-3g.20gb.count': '8',
    });

    const west = simulatedClusterSpec('gpu-eu-west', entities);
    const shared = west.nodes.filter(n =>
      n.name.startsWith('l4-dev-timesliced-'),
    );
    expect(shared).toHaveLength(1);
    expect(shared[0].allocatable).toMatchObject({
      'nvidia.com/gpu.shared': '16',
    });
    expect(shared[0].labels).toMatchObject({
      'nvidia.com/gpu.product': 'NVIDIA-L4-SHARED',
      'nvidia.com/gpu.sharing-strategy': 'time-slicing',
    });
    // No tolerations, no taint.
    expect(shared[0].taints).toBeUndefined();
    // Every node of every pool on the cluster, and none of another cluster.
    expect(west.nodes.every(n => !n.name.startsWith('h100'))).toBe(true);
  });

  it("creates every example endpoint's namespace, owned by the endpoint's owner, on its pool's cluster", () => {
    for (const cluster of ['gpu-us-east', 'gpu-eu-west']) {
      const spec = simulatedClusterSpec(cluster, entities);
      const owners = new Map(
        spec.namespaces.map(n => [
          n.metadata.name,
          n.metadata.annotations!['ai-platform.io/owners'].split(','),
        ]),
      );
      for (const endpoint of endpoints) {
        const pool = pools.find(
          p => `gpupool:default/${p.metadata.name}` === endpoint.spec.gpuPool,
        )!;
        if (pool.spec.cluster !== cluster) continue;
        expect(owners.get(endpoint.spec.namespace)).toContain(
          groupRef(endpoint.spec.owner),
        );
      }
    }
    const east = simulatedClusterSpec('gpu-us-east', entities);
    // A team namespace per team with quota on the cluster's pools.
    expect(
      east.namespaces.find(n => n.metadata.name === 'applied-ml')?.metadata
        .annotations,
    ).toEqual({ 'ai-platform.io/owners': 'group:default/applied-ml' });
  });

  it("adds the pools' Kueue queues and serves the groups the portal uses", () => {
    const east = simulatedClusterSpec('gpu-us-east', entities);
    expect(east.groups).toEqual([
      'kueue',
      'keda',
      'prometheus-operator',
      'kserve',
      'kserve-v1alpha1',
    ]);
    const queue = east.kueue.find(o => o.kind === 'ClusterQueue')!;
    expect(queue.metadata.name).toBe('h100-inference');
    expect(queue.spec).toMatchObject({
      resourceGroups: [
        {
          coveredResources: ['nvidia.com/gpu'],
          flavors: [
            {
              name: 'h100-80gb',
              resources: [{ name: 'nvidia.com/gpu', nominalQuota: '32' }],
            },
          ],
        },
      ],
    });
    expect(
      east.kueue
        .filter(o => o.kind === 'LocalQueue')
        .map(o => o.metadata.namespace),
    ).toEqual(east.namespaces.map(n => n.metadata.name));
  });

  it('derives taints from Equal tolerations and rounds the node count up', () => {
    const spec = simulatedClusterSpec('c', [
      {
        apiVersion: 'ai-platform.io/v1alpha1',
        kind: 'GpuPool',
        metadata: { name: 'odd' },
        spec: {
          type: 'dedicated',
          owner: 'ml-platform',
          lifecycle: 'production',
          cluster: 'c',
          gpu: { product: 'NVIDIA-A10G', memoryGiB: 24, count: 10, perNode: 4 },
          tolerations: [
            {
              key: 'dedicated',
              operator: 'Equal',
              value: 'inference',
              effect: 'NoExecute',
            },
          ],
          quotas: [{ team: 'team-x', gpus: 4 }],
        },
      },
    ]);
    expect(spec.nodes.map(n => n.name)).toEqual(['odd-1', 'odd-2', 'odd-3']);
    expect(spec.nodes[0].taints).toEqual([
      { key: 'dedicated', value: 'inference', effect: 'NoExecute' },
    ]);
    expect(spec.namespaces.map(n => n.metadata.name)).toEqual(['team-x']);
    expect(spec.kueue).toEqual([]);
  });
});

describe('simulationFromConfig', () => {
  const kubernetes = (clusters: unknown[]) => ({
    clusterLocatorMethods: [{ type: 'config', clusters }],
  });

  it('reads the demo configuration: app-config.yaml with app-config.simulated.yaml', () => {
    const config = readSimulationConfig([
      path.join(repoRoot, 'app-config.yaml'),
      path.join(repoRoot, 'app-config.simulated.yaml'),
    ]);
    expect(config.clusters.map(c => c.name)).toEqual([
      'gpu-us-east',
      'gpu-eu-west',
    ]);
    expect(config.clusters[0]).toMatchObject({
      url: 'http://127.0.0.1:16443',
      port: 16443,
      token: expect.any(String),
      groups: ['argo-rollouts'],
    });
    // One cluster with Argo Rollouts, one with only the Gateway API.
    expect(config.clusters[0].gateways).toBeUndefined();
    expect(config.clusters[1]).toMatchObject({
      groups: ['gateway-api'],
      gateways: [{ namespace: 'gateway-system', name: 'inference-gateway' }],
    });
    expect(config.metrics).toEqual({
      port: 19090,
      routes: [
        { path: '/clusters/gpu-us-east', clusters: ['gpu-us-east'] },
        { path: '/clusters/gpu-eu-west', clusters: ['gpu-eu-west'] },
      ],
    });
    // The browser tests simulate gpu-us-east only, with Argo Rollouts.
    expect(
      readSimulationConfig(
        [
          'app-config.yaml',
          'app-config.simulated.yaml',
          'app-config.e2e.yaml',
        ].map(f => path.join(repoRoot, f)),
      ).clusters,
    ).toEqual([
      expect.objectContaining({
        name: 'gpu-us-east',
        groups: ['argo-rollouts'],
      }),
    ]);
    // app-config.yaml alone simulates nothing.
    expect(
      readSimulationConfig([path.join(repoRoot, 'app-config.yaml')]),
    ).toEqual({ clusters: [] });
  });

  it('names what is wrong with a cluster entry', () => {
    const demo = { demo: { simulatedClusters: ['a'] } };
    expect(() =>
      simulationFromConfig({ aiPlatform: demo, kubernetes: kubernetes([]) }),
    ).toThrow(
      'aiPlatform.demo.simulatedClusters names a, which kubernetes.clusterLocatorMethods (type config) does not configure',
    );
    expect(() =>
      simulationFromConfig({
        aiPlatform: demo,
        kubernetes: kubernetes([
          { name: 'a', url: 'https://10.0.0.1:6443', skipTLSVerify: true },
        ]),
      }),
    ).toThrow('expected http://127.0.0.1:<port>, got https://10.0.0.1:6443');
    expect(() =>
      simulationFromConfig({
        aiPlatform: demo,
        kubernetes: kubernetes([{ name: 'a', url: 'http://127.0.0.1:1234' }]),
      }),
    ).toThrow('needs skipTLSVerify: true');
  });

  it('names what is wrong with simulatedClusterApis', () => {
    const base = {
      kubernetes: kubernetes([
        { name: 'a', url: 'http://127.0.0.1:1001', skipTLSVerify: true },
      ]),
    };
    const withApis = (apis: unknown) =>
      simulationFromConfig({
        ...base,
        aiPlatform: {
          demo: { simulatedClusters: ['a'], simulatedClusterApis: apis },
        },
      });
    expect(() => withApis({ a: { groups: ['istio'] } })).toThrow(
      'aiPlatform.demo.simulatedClusterApis.a.groups must list API groups out of argo-rollouts, gateway-api; got ["istio"]',
    );
    // A cluster that is not simulated here is left alone.
    expect(withApis({ b: { groups: ['istio'] } }).clusters).toEqual([
      expect.not.objectContaining({ groups: expect.anything() }),
    ]);
    expect(() =>
      withApis({ a: { gateways: [{ namespace: 'gw', name: 'g' }] } }),
    ).toThrow('the cluster must serve gateway-api');
    expect(() =>
      withApis({ a: { groups: ['gateway-api'], gateways: [{ name: 'g' }] } }),
    ).toThrow('gateways must be a list of { namespace, name, className? }');
  });

  it('serves metrics only for a loopback Prometheus, under one port', () => {
    const base = {
      kubernetes: kubernetes([
        { name: 'a', url: 'http://127.0.0.1:1001', skipTLSVerify: true },
        { name: 'b', url: 'http://127.0.0.1:1002', skipTLSVerify: true },
      ]),
    };
    expect(
      simulationFromConfig({
        ...base,
        aiPlatform: {
          demo: { simulatedClusters: ['a', 'b'] },
          cost: { prometheus: { url: 'http://prometheus.monitoring:9090' } },
        },
      }).metrics,
    ).toBeUndefined();
    expect(
      simulationFromConfig({
        ...base,
        aiPlatform: {
          demo: { simulatedClusters: ['a', 'b'] },
          cost: { prometheus: { url: 'http://127.0.0.1:9090/' } },
        },
      }).metrics,
    ).toEqual({ port: 9090, routes: [{ path: '', clusters: ['a', 'b'] }] });
    expect(() =>
      simulationFromConfig({
        ...base,
        aiPlatform: {
          demo: { simulatedClusters: ['a', 'b'] },
          cost: {
            prometheus: {
              clusters: {
                a: { url: 'http://127.0.0.1:9090/a' },
                b: { url: 'http://127.0.0.1:9091/b' },
              },
            },
          },
        },
      }),
    ).toThrow('the simulated Prometheus answers on one port (9090)');
  });
});

describe('startSimulatedClusters', () => {
  it('serves the extra API groups a cluster is configured with, and its Gateways from the start', async () => {
    const entities = readExampleEntities(examplesDir);
    const running = await startSimulatedClusters({
      clusters: [
        {
          name: 'gpu-eu-west',
          url: '',
          port: 0,
          groups: ['gateway-api'],
          gateways: [
            { namespace: 'gateway-system', name: 'inference-gateway' },
          ],
        },
        { name: 'gpu-us-east', url: '', port: 0, groups: ['argo-rollouts'] },
      ],
      entities,
      rolloutDelayMs: 0,
    });
    try {
      const [west, east] = running.servers.map(s => s.server);
      const groupsOf = async (url: string) =>
        JSON.stringify(await fetch(`${url}/apis`).then(r => r.json()));
      expect(await groupsOf(west.url)).toContain('gateway.networking.k8s.io');
      expect(await groupsOf(west.url)).not.toContain('argoproj.io');
      expect(await groupsOf(east.url)).toContain('argoproj.io');
      expect(await groupsOf(east.url)).not.toContain(
        'gateway.networking.k8s.io',
      );
      const gateway = await west.waitForObject(
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          namespace: 'gateway-system',
          name: 'inference-gateway',
        },
        o =>
          (
            o?.status as {
              conditions?: Array<{ type: string; status: string }>;
            }
          )?.conditions?.some(
            c => c.type === 'Programmed' && c.status === 'True',
          ) ?? false,
      );
      expect(gateway?.spec).toMatchObject({ gatewayClassName: 'simulated' });
    } finally {
      await running.close();
    }
  });

  it('serves each cluster on its port with its token, and keeps what was deployed in its state file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulated-clusters-'));
    const entities = readExampleEntities(examplesDir);
    const clusters = [
      { name: 'gpu-eu-west', url: '', port: 0, token: 'demo-token' },
    ];
    const lines: string[] = [];
    const first = await startSimulatedClusters({
      clusters,
      entities,
      stateDir: dir,
      rolloutDelayMs: 0,
      log: line => lines.push(line),
    });
    try {
      const { server } = first.servers[0];
      expect((await fetch(`${server.url}/api/v1/nodes`)).status).toBe(401);
      const nodes = await fetch(`${server.url}/api/v1/nodes`, {
        headers: { Authorization: 'Bearer demo-token' },
      }).then(r => r.json());
      expect(nodes.items.map((n: Entity) => n.metadata.name)).toContain(
        'l4-inference-1',
      );
      expect(lines[0]).toMatch(
        /^Simulated cluster gpu-eu-west on http:\/\/127\.0\.0\.1:\d+: 5 GPU nodes \(32 GPUs\) for pools l4-inference, l4-dev-timesliced; namespaces .*chat.*; state in .*gpu-eu-west\.json$/,
      );
      server.seed([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'kept', namespace: 'chat' },
        },
      ]);
      // A node that no example pool derives any more.
      server.addNode({
        name: 'retired-1',
        labels: { 'ai-platform.io/simulated-node': 'true' },
      });
    } finally {
      await first.close();
    }
    const second = await startSimulatedClusters({
      clusters,
      entities,
      stateDir: dir,
      rolloutDelayMs: 0,
    });
    try {
      const { server } = second.servers[0];
      expect(
        server.getObject({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'chat',
          name: 'kept',
        }),
      ).toBeDefined();
      expect(
        server.getObject({ apiVersion: 'v1', kind: 'Node', name: 'retired-1' }),
      ).toBeUndefined();
    } finally {
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

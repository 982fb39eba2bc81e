import {
  type FakeKubeApiServer,
  kueueClusterQueue,
  kueueGroup,
  kueueLocalQueue,
  kueueResourceFlavor,
  type KueueVersion,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import { deriveGpuPools } from './deriveGpuPools';
import { readClusterInventory } from './readClusterInventory';
import { h100Node } from './__testUtils__/gfdNodes';

// The first test loads @kubernetes/client-node, which takes a few seconds.
jest.setTimeout(30_000);

/** A cluster with Kueue objects, each written in `version`'s own field names. */
const kueueSeed = (version: KueueVersion) => [
  kueueResourceFlavor(version, {
    name: 'h100',
    nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
  }),
  kueueClusterQueue(version, {
    name: 'h100-inference',
    cohort: 'inference',
    resourceGroups: [
      {
        coveredResources: ['nvidia.com/gpu'],
        flavors: [
          {
            name: 'h100',
            resources: [{ name: 'nvidia.com/gpu', nominalQuota: 16 }],
          },
        ],
      },
    ],
  }),
  kueueLocalQueue(version, {
    namespace: 'team-a',
    name: 'gpu',
    clusterQueue: 'h100-inference',
    status: {
      flavorsUsage: [
        { name: 'h100', resources: [{ name: 'nvidia.com/gpu', total: 2 }] },
      ],
    },
  }),
];

describe('readClusterInventory', () => {
  let server: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each<KueueVersion>(['v1beta2', 'v1beta1'])(
    'reads Kueue %s, found through discovery, into the same inventory',
    async version => {
      server = await startFakeKubeApiServer({
        token: 't',
        groups: [kueueGroup(version)],
        nodes: [h100Node('h100-a'), h100Node('h100-b')],
        seed: kueueSeed(version),
      });
      const inventory = await readClusterInventory(
        server.clusterConfig('gpu-us-east'),
        { timeoutMs: 5000 },
      );
      expect(inventory.kueue).toEqual({
        apiVersion: `kueue.x-k8s.io/${version}`,
        resourceFlavors: [
          {
            name: 'h100',
            nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
          },
        ],
        clusterQueues: [
          {
            name: 'h100-inference',
            cohort: 'inference',
            flavors: [
              {
                flavor: 'h100',
                resources: [{ name: 'nvidia.com/gpu', nominalQuota: '16' }],
              },
            ],
          },
        ],
        localQueues: [
          { namespace: 'team-a', name: 'gpu', clusterQueue: 'h100-inference' },
        ],
      });
      const kueuePaths = server.requests
        .map(r => r.path)
        .filter(p => p.startsWith('/apis/kueue.x-k8s.io'))
        .sort();
      expect(kueuePaths).toEqual(
        [
          ...(version === 'v1beta1' ? ['/apis/kueue.x-k8s.io/v1beta2'] : []),
          `/apis/kueue.x-k8s.io/${version}`,
          `/apis/kueue.x-k8s.io/${version}/clusterqueues`,
          `/apis/kueue.x-k8s.io/${version}/localqueues`,
          `/apis/kueue.x-k8s.io/${version}/resourceflavors`,
        ].sort(),
      );
      // Discovery derives the same pool, queue and flavor from either version.
      const { pools } = deriveGpuPools(inventory, {
        cluster: 'gpu-us-east',
        owner: 'group:default/ml-platform',
        lifecycle: 'production',
        namespace: 'default',
      });
      expect(pools.map(p => p.entity.spec.kueue)).toEqual([
        {
          resourceFlavor: 'h100',
          clusterQueue: 'h100-inference',
          localQueue: 'gpu',
        },
      ]);
      expect(pools[0].entity.spec.kueue).toEqual({
        resourceFlavor: 'h100',
        clusterQueue: 'h100-inference',
        localQueue: 'gpu',
      });
    },
  );

  it('has no Kueue inventory where the cluster serves no Kueue version, and fails nothing', async () => {
    server = await startFakeKubeApiServer({
      token: 't',
      nodes: [h100Node('h100-a')],
    });
    const inventory = await readClusterInventory(
      server.clusterConfig('gpu-us-east'),
      { timeoutMs: 5000 },
    );
    expect(inventory.kueue).toBeUndefined();
    expect(inventory.nodes).toHaveLength(1);
  });

  it('reports the deploy targets the cluster serves: a plain Deployment always, LLMInferenceService with the versions found', async () => {
    server = await startFakeKubeApiServer({
      token: 't',
      nodes: [h100Node('h100-a')],
    });
    const read = () =>
      readClusterInventory(server!.clusterConfig('gpu-us-east'), {
        timeoutMs: 5000,
      });
    expect((await read()).deployTargets).toEqual({ targets: ['deployment'] });
    server.installGroup('kserve-v1alpha1');
    expect((await read()).deployTargets).toEqual({
      targets: ['deployment', 'llm-inference-service'],
      llmInferenceServiceVersions: ['v1alpha1'],
    });
    server.installGroup('kserve');
    const inventory = await read();
    expect(inventory.deployTargets).toEqual({
      targets: ['deployment', 'llm-inference-service'],
      llmInferenceServiceVersions: ['v1alpha2', 'v1alpha1'],
    });
    // Every pool of the cluster says so.
    const { pools } = deriveGpuPools(inventory, {
      cluster: 'gpu-us-east',
      owner: 'group:default/ml-platform',
      lifecycle: 'production',
      namespace: 'default',
    });
    expect(pools[0].entity.metadata.annotations).toMatchObject({
      'ai-platform.io/discovered-deploy-targets':
        'deployment,llm-inference-service',
      'ai-platform.io/discovered-llm-inference-service-versions':
        'v1alpha2,v1alpha1',
    });
    expect(pools[0].figures.deployTargets).toEqual(inventory.deployTargets);
  });
});

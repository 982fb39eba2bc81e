import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  kueueClusterQueue,
  kueueLocalQueue,
  kueueResourceFlavor,
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import { DiscoveredCapacityProcessor } from './DiscoveredCapacityProcessor';
import { DiscoverySnapshot } from './DiscoverySnapshot';
import { GpuPoolDiscoveryProvider } from './GpuPoolDiscoveryProvider';
import { readDiscoveryConfig } from './readDiscoveryConfig';
import {
  a100MigNode,
  h100Node,
  l4TimeSlicedNode,
} from './__testUtils__/gfdNodes';

const yamlPool: Entity = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'GpuPool',
  metadata: {
    name: 'gpu-us-east-nvidia-h100-80gb-hbm3',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': 'file:/examples/gpu-pools.yaml',
    },
  },
  spec: {
    type: 'shared',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    cluster: 'gpu-us-east',
    gpu: { product: 'NVIDIA-H100-80GB-HBM3', memoryGiB: 80, count: 32 },
  },
};

/** A pod that uses GPUs, bound to a node, as the cluster's scheduler left it. */
const gpuPod = (name: string, node: string, resource: string, n: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'team-a' },
  spec: {
    nodeName: node,
    containers: [
      {
        name: 'main',
        image: 'x',
        resources: { limits: { [resource]: String(n) } },
      },
    ],
  },
  status: { phase: 'Running' },
});

const config = (data: object) =>
  mockServices.rootConfig({ data: data as never });

// The first test loads @kubernetes/client-node, which takes a few seconds.
jest.setTimeout(30_000);

describe('GpuPoolDiscoveryProvider', () => {
  let east: FakeKubeApiServer;
  let west: FakeKubeApiServer;

  beforeEach(async () => {
    east = await startFakeKubeApiServer({
      token: 'east-token',
      groups: ['kueue'],
      nodes: [h100Node('h100-a'), h100Node('h100-b'), a100MigNode('mig-a')],
      seed: [
        gpuPod('chat-1', 'h100-a', 'nvidia.com/gpu', 2),
        gpuPod('embed-1', 'mig-a', 'nvidia.com/mig-3g.40gb', 1),
        {
          ...gpuPod('done', 'h100-b', 'nvidia.com/gpu', 8),
          status: { phase: 'Succeeded' },
        },
        // Current Kueue (v0.20 serves kueue.x-k8s.io/v1beta2 alone);
        // readClusterInventory.test.ts covers older installs (v1beta1).
        kueueResourceFlavor('v1beta2', {
          name: 'h100',
          nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
        }),
        kueueClusterQueue('v1beta2', {
          name: 'h100-inference',
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
        kueueLocalQueue('v1beta2', {
          namespace: 'team-a',
          name: 'gpu',
          clusterQueue: 'h100-inference',
        }),
      ],
    });
    west = await startFakeKubeApiServer({
      token: 'west-token',
      nodes: [l4TimeSlicedNode('l4-a')],
    });
  });

  afterEach(async () => {
    await east.close();
    await west.close();
  });

  function setUp(options?: {
    catalogEntities?: Entity[];
    extraConfig?: object;
  }) {
    const rootConfig = config({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              east.clusterEntry('gpu-us-east'),
              west.clusterEntry('gpu-eu-west'),
            ],
          },
        ],
      },
      aiPlatform: {
        discovery: {
          enabled: true,
          requestTimeoutSeconds: 0.5,
          ...options?.extraConfig,
        },
      },
    });
    const settings = readDiscoveryConfig(rootConfig)!;
    const logger = mockServices.logger.mock();
    const catalog = catalogServiceMock({
      entities: options?.catalogEntities ?? [],
    });
    jest.spyOn(catalog, 'refreshEntity').mockResolvedValue();
    const snapshot = new DiscoverySnapshot();
    const provider = new GpuPoolDiscoveryProvider({
      settings,
      logger,
      catalog,
      auth: mockServices.auth(),
      snapshot,
    });
    const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
    return { provider, connection, logger, catalog, snapshot };
  }

  const emitted = (connection: { applyMutation: jest.Mock }, call = 0) =>
    connection.applyMutation.mock.calls[call][0].entities as Array<{
      entity: Entity;
      locationKey?: string;
    }>;

  it('keeps the pools of every cluster in the catalog, read through client-node with each token', async () => {
    const { provider, connection } = setUp();
    await provider.connect(connection as unknown as EntityProviderConnection);
    const result = await provider.run();

    expect(result).toEqual({
      clusters: [
        {
          cluster: 'gpu-us-east',
          status: 'ok',
          pools: [
            'gpupool:default/gpu-us-east-nvidia-a100-sxm4-80gb-mig-1g-10gb',
            'gpupool:default/gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb',
            'gpupool:default/gpu-us-east-nvidia-h100-80gb-hbm3',
          ],
          // Neither fake cluster serves KServe: plain Deployments only.
          deployTargets: { targets: ['deployment'] },
        },
        {
          cluster: 'gpu-eu-west',
          status: 'ok',
          pools: ['gpupool:default/gpu-eu-west-nvidia-l4-time-sliced'],
          deployTargets: { targets: ['deployment'] },
        },
      ],
      shadowed: [],
    });
    const entities = emitted(connection);
    expect(connection.applyMutation.mock.calls[0][0].type).toBe('full');
    expect(entities.every(e => e.locationKey === undefined)).toBe(true);
    const h100 = entities.find(
      e => e.entity.metadata.name === 'gpu-us-east-nvidia-h100-80gb-hbm3',
    )!.entity;
    expect(h100.metadata.annotations).toMatchObject({
      'ai-platform.io/discovered-capacity': '16',
      'ai-platform.io/discovered-allocatable': '16',
      // The Succeeded pod's 8 GPUs are not allocated.
      'ai-platform.io/discovered-allocated': '2',
    });
    expect(h100.spec).toMatchObject({
      kueue: {
        resourceFlavor: 'h100',
        clusterQueue: 'h100-inference',
        localQueue: 'gpu',
      },
    });
    const mig = entities.find(
      e =>
        e.entity.metadata.name ===
        'gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb',
    )!.entity;
    expect(
      mig.metadata.annotations?.['ai-platform.io/discovered-allocated'],
    ).toBe('1');
    expect(east.requests.every(r => r.status !== 401)).toBe(true);
    expect(east.requests.map(r => r.path)).toEqual(
      expect.arrayContaining([
        '/api/v1/nodes',
        '/api/v1/pods',
        '/apis/kueue.x-k8s.io/v1beta2',
        '/apis/kueue.x-k8s.io/v1beta2/clusterqueues',
        '/apis/kueue.x-k8s.io/v1beta2/resourceflavors',
      ]),
    );
    // Kueue is not installed in the west: its pools have no queue, and nothing failed.
    const l4 = entities.find(
      e => e.entity.metadata.name === 'gpu-eu-west-nvidia-l4-time-sliced',
    )!.entity;
    expect(l4.spec?.kueue).toBeUndefined();
  });

  it('reports a failing cluster and still lands the other cluster\u2019s pools', async () => {
    const { provider, connection, logger } = setUp();
    await provider.connect(connection as unknown as EntityProviderConnection);
    west.injectFault({
      path: '/api/v1/nodes',
      kind: 'status',
      code: 500,
      message: 'etcdserver: leader changed',
      times: Infinity,
    });
    const result = await provider.run();
    expect(result.clusters).toEqual([
      expect.objectContaining({ cluster: 'gpu-us-east', status: 'ok' }),
      {
        cluster: 'gpu-eu-west',
        status: 'failed',
        pools: [],
        error: 'HTTP 500: etcdserver: leader changed',
      },
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      'GPU pool discovery failed for cluster "gpu-eu-west": HTTP 500: etcdserver: leader changed',
      {
        cluster: 'gpu-eu-west',
        reason: 'HTTP 500: etcdserver: leader changed',
      },
    );
    expect(
      emitted(connection)
        .map(e => e.entity.metadata.name)
        .sort(),
    ).toEqual([
      'gpu-us-east-nvidia-a100-sxm4-80gb-mig-1g-10gb',
      'gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb',
      'gpu-us-east-nvidia-h100-80gb-hbm3',
    ]);
  });

  it('keeps a cluster\u2019s last good pools, marked with the error, when it stops answering', async () => {
    const { provider, connection, logger } = setUp();
    await provider.connect(connection as unknown as EntityProviderConnection);
    await provider.run();
    east.injectFault({ kind: 'timeout', times: Infinity });
    const second = await provider.run();
    expect(second.clusters[0]).toEqual({
      cluster: 'gpu-us-east',
      status: 'failed',
      pools: [
        'gpupool:default/gpu-us-east-nvidia-a100-sxm4-80gb-mig-1g-10gb',
        'gpupool:default/gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb',
        'gpupool:default/gpu-us-east-nvidia-h100-80gb-hbm3',
      ],
      error: 'no answer within 0.5 s',
    });
    const kept = emitted(connection, 1).filter(
      e => e.entity.spec?.cluster === 'gpu-us-east',
    );
    expect(kept).toHaveLength(3);
    for (const { entity } of kept) {
      expect(
        entity.metadata.annotations?.['ai-platform.io/discovery-error'],
      ).toBe('no answer within 0.5 s');
    }
    expect(
      emitted(connection, 1).some(
        e => e.entity.spec?.cluster === 'gpu-eu-west',
      ),
    ).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'GPU pool discovery failed for cluster "gpu-us-east"',
      ),
      expect.anything(),
    );
  });

  it('reports a cluster whose port is closed', async () => {
    const { provider, connection } = setUp();
    await provider.connect(connection as unknown as EntityProviderConnection);
    await west.close();
    const result = await provider.run();
    expect(result.clusters[1]).toMatchObject({
      cluster: 'gpu-eu-west',
      status: 'failed',
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(result.clusters[0].status).toBe('ok');
    west = await startFakeKubeApiServer();
  });

  it('never replaces a YAML pool of the same name: the discovered figures go beside it', async () => {
    const { provider, connection, catalog, snapshot } = setUp({
      catalogEntities: [yamlPool],
    });
    await provider.connect(connection as unknown as EntityProviderConnection);
    const result = await provider.run();
    expect(result.shadowed).toEqual([
      'gpupool:default/gpu-us-east-nvidia-h100-80gb-hbm3',
    ]);
    expect(emitted(connection).map(e => e.entity.metadata.name)).not.toContain(
      'gpu-us-east-nvidia-h100-80gb-hbm3',
    );
    expect(catalog.refreshEntity).toHaveBeenCalledWith(
      'gpupool:default/gpu-us-east-nvidia-h100-80gb-hbm3',
      expect.anything(),
    );

    const processor = new DiscoveredCapacityProcessor(snapshot);
    const processed = await processor.preProcessEntity(yamlPool);
    expect(processed.spec).toEqual(yamlPool.spec);
    expect(processed.metadata.annotations).toEqual({
      'backstage.io/managed-by-location': 'file:/examples/gpu-pools.yaml',
      'ai-platform.io/discovered-capacity': '16',
      'ai-platform.io/discovered-allocatable': '16',
      'ai-platform.io/discovered-allocated': '2',
      'ai-platform.io/discovered-nodes': '2',
      'ai-platform.io/discovered-deploy-targets': 'deployment',
    });
    // A discovered pool itself, or another pool, is left alone.
    const other = {
      ...yamlPool,
      metadata: { ...yamlPool.metadata, name: 'l4' },
    };
    expect(await processor.preProcessEntity(other)).toBe(other);

    // A second run with the same figures refreshes nothing.
    (catalog.refreshEntity as jest.Mock).mockClear();
    await provider.run();
    expect(catalog.refreshEntity).not.toHaveBeenCalled();
  });

  it('discovers only the clusters named in aiPlatform.discovery.clusters', async () => {
    const { provider, connection } = setUp({
      extraConfig: { clusters: ['gpu-eu-west'] },
    });
    await provider.connect(connection as unknown as EntityProviderConnection);
    const result = await provider.run();
    expect(result.clusters.map(c => c.cluster)).toEqual(['gpu-eu-west']);
    expect(east.requests).toEqual([]);
  });
});

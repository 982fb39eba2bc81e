import {
  gpuPoolEntityV1alpha1Validator,
  type GpuPoolEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import { deriveGpuPools, entityNameFor } from './deriveGpuPools';
import {
  a100MigNode,
  a100SingleMigNode,
  cpuNode,
  h100Node,
  l4TimeSlicedNode,
} from './__testUtils__/gfdNodes';
import type { ClusterInventory, InventoryNode } from './types';

const options = {
  cluster: 'gpu-us-east',
  owner: 'group:default/ml-platform',
  lifecycle: 'production',
  namespace: 'default',
};

function node(spec: {
  name: string;
  labels: Record<string, string>;
  allocatable: Record<string, string>;
  capacity?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
}): InventoryNode {
  return {
    name: spec.name,
    labels: spec.labels,
    allocatable: spec.allocatable,
    capacity: spec.capacity ?? spec.allocatable,
    taints: spec.taints ?? [],
  };
}

const inventory: ClusterInventory = {
  nodes: [
    node(h100Node('h100-a')),
    node(h100Node('h100-b')),
    node(a100MigNode('mig-a')),
    node(l4TimeSlicedNode('l4-a')),
    node(l4TimeSlicedNode('l4-b')),
    node(a100SingleMigNode('single-a')),
    node(cpuNode('cpu-a')),
  ],
  pods: [
    {
      namespace: 'team-a',
      name: 'chat-1',
      nodeName: 'h100-a',
      requests: { 'nvidia.com/gpu': 2, cpu: 8 },
    },
    {
      namespace: 'team-a',
      name: 'chat-2',
      nodeName: 'h100-b',
      requests: { 'nvidia.com/gpu': 2 },
    },
    {
      namespace: 'team-b',
      name: 'embed',
      nodeName: 'mig-a',
      requests: { 'nvidia.com/mig-3g.40gb': 1 },
    },
    {
      namespace: 'team-b',
      name: 'small',
      nodeName: 'l4-a',
      requests: { 'nvidia.com/gpu': 3 },
    },
    {
      namespace: 'team-c',
      name: 'web',
      nodeName: 'cpu-a',
      requests: { cpu: 2 },
    },
  ],
  kueue: {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    resourceFlavors: [
      { name: 'default-flavor', nodeLabels: {} },
      { name: 'h100', nodeLabels: { 'cloud.example.com/pool': 'h100' } },
      {
        name: 'h100-80gb',
        nodeLabels: {
          'cloud.example.com/pool': 'h100',
          'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
        },
      },
    ],
    clusterQueues: [
      {
        name: 'h100-inference',
        flavors: [
          {
            flavor: 'h100-80gb',
            resources: [{ name: 'nvidia.com/gpu', nominalQuota: '16' }],
          },
        ],
      },
    ],
    localQueues: [
      {
        namespace: 'team-a',
        name: 'inference',
        clusterQueue: 'h100-inference',
      },
      {
        namespace: 'team-b',
        name: 'inference',
        clusterQueue: 'h100-inference',
      },
    ],
  },
};

describe('deriveGpuPools', () => {
  const { pools, skipped } = deriveGpuPools(inventory, options);
  const byName = new Map(pools.map(p => [p.entity.metadata.name, p]));

  it('finds one pool per product, MIG profile and sharing mode, named deterministically', () => {
    expect([...byName.keys()].sort()).toEqual([
      'gpu-us-east-nvidia-a100-sxm4-40gb-mig-1g-5gb',
      'gpu-us-east-nvidia-a100-sxm4-80gb-mig-1g-10gb',
      'gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb',
      'gpu-us-east-nvidia-h100-80gb-hbm3',
      'gpu-us-east-nvidia-l4-time-sliced',
    ]);
    expect(skipped).toEqual([]);
    expect(deriveGpuPools(inventory, options).pools).toEqual(pools);
  });

  it('passes our GpuPool validation', async () => {
    for (const { entity } of pools) {
      expect(gpuPoolEntityV1alpha1Validator.validate(entity)).toEqual([]);
      await expect(gpuPoolEntityV1alpha1Validator.check(entity)).resolves.toBe(
        true,
      );
    }
  });

  it('describes whole GPUs with capacity, allocatable, allocated, tolerations and Kueue', () => {
    const h100 = byName.get('gpu-us-east-nvidia-h100-80gb-hbm3')!;
    expect(h100.entity).toEqual<GpuPoolEntityV1alpha1>({
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'GpuPool',
      metadata: {
        name: 'gpu-us-east-nvidia-h100-80gb-hbm3',
        namespace: 'default',
        title: 'NVIDIA-H100-80GB-HBM3 on gpu-us-east',
        description: expect.stringContaining('16 GPUs on 2 node(s)'),
        labels: { 'ai-platform.io/discovered': 'true' },
        annotations: {
          'ai-platform.io/discovered-from': 'gpu-us-east',
          'backstage.io/managed-by-location':
            'ai-platform-discovery:gpu-us-east',
          'backstage.io/managed-by-origin-location':
            'ai-platform-discovery:gpu-us-east',
          'ai-platform.io/discovered-capacity': '16',
          'ai-platform.io/discovered-allocatable': '16',
          'ai-platform.io/discovered-allocated': '4',
          'ai-platform.io/discovered-nodes': '2',
        },
      },
      spec: {
        type: 'shared',
        owner: 'group:default/ml-platform',
        lifecycle: 'production',
        cluster: 'gpu-us-east',
        gpu: {
          product: 'NVIDIA-H100-80GB-HBM3',
          memoryGiB: 79.6,
          count: 16,
          perNode: 8,
        },
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
        tolerations: [
          {
            key: 'nvidia.com/gpu',
            operator: 'Equal',
            value: 'present',
            effect: 'NoSchedule',
          },
        ],
        kueue: {
          resourceFlavor: 'h100-80gb',
          clusterQueue: 'h100-inference',
          localQueue: 'inference',
        },
        region: 'us-east-1',
      },
    });
    expect(h100.figures).toEqual({
      cluster: 'gpu-us-east',
      capacity: 16,
      allocatable: 16,
      allocated: 4,
      nodes: 2,
    });
  });

  it('makes a MIG pool per profile of the mixed strategy, with the slice memory', () => {
    const mig = byName.get('gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb')!;
    expect(mig.entity.spec).toMatchObject({
      type: 'mig',
      gpu: {
        product: 'NVIDIA-A100-SXM4-80GB',
        memoryGiB: 39.3,
        count: 2,
        perNode: 2,
        resourceName: 'nvidia.com/mig-3g.40gb',
      },
    });
    expect(mig.figures).toMatchObject({ allocatable: 2, allocated: 1 });
    expect(mig.entity.spec.kueue).toBeUndefined();
    expect(
      byName.get('gpu-us-east-nvidia-a100-sxm4-80gb-mig-1g-10gb')!.entity.spec
        .gpu,
    ).toMatchObject({
      memoryGiB: 9.5,
      count: 4,
      resourceName: 'nvidia.com/mig-1g.10gb',
    });
  });

  it('counts time-sliced replicas, and treats single-strategy MIG slices as shared GPUs', () => {
    const l4 = byName.get('gpu-us-east-nvidia-l4-time-sliced')!;
    expect(l4.entity.spec).toMatchObject({
      type: 'time-sliced',
      gpu: { product: 'NVIDIA-L4', memoryGiB: 22.5, count: 32, perNode: 16 },
      nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L4-SHARED' },
    });
    expect(l4.entity.spec.gpu.resourceName).toBeUndefined();
    expect(l4.figures.allocated).toBe(3);
    const single = byName.get('gpu-us-east-nvidia-a100-sxm4-40gb-mig-1g-5gb')!;
    expect(single.entity.spec).toMatchObject({
      type: 'shared',
      gpu: {
        product: 'NVIDIA-A100-SXM4-40GB-MIG-1g.5gb',
        memoryGiB: 4.8,
        count: 7,
      },
    });
    expect(single.entity.spec.region).toBeUndefined();
  });

  it('leaves out a pool whose GPU memory is unknown, and says why', () => {
    const result = deriveGpuPools(
      {
        nodes: [
          node({
            name: 'x',
            labels: { 'nvidia.com/gpu.product': 'NVIDIA-Mystery' },
            allocatable: { 'nvidia.com/gpu': '2' },
          }),
        ],
        pods: [],
      },
      options,
    );
    expect(result.pools).toEqual([]);
    expect(result.skipped).toEqual([
      'gpu-us-east-nvidia-mystery: the GPU memory is unknown (no nvidia.com/gpu.memory label and no size in the product name)',
    ]);
  });
});

describe('entityNameFor', () => {
  it('makes a valid entity name, shortened with a hash when too long', () => {
    expect(entityNameFor('GPU_us.east--NVIDIA H100')).toBe(
      'gpu-us-east-nvidia-h100',
    );
    const long = entityNameFor(
      `${'very-long-cluster-name-'.repeat(4)}NVIDIA-H100-80GB-HBM3`,
    );
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9-]+-[0-9a-f]{8}$/);
    expect(
      entityNameFor(
        `${'very-long-cluster-name-'.repeat(4)}NVIDIA-H100-80GB-HBM3`,
      ),
    ).toBe(long);
  });
});

/**
 * Nodes labelled the way GPU Feature Discovery labels them, for the fake
 * Kubernetes API server (`addNode`) and for the derivation tests.
 */

/** An 8 x H100 node, tainted nvidia.com/gpu=present:NoSchedule as GPU operators often set it. */
export const h100Node = (name: string) => ({
  name,
  labels: {
    'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
    'nvidia.com/gpu.memory': '81559',
    'nvidia.com/gpu.count': '8',
    'nvidia.com/mig.strategy': 'none',
    'nvidia.com/gpu.sharing-strategy': 'none',
    'topology.kubernetes.io/region': 'us-east-1',
    'cloud.example.com/pool': 'h100',
  },
  allocatable: { 'nvidia.com/gpu': '8', cpu: '190', memory: '1900Gi' },
  capacity: { 'nvidia.com/gpu': '8', cpu: '192', memory: '2000Gi' },
  taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
});

/** An A100 80GB node in the mixed MIG strategy: 2 x 3g.40gb and 4 x 1g.10gb slices. */
export const a100MigNode = (name: string) => ({
  name,
  labels: {
    'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB',
    'nvidia.com/gpu.memory': '81920',
    'nvidia.com/gpu.count': '1',
    'nvidia.com/mig.strategy': 'mixed',
    'nvidia.com/mig-3g.40gb.count': '2',
    'nvidia.com/mig-3g.40gb.memory': '40192',
    'nvidia.com/mig-3g.40gb.product': 'NVIDIA-A100-SXM4-80GB-MIG-3g.40gb',
    'nvidia.com/mig-1g.10gb.count': '4',
    'nvidia.com/mig-1g.10gb.memory': '9728',
    'nvidia.com/mig-1g.10gb.product': 'NVIDIA-A100-SXM4-80GB-MIG-1g.10gb',
    'topology.kubernetes.io/region': 'us-east-1',
  },
  allocatable: {
    'nvidia.com/mig-3g.40gb': '2',
    'nvidia.com/mig-1g.10gb': '4',
    'nvidia.com/gpu': '0',
  },
});

/** An L4 node time-sliced four ways: 4 GPUs advertised as 16. */
export const l4TimeSlicedNode = (name: string) => ({
  name,
  labels: {
    'nvidia.com/gpu.product': 'NVIDIA-L4-SHARED',
    'nvidia.com/gpu.memory': '23034',
    'nvidia.com/gpu.count': '4',
    'nvidia.com/gpu.replicas': '4',
    'nvidia.com/gpu.sharing-strategy': 'time-slicing',
    'nvidia.com/mig.strategy': 'none',
    'topology.kubernetes.io/region': 'us-east-1',
  },
  allocatable: { 'nvidia.com/gpu': '16' },
});

/** An A100 40GB node in the single MIG strategy: 7 x 1g.5gb slices advertised as nvidia.com/gpu. */
export const a100SingleMigNode = (name: string) => ({
  name,
  labels: {
    'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB-MIG-1g.5gb',
    'nvidia.com/gpu.memory': '4864',
    'nvidia.com/gpu.count': '7',
    'nvidia.com/mig.strategy': 'single',
  },
  allocatable: { 'nvidia.com/gpu': '7' },
});

/** A CPU node: no GFD labels. */
export const cpuNode = (name: string) => ({
  name,
  labels: { 'node.kubernetes.io/instance-type': 'm6i.4xlarge' },
  allocatable: { cpu: '16', memory: '64Gi' },
});

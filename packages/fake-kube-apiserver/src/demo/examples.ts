import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_NAMESPACE_OWNERS,
  gpuResourceName,
  gpusPerNode,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  type GpuPoolEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  kueueClusterQueue,
  kueueLocalQueue,
  kueueResourceFlavor,
} from '../kueue';
import type { FakeNodeSpec, KubeObject, OptionalGroup } from '../types';

/**
 * A label on every node the simulation derives, so that a restarted
 * simulation can remove the nodes of pools the examples no longer have.
 */
export const LABEL_SIMULATED_NODE = 'ai-platform.io/simulated-node';

/** What one simulated cluster starts with, derived from the example catalog. */
export type SimulatedClusterSpec = {
  cluster: string;
  /** The GPU pools on this cluster (entity names). */
  pools: string[];
  nodes: FakeNodeSpec[];
  /** Namespace objects with their owners annotation. */
  namespaces: KubeObject[];
  /** Kueue ResourceFlavors, ClusterQueues and LocalQueues of the pools that name one. */
  kueue: KubeObject[];
  /** The optional API groups served. */
  groups: OptionalGroup[];
};

/**
 * The optional API groups the portal uses: Kueue (a pool's queue), KEDA
 * (autoscaling type keda), the prometheus-operator's ServiceMonitor and
 * KServe's LLMInferenceService (both versions KServe v0.20 serves).
 */
export const SIMULATED_GROUPS: OptionalGroup[] = [
  'kueue',
  'keda',
  'prometheus-operator',
  'kserve',
  'kserve-v1alpha1',
];

/**
 * Reads the catalog entities of every `*.yaml` file directly in `dir` (not
 * its subfolders: `examples/invalid/` holds deliberately broken entities).
 */
export function readExampleEntities(dir: string): Entity[] {
  const files = fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort();
  const entities: Entity[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) {
        throw new Error(`${path.join(dir, file)}: ${doc.errors[0].message}`);
      }
      const value = doc.toJS() as Entity | null;
      if (value && typeof value === 'object' && value.kind) {
        entities.push(value);
      }
    }
  }
  return entities;
}

/** `group:default/x` from `x`, `group:x` or `default/x`, as the catalog reads a Group ref. */
export function groupRef(ref: string): string {
  const m = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!m) return ref;
  const [, kind = 'group', namespace = 'default', name] = m;
  return `${kind.toLocaleLowerCase('en-US')}:${namespace}/${name}`;
}

/** The name of a ref such as `gpupool:default/l4-inference`. */
function nameOf(ref: string): string {
  return ref.replace(/^[^:]*:/, '').replace(/^[^/]*\//, '');
}

/** The labels GPU Feature Discovery puts on a node of this pool (plus the pool's nodeSelector). */
function nodeLabels(pool: GpuPoolEntityV1alpha1): Record<string, string> {
  const { gpu } = pool.spec;
  const perNode = gpusPerNode(gpu);
  const resource = gpuResourceName(gpu);
  const labels: Record<string, string> = {
    'nvidia.com/gpu.present': 'true',
    'nvidia.com/gpu.product': gpu.product,
  };
  const mig = /^nvidia\.com\/mig-(.+)$/.exec(resource);
  if (mig) {
    // Mixed strategy: one resource and label set per MIG profile.
    labels[`nvidia.com/mig-${mig[1]}.product`] = gpu.product;
    labels[`nvidia.com/mig-${mig[1]}.count`] = String(perNode);
    labels[`nvidia.com/mig-${mig[1]}.memory`] = String(gpu.memoryGiB * 1024);
  } else {
    labels['nvidia.com/gpu.memory'] = String(gpu.memoryGiB * 1024);
    if (pool.spec.type === 'time-sliced') {
      labels['nvidia.com/gpu.sharing-strategy'] = 'time-slicing';
    } else {
      labels['nvidia.com/gpu.count'] = String(perNode);
    }
  }
  if (pool.spec.region) {
    labels['topology.kubernetes.io/region'] = pool.spec.region;
  }
  // The pool's own selector wins: it is what its workloads ask for (for a
  // MIG pool, the whole GPU's product).
  return {
    ...labels,
    ...pool.spec.nodeSelector,
    [LABEL_SIMULATED_NODE]: 'true',
  };
}

/** Taints that the pool's tolerations tolerate, as the platform team would set them. */
function nodeTaints(pool: GpuPoolEntityV1alpha1) {
  return (pool.spec.tolerations ?? [])
    .filter(t => t.key && t.effect !== 'PreferNoSchedule')
    .map(t => ({
      key: t.key!,
      ...(t.operator !== 'Exists' && t.value ? { value: t.value } : {}),
      effect: t.effect ?? 'NoSchedule',
    }));
}

/** The nodes of one pool: `count / perNode` of them (rounded up), `perNode` GPUs each. */
export function poolNodes(pool: GpuPoolEntityV1alpha1): FakeNodeSpec[] {
  const perNode = gpusPerNode(pool.spec.gpu);
  const count = Math.max(1, Math.ceil(pool.spec.gpu.count / perNode));
  const taints = nodeTaints(pool);
  return Array.from({ length: count }, (_, i) => ({
    name: `${pool.metadata.name}-${i + 1}`,
    labels: nodeLabels(pool),
    allocatable: {
      [gpuResourceName(pool.spec.gpu)]: String(perNode),
      cpu: String(Math.max(16, 12 * Math.min(perNode, 8))),
      memory: `${Math.max(128, 120 * Math.min(perNode, 8))}Gi`,
      pods: '110',
    },
    ...(taints.length ? { taints } : {}),
  }));
}

/** The Kueue API version seeded: v1beta2, as current Kueue serves it (optional group `kueue`). */
const KUEUE_VERSION = 'v1beta2';

/** ResourceFlavor, ClusterQueue and a LocalQueue per namespace, for a pool that names a queue. */
function kueueObjects(
  pool: GpuPoolEntityV1alpha1,
  namespaces: string[],
): KubeObject[] {
  const kueue = pool.spec.kueue;
  if (!kueue?.clusterQueue) return [];
  const resource = gpuResourceName(pool.spec.gpu);
  const flavor = kueue.resourceFlavor ?? pool.metadata.name;
  const clusterQueue = kueue.clusterQueue;
  return [
    kueueResourceFlavor(KUEUE_VERSION, {
      name: flavor,
      nodeLabels: pool.spec.nodeSelector ?? {
        'nvidia.com/gpu.product': pool.spec.gpu.product,
      },
    }),
    kueueClusterQueue(KUEUE_VERSION, {
      name: clusterQueue,
      resourceGroups: [
        {
          coveredResources: [resource],
          flavors: [
            {
              name: flavor,
              resources: [
                { name: resource, nominalQuota: String(pool.spec.gpu.count) },
              ],
            },
          ],
        },
      ],
      status: { active: true, admittedWorkloads: 0, pendingWorkloads: 0 },
    }),
    ...(kueue.localQueue
      ? namespaces.map(namespace =>
          kueueLocalQueue(KUEUE_VERSION, {
            namespace,
            name: kueue.localQueue!,
            clusterQueue,
          }),
        )
      : []),
  ];
}

/**
 * What a simulated cluster holds at start, from the example catalog:
 *
 * - per GpuPool on the cluster, `ceil(count / perNode)` nodes with GPU
 *   Feature Discovery's labels for the pool's product, `perNode` of its GPU
 *   resource allocatable, the pool's nodeSelector labels, and a taint for
 *   each of its tolerations;
 * - the namespace of every example InferenceEndpoint on those pools, owned
 *   (annotation `ai-platform.io/owners`) by the endpoints' owners, and a
 *   namespace per team with quota on those pools, named after the team and
 *   owned by it (where the golden-path template deploys by default);
 * - the pools' Kueue ResourceFlavors and ClusterQueues, and their LocalQueue
 *   in every one of those namespaces.
 */
export function simulatedClusterSpec(
  cluster: string,
  entities: Entity[],
): SimulatedClusterSpec {
  const pools = entities
    .filter(isGpuPoolEntity)
    .filter(p => p.spec.cluster === cluster);
  const poolNames = new Set(pools.map(p => p.metadata.name));
  const owners = new Map<string, Set<string>>();
  const own = (namespace: string, owner: string) => {
    const set = owners.get(namespace) ?? new Set<string>();
    set.add(groupRef(owner));
    owners.set(namespace, set);
  };
  for (const endpoint of entities.filter(isInferenceEndpointEntity)) {
    if (!endpoint.spec.gpuPool || !endpoint.spec.namespace) continue;
    if (!poolNames.has(nameOf(endpoint.spec.gpuPool))) continue;
    own(endpoint.spec.namespace, endpoint.spec.owner);
  }
  for (const pool of pools) {
    for (const quota of pool.spec.quotas ?? []) {
      own(nameOf(groupRef(quota.team)), quota.team);
    }
  }
  const namespaceNames = [...owners.keys()].sort();
  return {
    cluster,
    pools: pools.map(p => p.metadata.name),
    nodes: pools.flatMap(poolNodes),
    namespaces: namespaceNames.map(name => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { 'kubernetes.io/metadata.name': name },
        annotations: {
          [ANNOTATION_NAMESPACE_OWNERS]: [...owners.get(name)!]
            .sort()
            .join(','),
        },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    })),
    kueue: pools.flatMap(p => kueueObjects(p, namespaceNames)),
    groups: SIMULATED_GROUPS,
  };
}

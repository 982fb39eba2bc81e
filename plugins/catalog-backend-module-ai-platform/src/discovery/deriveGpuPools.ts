import { createHash } from 'crypto';
import {
  AI_PLATFORM_API_VERSION,
  ANNOTATION_DISCOVERED_ALLOCATABLE,
  ANNOTATION_DISCOVERED_ALLOCATED,
  ANNOTATION_DISCOVERED_CAPACITY,
  ANNOTATION_DISCOVERED_FROM,
  ANNOTATION_DISCOVERED_NODES,
  ANNOTATION_DISCOVERED_DEPLOY_TARGETS,
  ANNOTATION_DISCOVERED_LLM_INFERENCE_SERVICE_VERSIONS,
  DEFAULT_GPU_RESOURCE_NAME,
  DISCOVERY_LOCATION_PREFIX,
  LABEL_DISCOVERED,
  type GpuPoolEntityV1alpha1,
  type GpuPoolToleration,
  type GpuPoolType,
} from '@internal/plugin-ai-platform-common';
import type {
  ClusterInventory,
  DiscoveredPool,
  InventoryNode,
  KueueInventory,
} from './types';

/** GPU Feature Discovery's node labels that discovery reads. */
export const GFD_LABELS = {
  product: 'nvidia.com/gpu.product',
  memory: 'nvidia.com/gpu.memory',
  count: 'nvidia.com/gpu.count',
  replicas: 'nvidia.com/gpu.replicas',
  sharingStrategy: 'nvidia.com/gpu.sharing-strategy',
  migStrategy: 'nvidia.com/mig.strategy',
} as const;

const REGION_LABEL = 'topology.kubernetes.io/region';
const MIG_RESOURCE = /^nvidia\.com\/mig-(.+)$/;
const WHOLE_GPU_RESOURCES = [
  DEFAULT_GPU_RESOURCE_NAME,
  'nvidia.com/gpu.shared',
];

/** Settings every discovered entity gets. */
export type DerivePoolsOptions = {
  cluster: string;
  owner: string;
  lifecycle: string;
  namespace: string;
};

/** A count from a quantity of whole devices ("8"); 0 for anything else. */
function devices(quantity: string | undefined): number {
  if (quantity === undefined) return 0;
  const n = Number(quantity);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** A valid entity name from free text: lower case, `-` between words, at most 63 characters. */
export function entityNameFor(text: string): string {
  const slug = text
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= 63) return slug;
  const hash = createHash('sha256').update(slug).digest('hex').slice(0, 8);
  return `${slug.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** GiB from GFD's MiB label, else from a `40gb`/`80GB` in the profile or product name. */
function memoryGiB(
  mib: string | undefined,
  ...names: string[]
): number | undefined {
  const fromLabel = Number(mib);
  if (mib !== undefined && Number.isFinite(fromLabel) && fromLabel > 0) {
    return Math.round((fromLabel / 1024) * 10) / 10;
  }
  for (const name of names) {
    const m = /(\d+(?:\.\d+)?)\s*gb/i.exec(name);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** One node's share of one pool. */
type Membership = {
  key: string;
  type: GpuPoolType;
  product: string;
  /** The node label value that selects the pool's nodes. */
  productLabel: string;
  resourceName: string;
  suffix?: string;
  sharing?: string;
  memoryGiB?: number;
};

/**
 * Which pools a node belongs to, from its GFD labels and allocatable
 * resources: a MIG pool per `nvidia.com/mig-<profile>` resource (mixed
 * strategy), and a whole-GPU pool for `nvidia.com/gpu` (or the renamed
 * `nvidia.com/gpu.shared`): time-sliced when GFD reports time-slicing or
 * more than one replica per GPU, shared otherwise (also MPS, and the single
 * MIG strategy, whose slices are advertised as `nvidia.com/gpu`).
 */
function membershipsOf(node: InventoryNode): Membership[] {
  const productLabel = node.labels[GFD_LABELS.product];
  if (!productLabel) return [];
  const resources = new Set([
    ...Object.keys(node.capacity),
    ...Object.keys(node.allocatable),
  ]);
  const has = (r: string) =>
    devices(node.capacity[r]) > 0 || devices(node.allocatable[r]) > 0;
  const out: Membership[] = [];
  for (const resource of [...resources].sort()) {
    const mig = MIG_RESOURCE.exec(resource);
    if (!mig || !has(resource)) continue;
    const profile = mig[1];
    out.push({
      key: `mig|${productLabel}|${resource}`,
      type: 'mig',
      product: productLabel,
      productLabel,
      resourceName: resource,
      suffix: `mig-${profile}`,
      memoryGiB: memoryGiB(
        node.labels[`nvidia.com/mig-${profile}.memory`],
        profile,
      ),
    });
  }
  for (const resource of WHOLE_GPU_RESOURCES) {
    if (!has(resource)) continue;
    const sharing = node.labels[GFD_LABELS.sharingStrategy];
    const replicas = devices(node.labels[GFD_LABELS.replicas]);
    const product = productLabel.replace(/-SHARED$/, '');
    const memory = memoryGiB(node.labels[GFD_LABELS.memory], product);
    let type: GpuPoolType = 'shared';
    let suffix: string | undefined;
    if (sharing === 'mps') {
      suffix = 'mps';
    } else if (
      sharing === 'time-slicing' ||
      replicas > 1 ||
      resource === 'nvidia.com/gpu.shared'
    ) {
      type = 'time-sliced';
      suffix = 'time-sliced';
    }
    out.push({
      key: `${type}|${productLabel}|${resource}|${suffix ?? ''}`,
      type,
      product,
      productLabel,
      resourceName: resource,
      suffix,
      sharing,
      memoryGiB: memory,
    });
  }
  return out;
}

/** Taints every node has (NoSchedule/NoExecute), as tolerations. */
function commonTolerations(nodes: InventoryNode[]): GpuPoolToleration[] {
  const relevant = (n: InventoryNode) =>
    n.taints.filter(t => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const [first, ...rest] = nodes;
  return relevant(first)
    .filter(t =>
      rest.every(n =>
        relevant(n).some(
          o => o.key === t.key && o.value === t.value && o.effect === t.effect,
        ),
      ),
    )
    .map(t =>
      t.value
        ? {
            key: t.key,
            operator: 'Equal' as const,
            value: t.value,
            effect: t.effect as GpuPoolToleration['effect'],
          }
        : {
            key: t.key,
            operator: 'Exists' as const,
            effect: t.effect as GpuPoolToleration['effect'],
          },
    );
}

/** The Kueue ResourceFlavor that selects all the pool's nodes (the most specific), its ClusterQueue and LocalQueue name. */
function kueueOf(
  kueue: KueueInventory | undefined,
  nodes: InventoryNode[],
  resourceName: string,
) {
  if (!kueue) return undefined;
  const flavor = kueue.resourceFlavors
    .filter(
      f =>
        Object.keys(f.nodeLabels).length > 0 &&
        nodes.every(n =>
          Object.entries(f.nodeLabels).every(([k, v]) => n.labels[k] === v),
        ),
    )
    .sort(
      (a, b) =>
        Object.keys(b.nodeLabels).length - Object.keys(a.nodeLabels).length ||
        a.name.localeCompare(b.name),
    )[0];
  if (!flavor) return undefined;
  const queue = kueue.clusterQueues
    .filter(q =>
      q.flavors.some(
        f =>
          f.flavor === flavor.name &&
          f.resources.some(r => r.name === resourceName),
      ),
    )
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  const localNames = [
    ...new Set(
      kueue.localQueues
        .filter(l => queue && l.clusterQueue === queue.name)
        .map(l => l.name),
    ),
  ];
  return {
    resourceFlavor: flavor.name,
    ...(queue ? { clusterQueue: queue.name } : {}),
    ...(localNames.length === 1 ? { localQueue: localNames[0] } : {}),
  };
}

function sharingWords(m: Membership) {
  if (m.type === 'mig')
    return `MIG ${m.resourceName.replace('nvidia.com/mig-', '')} slices`;
  if (m.type === 'time-sliced') return 'time-sliced GPUs';
  if (m.suffix === 'mps') return 'GPUs shared through MPS';
  return 'GPUs';
}

/**
 * The GpuPools of one cluster: one per (GPU product, MIG profile or
 * sharing mode), named `<cluster>-<product>[-mig-<profile>|-time-sliced|-mps]`
 * (deterministic), with the pool's count and GPUs per node from the nodes'
 * allocatable, node selector, common taints as tolerations, Kueue flavor
 * and queue, region, and the capacity, allocatable and allocated figures.
 * Pools whose GPU memory cannot be told are left out and reported.
 */
export function deriveGpuPools(
  inventory: ClusterInventory,
  options: DerivePoolsOptions,
): { pools: DiscoveredPool[]; skipped: string[] } {
  const groups = new Map<
    string,
    { membership: Membership; nodes: InventoryNode[] }
  >();
  for (const node of inventory.nodes) {
    for (const membership of membershipsOf(node)) {
      const group = groups.get(membership.key) ?? { membership, nodes: [] };
      group.nodes.push(node);
      groups.set(membership.key, group);
    }
  }
  const pools: DiscoveredPool[] = [];
  const skipped: string[] = [];
  const location = `${DISCOVERY_LOCATION_PREFIX}${options.cluster}`;
  for (const { membership: m, nodes } of [...groups.values()].sort((a, b) =>
    a.membership.key.localeCompare(b.membership.key),
  )) {
    const name = entityNameFor(
      `${options.cluster}-${m.product}${m.suffix ? `-${m.suffix}` : ''}`,
    );
    const nodeNames = new Set(nodes.map(n => n.name));
    const capacity = nodes.reduce(
      (sum, n) =>
        sum +
        (devices(n.capacity[m.resourceName]) ||
          devices(n.allocatable[m.resourceName])),
      0,
    );
    const allocatable = nodes.reduce(
      (sum, n) => sum + devices(n.allocatable[m.resourceName]),
      0,
    );
    const allocated = inventory.pods
      .filter(p => nodeNames.has(p.nodeName))
      .reduce((sum, p) => sum + (p.requests[m.resourceName] ?? 0), 0);
    const count = allocatable || capacity;
    const perNode = Math.max(
      ...nodes.map(
        n =>
          devices(n.allocatable[m.resourceName]) ||
          devices(n.capacity[m.resourceName]),
      ),
    );
    const memories = nodes
      .map(n => membershipsOf(n).find(x => x.key === m.key)?.memoryGiB)
      .filter((x): x is number => x !== undefined);
    if (count < 1) continue;
    if (memories.length === 0) {
      skipped.push(
        `${name}: the GPU memory is unknown (no ${
          m.type === 'mig'
            ? `nvidia.com/mig-<profile>.memory`
            : GFD_LABELS.memory
        } label and no size in the product name)`,
      );
      continue;
    }
    const regions = [...new Set(nodes.map(n => n.labels[REGION_LABEL]))];
    const tolerations = commonTolerations(nodes);
    const kueue = kueueOf(inventory.kueue, nodes, m.resourceName);
    const entity: GpuPoolEntityV1alpha1 = {
      apiVersion: AI_PLATFORM_API_VERSION,
      kind: 'GpuPool',
      metadata: {
        name,
        namespace: options.namespace,
        title: `${m.product}${m.suffix ? ` (${m.suffix})` : ''} on ${
          options.cluster
        }`,
        description: `Discovered in cluster ${
          options.cluster
        }: ${count} ${sharingWords(m)} on ${nodes.length} node(s) labelled ${
          GFD_LABELS.product
        }=${m.productLabel} by GPU Feature Discovery.`,
        labels: { [LABEL_DISCOVERED]: 'true' },
        annotations: {
          [ANNOTATION_DISCOVERED_FROM]: options.cluster,
          'backstage.io/managed-by-location': location,
          'backstage.io/managed-by-origin-location': location,
          [ANNOTATION_DISCOVERED_CAPACITY]: String(capacity),
          [ANNOTATION_DISCOVERED_ALLOCATABLE]: String(allocatable),
          [ANNOTATION_DISCOVERED_ALLOCATED]: String(allocated),
          [ANNOTATION_DISCOVERED_NODES]: String(nodes.length),
          ...deployTargetAnnotations(inventory.deployTargets),
        },
      },
      spec: {
        type: m.type,
        owner: options.owner,
        lifecycle: options.lifecycle,
        cluster: options.cluster,
        gpu: {
          product: m.product,
          memoryGiB: Math.min(...memories),
          count,
          perNode: Math.min(perNode, count),
          ...(m.resourceName !== DEFAULT_GPU_RESOURCE_NAME
            ? { resourceName: m.resourceName }
            : {}),
        },
        nodeSelector: { [GFD_LABELS.product]: m.productLabel },
        ...(tolerations.length > 0 ? { tolerations } : {}),
        ...(kueue ? { kueue } : {}),
        ...(regions.length === 1 && regions[0] ? { region: regions[0] } : {}),
      },
    };
    pools.push({
      entity,
      figures: {
        cluster: options.cluster,
        capacity,
        allocatable,
        allocated,
        nodes: nodes.length,
        ...(inventory.deployTargets
          ? { deployTargets: inventory.deployTargets }
          : {}),
      },
    });
  }
  return { pools, skipped };
}

/** The annotations that say which deploy targets the pool's cluster serves (none when it was not asked). */
export function deployTargetAnnotations(
  targets: ClusterInventory['deployTargets'],
): Record<string, string> {
  if (!targets) return {};
  return {
    [ANNOTATION_DISCOVERED_DEPLOY_TARGETS]: targets.targets.join(','),
    ...(targets.llmInferenceServiceVersions?.length
      ? {
          [ANNOTATION_DISCOVERED_LLM_INFERENCE_SERVICE_VERSIONS]:
            targets.llmInferenceServiceVersions.join(','),
        }
      : {}),
  };
}

import type { KubeObject } from './types';
import { parseQuantity } from './util';

type Toleration = {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
};
type Taint = { key: string; value?: string; effect: string };
type Requirement = { key: string; operator: string; values?: string[] };

/** Resources a pod asks for: per container `requests`, or `limits` where a resource has no request (as the API server defaults them). */
export function podRequests(pod: KubeObject): Record<string, number> {
  const spec = (pod.spec ?? {}) as {
    containers?: Array<{
      resources?: {
        requests?: Record<string, string>;
        limits?: Record<string, string>;
      };
    }>;
  };
  const total: Record<string, number> = {};
  for (const c of spec.containers ?? []) {
    const requests = { ...c.resources?.limits, ...c.resources?.requests };
    for (const [name, quantity] of Object.entries(requests)) {
      total[name] = (total[name] ?? 0) + parseQuantity(quantity);
    }
  }
  return total;
}

function isTerminated(pod: KubeObject) {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The GPU (and other) requests of the non-terminated pods bound to a node. */
export function nodeUsage(node: string, pods: KubeObject[]) {
  const used: Record<string, number> = {};
  for (const pod of pods) {
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== node)
      continue;
    if (isTerminated(pod)) continue;
    for (const [name, amount] of Object.entries(podRequests(pod))) {
      used[name] = (used[name] ?? 0) + amount;
    }
  }
  return used;
}

function matchesRequirement(labels: Record<string, string>, r: Requirement) {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(value) > Number(r.values?.[0]);
    case 'Lt':
      return has && Number(value) < Number(r.values?.[0]);
    default:
      return false;
  }
}

function matchesNodeSelection(pod: KubeObject, node: KubeObject) {
  const labels = node.metadata.labels ?? {};
  const spec = (pod.spec ?? {}) as {
    nodeSelector?: Record<string, string>;
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: {
          nodeSelectorTerms?: Array<{ matchExpressions?: Requirement[] }>;
        };
      };
    };
  };
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms;
  if (terms && terms.length > 0) {
    return terms.some(t =>
      (t.matchExpressions ?? []).every(r => matchesRequirement(labels, r)),
    );
  }
  return true;
}

function tolerates(tolerations: Toleration[], taint: Taint) {
  return tolerations.some(t => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'pods',
]);

/**
 * Why a node cannot take a pod, in the default scheduler's words (empty
 * when it can), checked in the default scheduler's filter order, first
 * failure only: unschedulable, untolerated NoSchedule/NoExecute taints,
 * node selector and required node affinity, then each resource that does not
 * fit the node's allocatable minus what its pods already request. cpu,
 * memory and ephemeral-storage are only checked on nodes that declare them;
 * an extended resource (`nvidia.com/gpu`, MIG profiles) a node does not
 * declare is 0 there.
 */
export function rejections(
  pod: KubeObject,
  node: KubeObject,
  used: Record<string, number>,
): string[] {
  const nodeSpec = (node.spec ?? {}) as {
    unschedulable?: boolean;
    taints?: Taint[];
  };
  if (nodeSpec.unschedulable) return ['node(s) were unschedulable'];
  const tolerations = ((pod.spec as { tolerations?: Toleration[] } | undefined)
    ?.tolerations ?? []) as Toleration[];
  const untolerated = (nodeSpec.taints ?? []).find(
    t =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !tolerates(tolerations, t),
  );
  if (untolerated) {
    return [
      `node(s) had untolerated taint {${untolerated.key}: ${
        untolerated.value ?? ''
      }}`,
    ];
  }
  if (!matchesNodeSelection(pod, node)) {
    return ["node(s) didn't match Pod's node affinity/selector"];
  }
  const allocatable = ((node.status as { allocatable?: Record<string, string> })
    ?.allocatable ?? {}) as Record<string, string>;
  const reasons: string[] = [];
  for (const [name, amount] of Object.entries(podRequests(pod))) {
    if (amount <= 0) continue;
    const declared = allocatable[name];
    if (declared === undefined && standardResources.has(name)) continue;
    const available =
      (declared === undefined ? 0 : parseQuantity(declared)) -
      (used[name] ?? 0);
    if (amount > available + 1e-9) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/**
 * Picks a node for a pod (the first that fits, by name), or explains why
 * none does as the default scheduler does:
 * `0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2 Insufficient nvidia.com/gpu.`
 */
export function schedule(
  pod: KubeObject,
  nodes: KubeObject[],
  pods: KubeObject[],
): { node: string } | { message: string } {
  const counts = new Map<string, number>();
  for (const node of [...nodes].sort((a, b) =>
    a.metadata.name! < b.metadata.name! ? -1 : 1,
  )) {
    const reasons = rejections(pod, node, nodeUsage(node.metadata.name!, pods));
    if (reasons.length === 0) return { node: node.metadata.name! };
    for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return {
    message: `0/${nodes.length} nodes are available: ${parts.join(', ')}.`,
  };
}

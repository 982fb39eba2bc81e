import type * as k8sTypes from '@kubernetes/client-node';
import {
  kubeConfigOptions,
  type ClusterConfig,
} from '@internal/plugin-ai-platform-node';
import type { ClusterInventory, InventoryPod, KueueInventory } from './types';

// @kubernetes/client-node 1.x is ESM; Node's require of ESM loads it here.
function clientNode(): typeof k8sTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node') as typeof k8sTypes;
}

const KUEUE = { group: 'kueue.x-k8s.io', version: 'v1beta1' };

/** Whole devices of a quantity, or its value for plain numbers ("500m" of cpu is not ours to count). */
function amount(quantity: unknown): number {
  const n = Number(quantity);
  return Number.isFinite(n) ? n : 0;
}

/** A pod's requests per resource: containers' requests, or limits where a resource has none (as the API server defaults them). */
function podRequests(pod: k8sTypes.V1Pod): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of pod.spec?.containers ?? []) {
    const requests = { ...c.resources?.limits, ...c.resources?.requests };
    for (const [name, quantity] of Object.entries(requests)) {
      total[name] = (total[name] ?? 0) + amount(quantity);
    }
  }
  return total;
}

/** Why a call failed, in one line: the Status message of an API error, or the network error. */
export function describeClusterError(
  error: unknown,
  timeoutMs: number,
): string {
  const e = error as {
    code?: unknown;
    body?: unknown;
    name?: string;
    message?: string;
    type?: string;
  };
  if (typeof e?.code === 'number') {
    let message: string | undefined;
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      message = (body as { message?: string } | undefined)?.message;
    } catch {
      message = typeof e.body === 'string' ? e.body.slice(0, 200) : undefined;
    }
    return `HTTP ${e.code}${message ? `: ${message}` : ''}`;
  }
  if (e?.name === 'AbortError' || e?.type === 'aborted') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  return e?.message ?? String(error);
}

/**
 * Reads what GPU pool discovery needs from one cluster with
 * @kubernetes/client-node and the cluster's service account token: Nodes,
 * the non-terminated Pods bound to nodes, and, when the cluster serves
 * kueue.x-k8s.io/v1beta1, ResourceFlavors, ClusterQueues and LocalQueues.
 * Every request is aborted after `timeoutMs`.
 */
export async function readClusterInventory(
  cluster: ClusterConfig,
  options: { timeoutMs: number },
): Promise<ClusterInventory> {
  if (cluster.auth.provider !== 'serviceAccount') {
    throw new Error(
      `authProvider "${cluster.auth.provider}" is not supported by GPU pool discovery; use serviceAccount with a serviceAccountToken`,
    );
  }
  const k8s = clientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions(kubeConfigOptions(cluster));
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  // Per-request timeout; these options reach client-node's Observable layer as given.
  const withTimeout = {
    middleware: [
      {
        pre: (ctx: k8sTypes.RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(options.timeoutMs));
          return new k8s.Observable(Promise.resolve(ctx));
        },
        post: (res: k8sTypes.ResponseContext) =>
          new k8s.Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  } as unknown as k8sTypes.ConfigurationOptions;

  const [nodeList, podList] = await Promise.all([
    core.listNode({}, withTimeout),
    core.listPodForAllNamespaces(
      { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' },
      withTimeout,
    ),
  ]);
  const nodes = nodeList.items.map(n => ({
    name: n.metadata?.name ?? '',
    labels: n.metadata?.labels ?? {},
    capacity: n.status?.capacity ?? {},
    allocatable: n.status?.allocatable ?? {},
    taints: (n.spec?.taints ?? []).map(t => ({
      key: t.key,
      value: t.value,
      effect: t.effect,
    })),
  }));
  const pods: InventoryPod[] = podList.items
    .filter(p => p.spec?.nodeName)
    .map(p => ({
      namespace: p.metadata?.namespace ?? '',
      name: p.metadata?.name ?? '',
      nodeName: p.spec!.nodeName!,
      requests: podRequests(p),
    }));

  let kueue: KueueInventory | undefined;
  try {
    const list = async (plural: string) =>
      (
        (await custom.listClusterCustomObject(
          { ...KUEUE, plural },
          withTimeout,
        )) as {
          items: Array<{
            metadata: { name: string; namespace?: string };
            spec?: Record<string, unknown>;
          }>;
        }
      ).items;
    const [flavors, queues, localQueues] = await Promise.all([
      list('resourceflavors'),
      list('clusterqueues'),
      list('localqueues'),
    ]);
    kueue = {
      resourceFlavors: flavors.map(f => ({
        name: f.metadata.name,
        nodeLabels: (f.spec?.nodeLabels ?? {}) as Record<string, string>,
      })),
      clusterQueues: queues.map(q => ({
        name: q.metadata.name,
        flavors: (
          (q.spec?.resourceGroups ?? []) as Array<{
            flavors?: Array<{
              name: string;
              resources?: Array<{ name: string; nominalQuota?: unknown }>;
            }>;
          }>
        ).flatMap(g =>
          (g.flavors ?? []).map(f => ({
            flavor: f.name,
            resources: (f.resources ?? []).map(r => ({
              name: r.name,
              ...(r.nominalQuota !== undefined
                ? { nominalQuota: String(r.nominalQuota) }
                : {}),
            })),
          })),
        ),
      })),
      localQueues: localQueues.map(l => ({
        namespace: l.metadata.namespace ?? '',
        name: l.metadata.name,
        clusterQueue: String(l.spec?.clusterQueue ?? ''),
      })),
    };
  } catch (error) {
    // Kueue not installed: the group is not served.
    if ((error as { code?: unknown }).code !== 404) throw error;
  }
  return { nodes, pods, kueue };
}

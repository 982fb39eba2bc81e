import type * as k8sTypes from '@kubernetes/client-node';
import {
  connectToCluster,
  discoverKueueApiVersion,
  KUEUE_GROUP,
  toKueueClusterQueue,
  toKueueLocalQueue,
  toKueueResourceFlavor,
  type ClusterConfig,
} from '@internal/plugin-ai-platform-node';
import type {
  ClusterInventory,
  DeployTargetsInventory,
  InventoryPod,
  KueueInventory,
} from './types';

/** KServe's API group, whose LLMInferenceService is a deploy target. */
const KSERVE_GROUP = 'serving.kserve.io';

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
 * Kueue, its ResourceFlavors, ClusterQueues and LocalQueues: in
 * kueue.x-k8s.io/v1beta2 (Kueue v0.15 and later; the only version of v0.20)
 * or else v1beta1 (older installs), whichever discovery finds first, each
 * read in its own field names; and which deploy targets it serves (API
 * discovery of KServe's serving.kserve.io group, for LLMInferenceService).
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
  const { k8s, kc } = connectToCluster(cluster);
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
  const version = await discoverKueueApiVersion(groupVersion =>
    custom.getAPIResources(groupVersion, withTimeout),
  );
  if (version) {
    const list = async (plural: string) =>
      (
        (await custom.listClusterCustomObject(
          { group: KUEUE_GROUP, version, plural },
          withTimeout,
        )) as { items: unknown[] }
      ).items;
    const [flavors, queues, localQueues] = await Promise.all([
      list('resourceflavors'),
      list('clusterqueues'),
      list('localqueues'),
    ]);
    kueue = {
      apiVersion: `${KUEUE_GROUP}/${version}`,
      resourceFlavors: flavors.map(f => {
        const { name, nodeLabels } = toKueueResourceFlavor(version, f);
        return { name, nodeLabels };
      }),
      clusterQueues: queues.map(q => {
        const {
          name,
          cohort,
          flavors: quotas,
        } = toKueueClusterQueue(version, q);
        return {
          name,
          ...(cohort ? { cohort } : {}),
          flavors: quotas.map(f => ({
            flavor: f.flavor,
            resources: f.resources.map(r => ({
              name: r.name,
              ...(r.nominalQuota !== undefined
                ? { nominalQuota: r.nominalQuota }
                : {}),
            })),
          })),
        };
      }),
      localQueues: localQueues.map(l => {
        const { namespace, name, clusterQueue } = toKueueLocalQueue(version, l);
        return { namespace, name, clusterQueue };
      }),
    };
  }
  const groups = await kc
    .makeApiClient(k8s.ApisApi)
    .getAPIVersions(withTimeout);
  const kserve = groups.groups.find(g => g.name === KSERVE_GROUP);
  const preferred = kserve?.preferredVersion?.version;
  const versions = kserve
    ? [
        ...(preferred ? [preferred] : []),
        ...kserve.versions.map(v => v.version).filter(v => v !== preferred),
      ]
    : [];
  const deployTargets: DeployTargetsInventory = kserve
    ? {
        targets: ['deployment', 'llm-inference-service'],
        llmInferenceServiceVersions: versions,
      }
    : { targets: ['deployment'] };
  return { nodes, pods, kueue, deployTargets };
}

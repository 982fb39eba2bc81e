import {
  type ClusterConfig,
  kubeConfigOptions,
} from '@internal/plugin-ai-platform-node';
import type { KueueQueueStatus } from '@internal/plugin-ai-platform-common';

/** The API shapes, shared with the clients through -common. */
export type { KueueQueueStatus } from '@internal/plugin-ai-platform-common';

type Resource = {
  name: string;
  nominalQuota?: string;
  borrowingLimit?: string;
  total?: string;
};
type Flavor = { name: string; resources?: Resource[] };
type ClusterQueue = {
  spec?: { resourceGroups?: Array<{ flavors?: Flavor[] }> };
  status?: {
    flavorsUsage?: Flavor[];
    flavorsReservation?: Flavor[];
    admittedWorkloads?: number;
    pendingWorkloads?: number;
    conditions?: Array<{ type: string; status: string }>;
  };
};

/** A Kubernetes quantity of whole units ("32", "1k"); undefined when absent. */
function count(quantity?: string): number | undefined {
  if (quantity === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(k|M)?$/.exec(quantity);
  if (!m) return undefined;
  const scale: Record<string, number> = { k: 1e3, M: 1e6 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

/** Reads the GPU figures of one resource and flavor out of a ClusterQueue. */
export function parseClusterQueue(
  name: string,
  queue: ClusterQueue,
  options: { resource: string; flavor?: string },
): KueueQueueStatus {
  const pick = (flavors?: Flavor[]) =>
    (flavors ?? [])
      .filter(f => !options.flavor || f.name === options.flavor)
      .flatMap(f =>
        (f.resources ?? []).filter(r => r.name === options.resource),
      );
  const sum = (
    resources: Resource[],
    key: 'nominalQuota' | 'borrowingLimit' | 'total',
  ) => {
    const values = resources
      .map(r => count(r[key]))
      .filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const spec = pick(queue.spec?.resourceGroups?.flatMap(g => g.flavors ?? []));
  return {
    clusterQueue: name,
    flavor: options.flavor,
    resource: options.resource,
    nominalQuota: sum(spec, 'nominalQuota'),
    borrowingLimit: sum(spec, 'borrowingLimit'),
    used: sum(pick(queue.status?.flavorsUsage), 'total'),
    reserved: sum(pick(queue.status?.flavorsReservation), 'total'),
    admittedWorkloads: queue.status?.admittedWorkloads,
    pendingWorkloads: queue.status?.pendingWorkloads,
    active:
      queue.status?.conditions?.find(c => c.type === 'Active')?.status ===
      'True',
  };
}

/**
 * Reads a ClusterQueue from a cluster configured the way Backstage's
 * Kubernetes plugin configures it, with @kubernetes/client-node.
 */
export class KueueReader {
  async read(options: {
    cluster: ClusterConfig;
    clusterQueue: string;
    resource: string;
    flavor?: string;
  }): Promise<KueueQueueStatus> {
    // @kubernetes/client-node 1.x is ESM; Node's require of ESM loads it here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s =
      require('@kubernetes/client-node') as typeof import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions(kubeConfigOptions(options.cluster));
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const queue = (await api.getClusterCustomObject({
      group: 'kueue.x-k8s.io',
      version: 'v1beta1',
      plural: 'clusterqueues',
      name: options.clusterQueue,
    })) as ClusterQueue;
    return parseClusterQueue(options.clusterQueue, queue, options);
  }
}

import { NotFoundError } from '@backstage/errors';
import {
  type ClusterConfig,
  connectToCluster,
  discoverKueueApiVersion,
  KUEUE_GROUP,
  type KueueClusterQueue,
  toKueueClusterQueue,
} from '@internal/plugin-ai-platform-node';
import type { KueueQueueStatus } from '@internal/plugin-ai-platform-common';

/** The API shapes, shared with the clients through -common. */
export type { KueueQueueStatus } from '@internal/plugin-ai-platform-common';

/** A Kubernetes quantity of whole units ("32", "1k"); undefined when absent. */
function count(quantity?: string): number | undefined {
  if (quantity === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(k|M)?$/.exec(quantity);
  if (!m) return undefined;
  const scale: Record<string, number> = { k: 1e3, M: 1e6 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

/**
 * Sums the GPU figures of one resource (and flavor, when given) out of a
 * ClusterQueue, whichever Kueue API version it was read through.
 */
export function summarizeClusterQueue(
  queue: KueueClusterQueue,
  options: { resource: string; flavor?: string },
): KueueQueueStatus {
  const ofResource = <R extends { name: string }>(
    flavors: Array<{ flavor: string; resources: R[] }>,
  ) =>
    flavors
      .filter(f => !options.flavor || f.flavor === options.flavor)
      .flatMap(f => f.resources)
      .filter(r => r.name === options.resource);
  const sum = (values: Array<string | undefined>) => {
    const numbers = values
      .map(count)
      .filter((v): v is number => v !== undefined);
    return numbers.length ? numbers.reduce((a, b) => a + b, 0) : undefined;
  };
  const quotas = ofResource(queue.flavors);
  const used = ofResource(queue.usage);
  const reserved = ofResource(queue.reservation);
  return {
    apiVersion: queue.apiVersion,
    clusterQueue: queue.name,
    cohort: queue.cohort,
    flavor: options.flavor,
    resource: options.resource,
    nominalQuota: sum(quotas.map(r => r.nominalQuota)),
    borrowingLimit: sum(quotas.map(r => r.borrowingLimit)),
    used: sum(used.map(r => r.total)),
    reserved: sum(reserved.map(r => r.total)),
    admittedWorkloads: queue.admittedWorkloads,
    pendingWorkloads: queue.pendingWorkloads,
    active: queue.active === true,
  };
}

/**
 * Reads a ClusterQueue from a cluster configured the way Backstage's
 * Kubernetes plugin configures it, with @kubernetes/client-node: it asks
 * the cluster's discovery which Kueue API version it serves (v1beta2, which
 * Kueue v0.15 and later serve and v0.20 serves alone, else v1beta1 for
 * older installs) and reads the queue in that version's field names.
 */
export class KueueReader {
  async read(options: {
    cluster: ClusterConfig;
    clusterQueue: string;
    resource: string;
    flavor?: string;
  }): Promise<KueueQueueStatus> {
    const { k8s, kc } = connectToCluster(options.cluster);
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const version = await discoverKueueApiVersion(groupVersion =>
      api.getAPIResources(groupVersion),
    );
    if (!version) {
      throw new NotFoundError(
        `the cluster serves neither ${KUEUE_GROUP}/v1beta2 nor ${KUEUE_GROUP}/v1beta1; is Kueue installed?`,
      );
    }
    const object = await api.getClusterCustomObject({
      group: KUEUE_GROUP,
      version,
      plural: 'clusterqueues',
      name: options.clusterQueue,
    });
    return summarizeClusterQueue(toKueueClusterQueue(version, object), options);
  }
}

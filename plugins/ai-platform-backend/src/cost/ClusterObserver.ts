import type { ClusterClients } from '../deploy/ClusterClients';
import {
  KUBERNETES_ID_SELECTOR,
  observePod,
  observeWorkload,
  type ClusterObservation,
} from './clusterObservation';

/** Lists what runs in a cluster. */
export interface ClusterReader {
  /**
   * The cluster's Deployments and Pods that carry `backstage.io/kubernetes-id`,
   * or a rejection when the cluster is not configured or does not answer.
   */
  observe(
    cluster: string,
    now: number,
  ): Promise<ClusterObservation & { requests: number }>;
}

/**
 * Reads each cluster with one paginated, cluster-wide LIST per resource
 * type (Deployments, Pods; pages of 500) through the portal's own cluster
 * clients: the requests grow with the cluster's objects / 500, never with
 * the number of endpoints.
 */
export class ClusterObserver implements ClusterReader {
  constructor(
    private readonly options: {
      clusters: ClusterClients;
      pageSize?: number;
    },
  ) {}

  /** Whether a cluster is configured (kubernetes.clusterLocatorMethods). */
  configured(cluster: string): boolean {
    return 'cluster' in this.options.clusters.target(cluster, '');
  }

  async observe(
    cluster: string,
    now: number,
  ): Promise<ClusterObservation & { requests: number }> {
    const target = this.options.clusters.target(cluster, '');
    if ('notConfigured' in target) {
      throw new Error(
        `cluster ${cluster} is not configured in kubernetes.clusterLocatorMethods`,
      );
    }
    const client = this.options.clusters.client(target.cluster);
    const list = (resource: 'deployments' | 'pods') =>
      client.listAll({
        resource,
        labelSelector: KUBERNETES_ID_SELECTOR,
        pageSize: this.options.pageSize ?? 500,
      });
    const [deployments, pods] = await Promise.all([
      list('deployments'),
      list('pods'),
    ]);
    return {
      cluster,
      observedAt: now,
      workloads: deployments.items.map(observeWorkload),
      pods: pods.items.map(observePod),
      requests: deployments.requests + pods.requests,
    };
  }
}

import {
  type ClusterConfig,
  ClusterNotConfiguredError,
} from '@internal/plugin-ai-platform-node';
import type { KubernetesClusterClient } from './kube/KubernetesClusterClient';

/** Where a pool's objects go: its configured cluster, or why there is none. */
export type TargetCluster =
  | { cluster: ClusterConfig }
  | { notConfigured: string };

/**
 * The configured clusters (`kubernetes.clusterLocatorMethods`) and one
 * client per cluster, created on first use and kept, so that each cluster's
 * API discovery is cached across deployments.
 */
export class ClusterClients {
  private readonly clients = new Map<string, KubernetesClusterClient>();

  constructor(
    private readonly options: {
      clusters: ClusterConfig[];
      createClient: (cluster: ClusterConfig) => KubernetesClusterClient;
    },
  ) {}

  /** The cluster of a pool, or the message that says it is not configured. */
  target(cluster: string, poolRef: string): TargetCluster {
    const found = this.options.clusters.find(c => c.name === cluster);
    if (found) return { cluster: found };
    return {
      notConfigured: new ClusterNotConfiguredError({
        cluster,
        pool: poolRef,
        configured: this.options.clusters.map(c => c.name),
      }).message,
    };
  }

  /** The client of a configured cluster. */
  client(cluster: ClusterConfig): KubernetesClusterClient {
    let client = this.clients.get(cluster.name);
    if (!client) {
      client = this.options.createClient(cluster);
      this.clients.set(cluster.name, client);
    }
    return client;
  }
}

import type * as clientNode from '@kubernetes/client-node';
import type { ClusterConfig } from './readClusterConfigs';
import { kubeConfigOptions } from './kubeConfigOptions';

/** The `@kubernetes/client-node` module. */
export type ClientNode = typeof clientNode;

/** A connection to one configured cluster: the client module and a KubeConfig for the cluster. */
export type ClusterConnection = {
  k8s: ClientNode;
  kc: clientNode.KubeConfig;
};

/**
 * Loads `@kubernetes/client-node` (1.x is ESM; Node's require of ESM loads
 * it here, when first used) and builds the KubeConfig of one configured
 * cluster (its URL, CA and service account token; see kubeConfigOptions):
 *
 * ```ts
 * const { k8s, kc } = connectToCluster(cluster);
 * const core = kc.makeApiClient(k8s.CoreV1Api);
 * ```
 */
export function connectToCluster(cluster: ClusterConfig): ClusterConnection {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require('@kubernetes/client-node') as ClientNode;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions(kubeConfigOptions(cluster));
  return { k8s, kc };
}

import fs from 'fs';
import type { ClusterConfig } from './readClusterConfigs';

/**
 * The options of `KubeConfig.loadFromOptions` (from `@kubernetes/client-node`)
 * that connect to one configured cluster with its service account token and
 * CA (caData, or caFile read now). Plain data, so that this package needs no
 * Kubernetes client of its own:
 *
 * ```ts
 * const kc = new KubeConfig();
 * kc.loadFromOptions(kubeConfigOptions(cluster));
 * ```
 */
export function kubeConfigOptions(cluster: ClusterConfig) {
  const caData =
    cluster.caData ??
    (cluster.caFile
      ? fs.readFileSync(cluster.caFile).toString('base64')
      : undefined);
  return {
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        skipTLSVerify: cluster.skipTLSVerify,
        ...(caData ? { caData } : {}),
      },
    ],
    users: [
      {
        name: 'ai-platform',
        ...('token' in cluster.auth && cluster.auth.token
          ? { token: cluster.auth.token }
          : {}),
      },
    ],
    contexts: [
      { name: 'ai-platform', cluster: cluster.name, user: 'ai-platform' },
    ],
    currentContext: 'ai-platform',
  };
}

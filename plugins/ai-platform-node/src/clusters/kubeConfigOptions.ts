import fs from 'fs';
import type { ClusterConfig } from './readClusterConfigs';

/**
 * The options of `KubeConfig.loadFromOptions` (from `@kubernetes/client-node`)
 * that connect to one configured cluster with its service account token and
 * CA (caData, or caFile read now), as plain data; connectToCluster builds
 * the KubeConfig from them.
 */
function readCaFile(clusterName: string, caFile: string): string {
  try {
    return fs.readFileSync(caFile).toString('base64');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `Cluster "${clusterName}": its caFile ${caFile} cannot be read (${
        code ?? String(error)
      }); fix kubernetes.clusterLocatorMethods[].clusters[].caFile, or give the CA inline as caData`,
    );
  }
}

export function kubeConfigOptions(cluster: ClusterConfig) {
  const caData =
    cluster.caData ??
    (cluster.caFile ? readCaFile(cluster.name, cluster.caFile) : undefined);
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

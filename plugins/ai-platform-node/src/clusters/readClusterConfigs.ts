import type { Config } from '@backstage/config';

/** How the portal authenticates to a cluster's API server. */
export type ClusterAuth =
  | { provider: 'serviceAccount'; token?: string }
  | { provider: string };

/**
 * A cluster as Backstage's Kubernetes plugin configures it
 * (`kubernetes.clusterLocatorMethods[]` of type `config`).
 */
export type ClusterConfig = {
  name: string;
  title?: string;
  url: string;
  auth: ClusterAuth;
  /** PEM of the API server's CA, base64 (caData) or read from caFile. */
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
};

/**
 * Reads the clusters of `kubernetes.clusterLocatorMethods` (type `config`),
 * the configuration Backstage's Kubernetes plugin reads, so that a portal
 * that already shows workloads needs no second cluster list. Other locator
 * types (catalog, gke, ...) are not ours to read and are skipped.
 */
export function readClusterConfigs(config: Config): ClusterConfig[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ClusterConfig[] = [];
  for (const method of methods) {
    if (method.getString('type') !== 'config') continue;
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      const provider = c.getOptionalString('authProvider') ?? 'serviceAccount';
      clusters.push({
        name: c.getString('name'),
        title: c.getOptionalString('title'),
        url: c.getString('url'),
        auth:
          provider === 'serviceAccount'
            ? { provider, token: c.getOptionalString('serviceAccountToken') }
            : { provider },
        caData: c.getOptionalString('caData'),
        caFile: c.getOptionalString('caFile'),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  return clusters;
}

/** Thrown when a GpuPool names a cluster that is not configured. */
export class ClusterNotConfiguredError extends Error {
  readonly cluster: string;

  constructor(options: {
    cluster: string;
    pool?: string;
    configured: string[];
  }) {
    super(
      `${options.pool ? `${options.pool} runs on` : 'The'} cluster "${
        options.cluster
      }", which is not configured: add it under kubernetes.clusterLocatorMethods (type: config) as clusters[].name: ${
        options.cluster
      } with its url and authProvider${
        options.configured.length
          ? ` (configured clusters: ${options.configured.join(', ')})`
          : ' (no clusters are configured)'
      }`,
    );
    this.name = 'ClusterNotConfiguredError';
    this.cluster = options.cluster;
  }
}

/** The configured cluster of that name, or a clear error naming the missing config. */
export function findClusterConfig(
  clusters: ClusterConfig[],
  cluster: string,
  pool?: string,
): ClusterConfig {
  const found = clusters.find(c => c.name === cluster);
  if (!found) {
    throw new ClusterNotConfiguredError({
      cluster,
      pool,
      configured: clusters.map(c => c.name),
    });
  }
  return found;
}

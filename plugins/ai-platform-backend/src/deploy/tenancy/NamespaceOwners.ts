import {
  ANNOTATION_NAMESPACE_OWNERS,
  canonicalEntityRef,
} from '@internal/plugin-ai-platform-common';
import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';

/**
 * Who owns a Kubernetes namespace, as the platform team says: the
 * `ai-platform.io/owners` annotation of the Namespace in the cluster (read
 * live, cached briefly) and the `aiPlatform.deploy.namespaces` mapping in
 * config. Either source may name owners; a deploy goes only into a
 * namespace some source names an owner of.
 */
export type NamespaceOwnership = {
  cluster: string;
  namespace: string;
  /** Canonical Group refs; undefined when no source names an owner. */
  owners?: string[];
  /** Where the owners come from, for the record. */
  sources: Array<'cluster' | 'config'>;
  /** True for kube-*, default and the configured system namespaces. */
  system: boolean;
  /** Why the cluster could not say (not configured, unreachable, refused). */
  clusterError?: string;
  /** The cluster answered that the Namespace does not exist. */
  missing?: boolean;
};

/** `aiPlatform.deploy.namespaces` and the system namespaces, read from config. */
export type NamespaceOwnersOptions = {
  /** cluster -> namespace -> owner Group refs. */
  mapping: Record<string, Record<string, string[]>>;
  /** Namespaces never deployed into, besides kube-* and default. */
  systemNamespaces: string[];
  /** How long an answer of the cluster is reused. */
  cacheTtlMs: number;
};

/** Namespaces no policy can open: Kubernetes' own, and the configured ones. */
export function isSystemNamespace(
  namespace: string,
  extra: readonly string[],
): boolean {
  return (
    namespace === 'default' ||
    namespace.startsWith('kube-') ||
    extra.includes(namespace)
  );
}

/** Owner refs from an annotation value or config entries, canonical, without duplicates. */
export function canonicalOwners(values: string[]): string[] {
  const owners = new Set<string>();
  for (const value of values) {
    const trimmed = value.trim();
    if (!trimmed) continue;
    try {
      owners.add(canonicalEntityRef(trimmed, { defaultKind: 'Group' }));
    } catch {
      // Not an entity ref: names no owner.
    }
  }
  return [...owners].sort();
}

type Cached = { at: number; value: Omit<NamespaceOwnership, 'system'> };

/**
 * Reads and caches who owns each namespace. The cluster is asked through
 * the same clients the deploys use; when it cannot answer, the config
 * mapping alone decides.
 */
export class NamespaceOwners {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly options: NamespaceOwnersOptions & {
      /** The client of a configured cluster, or undefined when it is not configured. */
      clientOf: (cluster: string) => KubernetesClusterClient | undefined;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  /** The owners of a namespace of a cluster, and where they come from. */
  async ownership(
    cluster: string,
    namespace: string,
  ): Promise<NamespaceOwnership> {
    const system = isSystemNamespace(namespace, this.options.systemNamespaces);
    const key = `${cluster}/${namespace}`;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.options.cacheTtlMs) {
      return { ...cached.value, system };
    }
    const configured = canonicalOwners(
      this.options.mapping[cluster]?.[namespace] ?? [],
    );
    const fromCluster = await this.readCluster(cluster, namespace);
    const owners = canonicalOwners([
      ...(fromCluster.owners ?? []),
      ...configured,
    ]);
    const value: Omit<NamespaceOwnership, 'system'> = {
      cluster,
      namespace,
      ...(owners.length ? { owners } : {}),
      sources: [
        ...(fromCluster.owners?.length ? (['cluster'] as const) : []),
        ...(configured.length ? (['config'] as const) : []),
      ],
      ...(fromCluster.error ? { clusterError: fromCluster.error } : {}),
      ...(fromCluster.missing ? { missing: true } : {}),
    };
    // Only answers of the cluster are cached: an error is asked again.
    if (!fromCluster.error) {
      this.cache.set(key, { at: this.now(), value });
    }
    return { ...value, system };
  }

  private async readCluster(
    cluster: string,
    namespace: string,
  ): Promise<{ owners?: string[]; error?: string; missing?: boolean }> {
    const client = this.options.clientOf(cluster);
    if (!client) {
      return {
        error: `cluster ${cluster} is not configured in kubernetes.clusterLocatorMethods`,
      };
    }
    try {
      const live = await client.read({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      });
      if (!live) return { missing: true };
      const annotation =
        live.metadata.annotations?.[ANNOTATION_NAMESPACE_OWNERS];
      return { owners: annotation ? annotation.split(',') : [] };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

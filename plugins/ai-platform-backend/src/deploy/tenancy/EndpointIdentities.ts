import type { AuthService } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  canonicalEntityRef,
} from '@internal/plugin-ai-platform-common';

/** A catalog endpoint that uses a Kubernetes name, with its owner. */
export type EndpointIdentity = { endpointRef: string; owner?: string };

/** The Kubernetes name of an endpoint's objects: its kubernetes-id, else its name. */
export function kubernetesNameOf(entity: Entity): string {
  return (
    entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ??
    entity.metadata.name
  );
}

/**
 * Finds the catalog's InferenceEndpoints that would deploy objects under a
 * given name into a namespace of a cluster. The names come from the
 * `backstage.io/kubernetes-id` annotation, which an endpoint's authors
 * choose, so two entities (in two catalog namespaces, say) can claim the
 * same workload; the identity check refuses the second. Read with the
 * backend's own credentials: the check must see every endpoint, not only
 * those the caller may read.
 */
export class EndpointIdentities {
  constructor(
    private readonly options: { catalog: CatalogService; auth: AuthService },
  ) {}

  async endpointsNamed(options: {
    cluster: string;
    namespace: string;
    name: string;
  }): Promise<EndpointIdentity[]> {
    const { catalog, auth } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: 'InferenceEndpoint',
          'spec.namespace': options.namespace,
        },
        fields: ['kind', 'metadata', 'spec.owner', 'spec.gpuPool'],
      },
      { credentials },
    );
    const named = items.filter(e => kubernetesNameOf(e) === options.name);
    if (!named.length) return [];
    const refOf = (e: Entity, value: unknown, kind: string) =>
      typeof value === 'string'
        ? canonicalEntityRef(value, {
            defaultKind: kind,
            defaultNamespace: e.metadata.namespace ?? 'default',
          })
        : undefined;
    const poolRefs = [
      ...new Set(
        named
          .map(e => refOf(e, e.spec?.gpuPool, 'GpuPool'))
          .filter((r): r is string => !!r),
      ),
    ];
    const pools = await catalog.getEntitiesByRefs(
      { entityRefs: poolRefs, fields: ['kind', 'metadata', 'spec.cluster'] },
      { credentials },
    );
    const clusterOf = new Map(
      pools.items.flatMap((p, i) =>
        // Only the fields asked for: the kind says it is a pool.
        p?.kind === 'GpuPool'
          ? [[poolRefs[i], (p.spec as { cluster?: string })?.cluster]]
          : [],
      ),
    );
    return named
      .filter(
        e =>
          clusterOf.get(refOf(e, e.spec?.gpuPool, 'GpuPool') ?? '') ===
          options.cluster,
      )
      .map(e => ({
        endpointRef: stringifyEntityRef(e),
        owner: refOf(e, e.spec?.owner, 'Group'),
      }));
  }
}

import type {
  AuthService,
  PermissionsRegistryService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  canonicalEntityRefOrUndefined,
  endpointDeployPermission,
  evalWritePermission,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import {
  type AiPlatformOwnedResource,
  aiPlatformPermissionRules,
  endpointResourceRef,
  modelResourceRef,
  teamResourceRef,
} from '@internal/plugin-ai-platform-node';

/** A ref of a spec field, read as the catalog reads it: a bare name lives in the entity's namespace. */
function specRef(
  value: unknown,
  defaultKind: string,
  namespace: string,
): string | undefined {
  return canonicalEntityRefOrUndefined(value, {
    defaultKind,
    defaultNamespace: namespace,
  });
}

/**
 * Registers the resource types of the owner-scoped permissions, so that a
 * policy's conditional decision (owner of the endpoint or model, member of the
 * team) is applied here, where the resources are known.
 */
export function registerPermissionResources(options: {
  permissionsRegistry: PermissionsRegistryService;
  catalog: CatalogService;
  auth: AuthService;
  /**
   * Who owns a namespace of a cluster, for the endpoint resource's
   * `namespace` (rule IS_IN_OWNED_NAMESPACE); without it the resource
   * carries no namespace and the rule holds for none.
   */
  namespaceOwners?: {
    ownership(
      cluster: string,
      namespace: string,
    ): Promise<{ owners?: string[] }>;
  };
}) {
  const { permissionsRegistry, catalog, auth, namespaceOwners } = options;

  /** Adds the namespace each endpoint deploys into, with its owners. */
  const withNamespaces = async (
    resources: Array<AiPlatformOwnedResource | undefined>,
    items: Array<{ spec?: Record<string, unknown> } | undefined>,
  ) => {
    const poolRefs = [
      ...new Set(resources.flatMap(r => (r?.pool ? [r.pool] : []))),
    ];
    const { items: pools } = await catalog.getEntitiesByRefs(
      { entityRefs: poolRefs, fields: ['kind', 'metadata', 'spec.cluster'] },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const clusterOf = new Map(
      pools.map((p, i) => [
        poolRefs[i],
        p?.spec?.cluster as string | undefined,
      ]),
    );
    return Promise.all(
      resources.map(async (resource, i) => {
        const name = items[i]?.spec?.namespace;
        const cluster = resource?.pool && clusterOf.get(resource.pool);
        if (!resource || typeof name !== 'string' || !cluster) {
          return resource;
        }
        const { owners } = await namespaceOwners!.ownership(cluster, name);
        return {
          ...resource,
          namespace: { cluster, name, ...(owners ? { owners } : {}) },
        };
      }),
    );
  };

  const ownedEntities = async (
    refs: string[],
    opts: { namespaces: boolean },
  ): Promise<Array<AiPlatformOwnedResource | undefined>> => {
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'spec.owner',
          'spec.gpuPool',
          'spec.namespace',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const resources = items.map((entity, i) => {
      if (!entity) return undefined;
      const namespace = entity.metadata.namespace ?? 'default';
      const pool = specRef(entity.spec?.gpuPool, 'GpuPool', namespace);
      return {
        entityRef: refs[i],
        owner: specRef(entity.spec?.owner, 'Group', namespace),
        ...(pool ? { pool } : {}),
      } as AiPlatformOwnedResource;
    });
    return namespaceOwners && opts.namespaces
      ? withNamespaces(resources, items)
      : resources;
  };

  permissionsRegistry.addResourceType({
    resourceRef: endpointResourceRef,
    permissions: [endpointDeployPermission],
    rules: Object.values(aiPlatformPermissionRules.endpoint),
    getResources: refs => ownedEntities(refs, { namespaces: true }),
  });
  permissionsRegistry.addResourceType({
    resourceRef: modelResourceRef,
    permissions: [evalWritePermission],
    rules: Object.values(aiPlatformPermissionRules.model),
    getResources: refs => ownedEntities(refs, { namespaces: false }),
  });
  permissionsRegistry.addResourceType({
    resourceRef: teamResourceRef,
    permissions: [quotaRequestPermission],
    rules: Object.values(aiPlatformPermissionRules.team),
    getResources: async refs => refs.map(entityRef => ({ entityRef })),
  });
}

import type {
  AuthService,
  PermissionsRegistryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
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
  if (typeof value !== 'string') return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace: namespace }),
    );
  } catch {
    return undefined;
  }
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
}) {
  const { permissionsRegistry, catalog, auth } = options;

  const ownedEntities = async (
    refs: string[],
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
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    return items.map((entity, i) => {
      if (!entity) return undefined;
      const namespace = entity.metadata.namespace ?? 'default';
      const pool = specRef(entity.spec?.gpuPool, 'GpuPool', namespace);
      return {
        entityRef: refs[i],
        owner: specRef(entity.spec?.owner, 'Group', namespace),
        ...(pool ? { pool } : {}),
      };
    });
  };

  permissionsRegistry.addResourceType({
    resourceRef: endpointResourceRef,
    permissions: [endpointDeployPermission],
    rules: Object.values(aiPlatformPermissionRules.endpoint),
    getResources: ownedEntities,
  });
  permissionsRegistry.addResourceType({
    resourceRef: modelResourceRef,
    permissions: [evalWritePermission],
    rules: Object.values(aiPlatformPermissionRules.model),
    getResources: ownedEntities,
  });
  permissionsRegistry.addResourceType({
    resourceRef: teamResourceRef,
    permissions: [quotaRequestPermission],
    rules: Object.values(aiPlatformPermissionRules.team),
    getResources: async refs => refs.map(entityRef => ({ entityRef })),
  });
}

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

function ownerRef(owner: string, namespace: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'Group',
        defaultNamespace: namespace,
      }),
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
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    return items.map((entity, i) => {
      if (!entity) return undefined;
      const owner = entity.spec?.owner;
      // A bare owner ref lives in the entity's namespace, as the catalog reads it.
      return {
        entityRef: refs[i],
        owner:
          typeof owner === 'string'
            ? ownerRef(owner, entity.metadata.namespace ?? 'default')
            : undefined,
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

import type { Entity } from '@backstage/catalog-model';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  type CatalogApi,
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  type AiPlatformApi,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import {
  auditRouteRef,
  costRouteRef,
  evalsRouteRef,
  quotasRouteRef,
} from '../routes';
import { allEntities } from './entities';
import { permissionsAllowing } from './permissions';
import { setAllowedPermissions } from './usePermissionMock';

/** A catalog whose entity lookups fail as an unavailable backend does. */
export function unavailableCatalog(): Partial<CatalogApi> {
  const down = async () => {
    throw new Error('Request failed with 503 Service Unavailable');
  };
  return { getEntitiesByRefs: down, getEntityByRef: down };
}

/**
 * Renders an element in a test app with a mocked ai-platform API, an
 * in-memory catalog of the example entities, a permission API that allows
 * the named permissions, and the entity and plugin routes mounted.
 */
export function renderWithApis(
  element: JSX.Element,
  options: {
    api?: Partial<AiPlatformApi>;
    entity?: Entity;
    entities?: Entity[];
    /** A catalog API instead of the in-memory one of `entities`. */
    catalog?: Partial<CatalogApi>;
    allow?: string[];
    initialRouteEntries?: string[];
    /** The signed-in user's ownership refs (default: guest in Applied ML). */
    ownershipEntityRefs?: string[];
    /** App config the components read (e.g. `aiPlatform.demo`). */
    config?: NonNullable<Parameters<typeof renderInTestApp>[1]>['config'];
  } = {},
) {
  setAllowedPermissions(options.allow ?? []);
  return renderInTestApp(
    options.entity ? (
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    ) : (
      element
    ),
    {
      apis: [
        [aiPlatformApiRef, (options.api ?? {}) as AiPlatformApi],
        options.catalog
          ? [catalogApiRef, options.catalog as CatalogApi]
          : catalogApiMock({ entities: options.entities ?? allEntities }),
        permissionsAllowing(...(options.allow ?? [])),
        mockApis.identity({
          userEntityRef: 'user:default/guest',
          ownershipEntityRefs: options.ownershipEntityRefs ?? [
            'user:default/guest',
            'group:default/applied-ml',
          ],
        }),
      ],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/ai-platform/evals': convertLegacyRouteRef(evalsRouteRef),
        '/ai-platform/quotas': convertLegacyRouteRef(quotasRouteRef),
        '/ai-platform/cost': convertLegacyRouteRef(costRouteRef),
        '/ai-platform/audit': convertLegacyRouteRef(auditRouteRef),
      },
      initialRouteEntries: options.initialRouteEntries,
      ...(options.config ? { config: options.config } : {}),
    },
  );
}

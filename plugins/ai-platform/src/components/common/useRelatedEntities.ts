import type { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';

/**
 * The entities at the other end of an entity's relations of one type (for
 * example the endpoints that serve a model), read from the catalog.
 */
export function useRelatedEntities(entity: Entity, relationType: string) {
  const catalogApi = useApi(catalogApiRef);
  const refs = (entity.relations ?? [])
    .filter(r => r.type === relationType)
    .map(r => r.targetRef);
  const key = refs.join(',');
  return useAsync(async (): Promise<Entity[]> => {
    if (refs.length === 0) return [];
    const { items } = await catalogApi.getEntitiesByRefs({ entityRefs: refs });
    return items.filter((e): e is Entity => e !== undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
}

/** Entities by ref, read from the catalog; missing ones are left out. */
export function useEntitiesByRefs(refs: string[]) {
  const catalogApi = useApi(catalogApiRef);
  const key = refs.join(',');
  return useAsync(async (): Promise<Map<string, Entity>> => {
    const found = new Map<string, Entity>();
    if (refs.length === 0) return found;
    const { items } = await catalogApi.getEntitiesByRefs({ entityRefs: refs });
    items.forEach((e, i) => {
      if (e) found.set(refs[i], e);
    });
    return found;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
}

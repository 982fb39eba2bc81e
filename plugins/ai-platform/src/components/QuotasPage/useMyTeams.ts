import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { RELATION_MEMBER_OF } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import { isRefOfKind } from '../common/entityRefs';

/**
 * The groups the signed-in user belongs to: the group refs of their
 * ownership refs and the groups their User entity is a member of.
 */
export function useMyTeams() {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    const teams = new Set(
      identity.ownershipEntityRefs.filter(r => isRefOfKind(r, 'group')),
    );
    const user = await catalogApi
      .getEntityByRef(identity.userEntityRef)
      .catch(() => undefined);
    for (const relation of user?.relations ?? []) {
      if (relation.type === RELATION_MEMBER_OF) teams.add(relation.targetRef);
    }
    return [...teams].sort();
  }, [identityApi, catalogApi]);
}

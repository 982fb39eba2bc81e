import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type { PermissionApi } from '@backstage/plugin-permission-react';

/**
 * A permission API for tests that allows the named permissions and denies
 * the others.
 */
export function permissionsAllowing(...names: string[]) {
  const api: PermissionApi = {
    authorize: async request =>
      names.includes(request.permission.name)
        ? { result: AuthorizeResult.ALLOW }
        : { result: AuthorizeResult.DENY },
  };
  return [permissionApiRef, api] as const;
}

import { permissionApiRef } from '@backstage/plugin-permission-react';
import type { PermissionApi } from '@backstage/plugin-permission-react';

type Decision = Awaited<ReturnType<PermissionApi['authorize']>>['result'];

/**
 * A permission API for tests that allows the named permissions and denies
 * the others.
 */
export function permissionsAllowing(...names: string[]) {
  const api: PermissionApi = {
    authorize: async request => ({
      result: (names.includes(request.permission.name)
        ? 'ALLOW'
        : 'DENY') as unknown as Decision,
    }),
  };
  return [permissionApiRef, api] as const;
}

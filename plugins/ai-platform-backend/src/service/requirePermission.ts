import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Throws NotAllowedError (HTTP 403) unless the permission is granted; for a
 * resource permission, pass the entity ref the decision is about.
 */
export async function requirePermission(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  permission: BasicPermission | ResourcePermission;
  resourceRef?: string;
}): Promise<void> {
  const { permissions, credentials, permission, resourceRef } = options;
  const [decision] =
    permission.type === 'resource'
      ? await permissions.authorize(
          [{ permission, resourceRef: resourceRef! }],
          {
            credentials,
          },
        )
      : await permissions.authorize(
          [{ permission: permission as BasicPermission }],
          {
            credentials,
          },
        );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `You are not allowed to ${permission.name}${
        resourceRef ? ` on ${resourceRef}` : ''
      }`,
    );
  }
}

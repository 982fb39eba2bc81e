import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { BasicPermission } from '@backstage/plugin-permission-common';
import type express from 'express';
import type { AuditLog } from '../audit/AuditLog';
import { createMutations, type Mutations } from './mutation';
import { requirePermission } from './requirePermission';

/** What every routes file of the ai-platform API gets. */
export type RouteContext = {
  permissions: PermissionsService;
  auditLog: AuditLog;
  /** The one path of every mutating route (parse, permission, run, audit). */
  mutations: Mutations;
  /** The caller's credentials (the router's auth policy has refused anonymous calls). */
  credentialsOf(req: express.Request): Promise<BackstageCredentials>;
  /** The caller's credentials, once a basic permission is granted to them (403 otherwise). */
  permittedCredentials(
    req: express.Request,
    permission: BasicPermission,
  ): Promise<BackstageCredentials>;
};

export function createRouteContext(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditLog: AuditLog;
}): RouteContext {
  const { httpAuth, permissions, auditLog } = options;
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  return {
    permissions,
    auditLog,
    mutations: createMutations({ httpAuth, auditLog }),
    credentialsOf,
    async permittedCredentials(req, permission) {
      const credentials = await credentialsOf(req);
      await requirePermission({ permissions, credentials, permission });
      return credentials;
    },
  };
}

import type {
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { endpointDeployPermission } from '@internal/plugin-ai-platform-common';
import { endpointResourceRef } from '@internal/plugin-ai-platform-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { actorOf } from '../../audit/AuditLog';
import type { ResolvedEndpoint } from '../resolveEndpoint';
import type { NamespaceOwners } from '../tenancy/NamespaceOwners';

/**
 * Advancing, approving or aborting a canary changes what serves the
 * endpoint's traffic, as a promote does: it needs the promote's permission,
 * `ai-platform.endpoint.deploy`, decided on the same resource (the
 * endpoint's owner and pool from the catalog, the namespace its objects run
 * in with that namespace's owners), so a policy's conditions (IS_OWNER,
 * IS_ON_POOL, IS_IN_OWNED_NAMESPACE) apply alike. NotAllowedError (403)
 * otherwise.
 */
export async function authorizeCanaryAction(options: {
  permissions: Pick<PermissionsService, 'authorizeConditional'>;
  permissionsRegistry: Pick<PermissionsRegistryService, 'getPermissionRuleset'>;
  namespaceOwners: Pick<NamespaceOwners, 'ownership'>;
  credentials: BackstageCredentials;
  resolved: ResolvedEndpoint;
  cluster: string;
  namespace: string;
  action: string;
}): Promise<void> {
  const { credentials, resolved } = options;
  const [decision] = await options.permissions.authorizeConditional(
    [{ permission: endpointDeployPermission }],
    { credentials },
  );
  let allowed = decision.result === AuthorizeResult.ALLOW;
  if (decision.result === AuthorizeResult.CONDITIONAL) {
    const ns = await options.namespaceOwners.ownership(
      options.cluster,
      options.namespace,
    );
    const authorize = createConditionAuthorizer(
      options.permissionsRegistry.getPermissionRuleset(endpointResourceRef),
    );
    allowed = await authorize(decision, {
      entityRef: resolved.endpointRef,
      owner: resolved.team,
      pool: stringifyEntityRef(resolved.pool),
      namespace: {
        cluster: ns.cluster,
        name: ns.namespace,
        ...(ns.owners ? { owners: ns.owners } : {}),
      },
    });
  }
  if (!allowed) {
    throw new NotAllowedError(
      `${actorOf(credentials)} may not ${options.action} the canary of ${
        resolved.endpointRef
      } (permission ${endpointDeployPermission.name}, decided for owner ${
        resolved.team
      } on pool ${stringifyEntityRef(resolved.pool)} in namespace ${
        options.namespace
      } on cluster ${options.cluster})`,
    );
  }
}

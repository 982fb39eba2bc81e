import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { endpointDeployPermission } from '@internal/plugin-ai-platform-common';
import { endpointResourceRef } from '@internal/plugin-ai-platform-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { actorOf } from '../../audit/AuditLog';
import { describeNamespace, targetNamespace } from './targetNamespace';
import type { DeploymentRun, DeploymentStep } from './types';

/**
 * Whether the caller may deploy the endpoint (`ai-platform.endpoint.deploy`),
 * decided on the endpoint as this call would deploy it: its owner and pool
 * (from the catalog for an endpoint there, from the request otherwise) and
 * the namespace its objects go to with that namespace's owners (rules
 * IS_OWNER, IS_ON_POOL, IS_IN_OWNED_NAMESPACE, IS_IN_NAMESPACE). A policy's
 * conditional decision is applied here, to that resource.
 */
export async function mayDeploy(run: DeploymentRun): Promise<boolean> {
  const { plan, call, deps } = run;
  const { credentials } = call;
  const [decision] = await deps.permissions.authorizeConditional(
    [{ permission: endpointDeployPermission }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return decision.result === AuthorizeResult.ALLOW;
  }
  const namespace = await targetNamespace(run);
  const authorize = createConditionAuthorizer(
    deps.permissionsRegistry.getPermissionRuleset(endpointResourceRef),
  );
  return authorize(decision, {
    entityRef: plan.endpointRef,
    owner: plan.team,
    pool: stringifyEntityRef(plan.pool),
    ...(namespace
      ? {
          namespace: {
            cluster: namespace.cluster,
            name: namespace.namespace,
            ...(namespace.owners ? { owners: namespace.owners } : {}),
          },
        }
      : {}),
  });
}

/**
 * 1. Permission. A refusal is recorded, and the caller gets a
 * NotAllowedError (403) rather than the failed record.
 */
export const permissionCheck: DeploymentStep = {
  name: 'permission',
  async run(run) {
    const { plan, call } = run;
    if (await mayDeploy(run)) {
      return {
        status: 'passed',
        message: `${endpointDeployPermission.name} granted`,
      };
    }
    const namespace = run.namespace;
    const message = `${actorOf(call.credentials)} may not deploy ${
      plan.endpointRef
    } (permission ${endpointDeployPermission.name}, decided for owner ${
      plan.team
    } on pool ${stringifyEntityRef(plan.pool)}${
      namespace ? ` into ${describeNamespace(namespace)}` : ''
    })`;
    return {
      status: 'failed',
      message,
      refusal: new NotAllowedError(message),
    };
  },
};

import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { endpointDeployPermission } from '@internal/plugin-ai-platform-common';
import { endpointResourceRef } from '@internal/plugin-ai-platform-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { actorOf } from '../../audit/AuditLog';
import type { DeploymentRun, DeploymentStep } from './types';

/**
 * Whether the caller may deploy the endpoint (`ai-platform.endpoint.deploy`).
 * An endpoint in the catalog is decided on its entity; one not in the
 * catalog yet on the owner group and pool in the request (a conditional
 * decision applied here, rules IS_OWNER and IS_ON_POOL).
 */
export async function mayDeploy(run: DeploymentRun): Promise<boolean> {
  const { plan, call, deps } = run;
  const { credentials } = call;
  if (plan.inCatalog) {
    const [decision] = await deps.permissions.authorize(
      [{ permission: endpointDeployPermission, resourceRef: plan.endpointRef }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }
  const [decision] = await deps.permissions.authorizeConditional(
    [{ permission: endpointDeployPermission }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return decision.result === AuthorizeResult.ALLOW;
  }
  const authorize = createConditionAuthorizer(
    deps.permissionsRegistry.getPermissionRuleset(endpointResourceRef),
  );
  return authorize(decision, {
    entityRef: plan.endpointRef,
    owner: plan.team,
    pool: stringifyEntityRef(plan.pool),
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
    const message = `${actorOf(call.credentials)} may not deploy ${
      plan.endpointRef
    } (permission ${endpointDeployPermission.name}${
      plan.inCatalog
        ? ''
        : `, decided for owner ${plan.team} on pool ${stringifyEntityRef(
            plan.pool,
          )}`
    })`;
    return {
      status: 'failed',
      message,
      refusal: new NotAllowedError(message),
    };
  },
};

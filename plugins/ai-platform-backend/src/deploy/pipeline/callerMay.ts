import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import type { DeploymentRun } from './types';

/**
 * Whether the caller of a run holds a basic permission: the override
 * permissions the checks ask for (gate and lifecycle overrides, adoption).
 */
export async function callerMay(
  run: Pick<DeploymentRun, 'call' | 'deps'>,
  permission: BasicPermission,
): Promise<boolean> {
  const [decision] = await run.deps.permissions.authorize([{ permission }], {
    credentials: run.call.credentials,
  });
  return decision.result === AuthorizeResult.ALLOW;
}

import type { DeploymentPlan } from '../planDeployment';
import type { NamespaceOwnership } from '../tenancy/NamespaceOwners';
import type { DeploymentRun } from './types';

/**
 * The namespace a plan's objects go to: theirs (a rollback restores objects
 * as they were applied), else the endpoint's `spec.namespace`.
 */
export function namespaceNameOf(plan: DeploymentPlan): string | undefined {
  return plan.manifests[0]?.metadata.namespace ?? plan.endpoint.spec.namespace;
}

/**
 * The target namespace and who owns it, loaded once per run: the permission
 * decision (rule IS_IN_OWNED_NAMESPACE) and the namespace check read the
 * same answer. Undefined when the plan names no namespace.
 */
export async function targetNamespace(
  run: DeploymentRun,
): Promise<NamespaceOwnership | undefined> {
  if (!run.namespace) {
    const name = namespaceNameOf(run.plan);
    if (!name) return undefined;
    run.namespace = await run.deps.namespaceOwners.ownership(
      run.plan.pool.spec.cluster,
      name,
    );
  }
  return run.namespace;
}

/** `namespace chat on cluster gpu-eu-west (owners: group:default/applied-ml)`, for messages. */
export function describeNamespace(ns: NamespaceOwnership): string {
  return `namespace ${ns.namespace} on cluster ${ns.cluster} (${
    ns.owners?.length
      ? `owned by ${ns.owners.join(', ')}`
      : 'no verifiable owner'
  })`;
}

import {
  autoRollbackEnabled,
  type DeploymentRecord,
} from '@internal/plugin-ai-platform-common';
import type { DeploymentStore } from './DatabaseDeploymentStore';
import { type DeploymentPlan, restorePlan } from './planDeployment';

/** What to do after a deployment ended: nothing, or an automatic rollback with this plan. */
export type AutoRollbackDecision =
  | { rollback: false; why?: string }
  | { rollback: true; plan: DeploymentPlan; reason: string };

/**
 * Decides whether a finished deployment is rolled back on its own: only a
 * real deployment whose rollout failed, of an endpoint with
 * `spec.rollout.autoRollback` (default on for lifecycle production), and
 * never an automatic rollback itself (a failed rollback stops; it never
 * loops). The rollback re-applies the newest applied revision, the last
 * one that succeeded, rolled out as the failed call was (surge unless it
 * accepted downtime). `why` says, when there is something to say, why
 * there is no rollback.
 */
export async function decideAutoRollback(options: {
  plan: DeploymentPlan;
  record: DeploymentRecord;
  store: Pick<DeploymentStore, 'applied'>;
}): Promise<AutoRollbackDecision> {
  const { plan, record } = options;
  if (record.state === 'failed' && plan.operation === 'auto-rollback') {
    return {
      rollback: false,
      why: `Automatic rollback stopped: this automatic rollback (revision ${record.revision}) failed too, and a rollback is never rolled back; the endpoint needs someone to act`,
    };
  }
  if (
    record.state !== 'failed' ||
    record.dryRun ||
    record.error?.check !== 'rollout' ||
    !autoRollbackEnabled(plan.endpoint)
  ) {
    return { rollback: false };
  }
  const [target] = await options.store.applied(plan.endpointRef);
  if (!target) {
    return {
      rollback: false,
      why: 'Automatic rollback: no earlier revision of this endpoint succeeded, so there is nothing to go back to',
    };
  }
  if (target.specHash === record.specHash) {
    return {
      rollback: false,
      why: `Automatic rollback: revision ${target.revision}, the last that succeeded, has the same objects as this one; applying them again would not help`,
    };
  }
  const { endpoint, endpointRef, inCatalog, model, pool, team } = plan;
  return {
    rollback: true,
    plan: restorePlan({
      resolved: { endpoint, endpointRef, inCatalog, model, pool, team },
      operation: 'auto-rollback',
      target,
      strategy: plan.strategy,
      failedRevision: record.revision,
    }),
    reason: `automatic rollback: revision ${record.revision} failed its rollout: ${record.error.message}`,
  };
}

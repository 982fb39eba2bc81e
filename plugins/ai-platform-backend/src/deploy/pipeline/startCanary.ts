import { actorOf } from '../../audit/AuditLog';
import type { DeploymentRun, StepOutcome } from './types';

/**
 * The rollout step of a canary promote: the engine's objects are applied
 * (step 1's weight), so the canary starts (CanaryService.start) and the
 * record stays in progress in state `canary` until the canary ends; the
 * scheduled driver carries it on from here. The GPUs the quota check
 * reserved for the canary's pods pass to the canary, which releases them
 * when it ends (not the runner at the end of this call).
 */
export async function startCanary(run: DeploymentRun): Promise<StepOutcome> {
  const { plan, deps, progress, applied } = run;
  const canary = plan.canary!;
  if (!deps.canaries) {
    return {
      status: 'failed',
      message:
        'canary promotes are not set up in this backend (no canary store); nothing was started',
    };
  }
  const revision = (await deps.store.recent(plan.endpointRef, 2)).find(
    r => r.id === progress.id,
  )?.revision;
  const reserved = run.reservedCanaryGpus ?? 0;
  const started = await deps.canaries.start({
    deploymentId: progress.id,
    revision: revision ?? 0,
    plan,
    requestedBy: actorOf(run.call.credentials),
    reservedGpus: reserved,
  });
  // From here the canary holds (and releases) the reservation.
  run.releaseSurge = async () => {};
  const first = canary.plan.steps[0];
  return {
    status: 'passed',
    message: `canary started through ${canary.plan.engine}: step 1 of ${canary.plan.steps.length}, ${first.weight} % of the traffic to ${plan.modelVersion} (${started.phase}); the record stays in state canary until the canary ends (GET /endpoints/{namespace}/{name}/canary)`,
    details: { canary: canary.plan },
    ...(applied ? { objects: applied.objects } : {}),
    end: { state: 'canary', skipRest: 'the canary runs on' },
  };
}

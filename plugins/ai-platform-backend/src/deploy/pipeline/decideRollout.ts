import type { RolloutPlan } from '@internal/plugin-ai-platform-common';
import { podTemplateOf } from '../render/rolloutStrategy';
import type { DeploymentRun } from './types';

/**
 * How this deployment's rollout keeps serving, before the quota check
 * reserves for it:
 * - `none` when nothing serves yet (no applied revision: a first deploy
 *   creates pods, it replaces none) or when the pods stay as they are (the
 *   running revision has the same pod template and nothing was tried since);
 * - `downtime` when the plan was rendered without surge (`allowDowntime`);
 * - `surge` otherwise: `maxSurge` extra pods, whose GPUs are reserved.
 */
export async function decideRollout(run: DeploymentRun): Promise<RolloutPlan> {
  const { plan, deps, progress } = run;
  const { maxSurge, maxUnavailable } = plan.strategy;
  const [running] = await deps.store.applied(plan.endpointRef);
  const [newest] = (await deps.store.recent(plan.endpointRef, 2)).filter(
    r => r.id !== progress.id,
  );
  const none = (reason: string): RolloutPlan => ({
    strategy: 'none',
    maxSurge,
    maxUnavailable,
    surgeGpus: 0,
    reason,
  });
  if (!running) {
    return none(
      'no revision of this endpoint runs yet: the pods are created, none are replaced, so no surge GPUs are needed',
    );
  }
  if (
    newest?.id === running.id &&
    podTemplateOf(running.manifests) === podTemplateOf(plan.manifests)
  ) {
    return none(
      `the pods of revision ${running.revision}, which runs, stay as they are: nothing rolls out, so no surge GPUs are needed`,
    );
  }
  if (maxSurge === 0) {
    return {
      strategy: 'downtime',
      maxSurge,
      maxUnavailable,
      surgeGpus: 0,
      reason: `allowDowntime: old pods go before new ones are ready (maxSurge 0, maxUnavailable ${maxUnavailable}); an endpoint with one replica stops serving until the new pod is ready`,
    };
  }
  const surgeGpus = maxSurge * plan.gpusPerReplica;
  return {
    strategy: 'surge',
    maxSurge,
    maxUnavailable,
    surgeGpus,
    reason: `new pods start before old ones go (maxSurge ${maxSurge}, maxUnavailable ${maxUnavailable}): ${surgeGpus} GPUs for ${maxSurge} surge replica${
      maxSurge === 1 ? '' : 's'
    } are held on top of the endpoint's own until the rollout ends`,
  };
}

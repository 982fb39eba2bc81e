import { objectName } from '../kube/KubernetesClusterClient';
import type { DeploymentStep } from './types';
import { llmInferenceServiceRollout } from './waitForLLMInferenceService';
import { waitForRollout } from './waitForRollout';
import { startCanary } from './startCanary';

/** 6. Waits for the Deployment's rollout (see waitForRollout), or for an LLMInferenceService's conditions (see waitForLLMInferenceService); a canary promote starts its canary instead (see startCanary). */
export const rolloutStep: DeploymentStep = {
  name: 'rollout',
  async run(run) {
    const { plan, deps, progress, applied } = run;
    if (!applied) {
      return { status: 'skipped', message: 'nothing was applied' };
    }
    if (plan.canary) return startCanary(run);
    await progress.setState('rolling-out');
    const llmisvc = plan.manifests.find(m => m.kind === 'LLMInferenceService');
    if (llmisvc) return llmInferenceServiceRollout(run, llmisvc);
    const deployment = plan.manifests.find(m => m.kind === 'Deployment');
    if (!deployment) {
      return { status: 'skipped', message: 'no Deployment to wait for' };
    }
    const outcome = await waitForRollout({
      client: applied.client,
      deployment,
      rolloutTimeoutMs: deps.deploy.rolloutTimeoutMs,
      progressIntervalMs: deps.deploy.progressIntervalMs,
      event: (level, message, object) => progress.event(level, message, object),
    });
    if (!outcome.ok) {
      return {
        status: 'failed',
        message: outcome.message,
        details: outcome.details,
        error: { object: objectName(deployment) },
      };
    }
    return { status: 'passed', message: outcome.message };
  },
};

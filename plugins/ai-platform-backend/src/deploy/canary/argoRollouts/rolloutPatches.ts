import type { LiveObject } from '../../kube/KubernetesClusterClient';
import type { RolloutStatus } from './readRollout';

/**
 * The JSON merge patches `kubectl argo rollouts promote` and `abort` send,
 * as Argo Rollouts v1.8.x/v1.9.x writes them
 * (pkg/kubectl-argo-rollouts/cmd/promote/promote.go getPatches, without
 * flags; cmd/abort/abort.go). The status patch goes to the Rollout's status
 * subresource (Argo Rollouts v0.10 and later; the portal does not support
 * the v0.9 fallback without it), the spec patch to the Rollout.
 */
export type RolloutPatches = {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

/** `kubectl argo rollouts promote NAME`: past the current pause, or to the next step. */
export function promotePatches(rollout: LiveObject): RolloutPatches {
  const status = (rollout.status ?? {}) as RolloutStatus;
  const spec = (rollout.spec ?? {}) as {
    paused?: boolean;
    strategy?: { canary?: { steps?: unknown[] } };
  };
  const patches: RolloutPatches = {};
  if (spec.paused) patches.spec = { spec: { paused: false } };
  if (status.pauseConditions?.length) {
    patches.status = { status: { pauseConditions: null } };
  } else if (spec.strategy?.canary) {
    // Clear pause conditions or move to the next step, never both (a
    // promote in the middle of a step's analysis).
    const steps = spec.strategy.canary.steps ?? [];
    if (steps.length > 0) {
      let index = status.currentStepIndex ?? 0;
      if (index < steps.length) index++;
      patches.status = {
        status: { pauseConditions: null, currentStepIndex: index },
      };
    }
  }
  return patches;
}

/** `kubectl argo rollouts abort NAME`. */
export const ABORT_PATCH = { status: { abort: true } };

import type { CanaryStep } from '@internal/plugin-ai-platform-common';

/**
 * The portal's canary steps as Argo Rollouts canary steps (Argo Rollouts
 * v1.8.x/v1.9.x, pkg/apis/rollouts/v1alpha1/types.go CanaryStep), and the
 * two ways of counting them: each portal step is a `setWeight`, followed by
 * a `pause` when it has one (`pause: {duration}` for a timed pause,
 * `pause: {}` to wait until promoted). Argo's status.currentStepIndex counts
 * Argo steps; it equals their number once all are done.
 */
export type ArgoCanaryStep =
  | { setWeight: number }
  | { pause: { duration?: string } };

export function argoSteps(steps: readonly CanaryStep[]): ArgoCanaryStep[] {
  return steps.flatMap((step): ArgoCanaryStep[] => {
    const setWeight = { setWeight: step.weight };
    if (!step.pause) return [setWeight];
    return 'approval' in step.pause
      ? [setWeight, { pause: {} }]
      : [setWeight, { pause: { duration: `${step.pause.durationSeconds}s` } }];
  });
}

/** Index of portal step `index`'s setWeight among the Argo steps. */
export function argoIndexOf(steps: readonly CanaryStep[], index: number) {
  return steps.slice(0, index).reduce((n, s) => n + (s.pause ? 2 : 1), 0);
}

/**
 * Where Argo's status.currentStepIndex is, in portal steps: the step, and
 * whether Argo is on that step's pause or past all steps.
 */
export function portalStepOf(
  steps: readonly CanaryStep[],
  argoIndex: number | undefined,
): { index: number; atPause: boolean; done: boolean } {
  const at = argoIndex ?? 0;
  let start = 0;
  for (let i = 0; i < steps.length; i++) {
    const size = steps[i].pause ? 2 : 1;
    if (at < start + size) {
      return { index: i, atPause: at === start + 1, done: false };
    }
    start += size;
  }
  return { index: Math.max(0, steps.length - 1), atPause: false, done: true };
}

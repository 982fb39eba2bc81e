import type {
  CanaryEngineName,
  CanarySplit,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';

/* Canaries in words, as the Promote dialog and the Canary card say them. */

/** The engine in words, with the objects it works through. */
export function engineText(engine: CanaryEngineName): string {
  return engine === 'argo-rollouts'
    ? 'Argo Rollouts: a Rollout (argoproj.io/v1alpha1) whose controller follows the steps'
    : 'Gateway API: a stable and a canary Deployment behind an HTTPRoute whose weights the portal sets';
}

/** Where a split's actual percent comes from, in words. */
export function splitBasisText(split: CanarySplit): string {
  return split.basis === 'route-weights'
    ? 'route weights, as the cluster stores them'
    : `replica count: ${split.canaryReplicas} canary of ${
        split.canaryReplicas + split.stableReplicas
      } pods`;
}

/** A duration in words: `45 s`, `5 min`, `1 h 30 min`. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return (
    [h && `${h} h`, m && `${m} min`, rest && `${rest} s`]
      .filter(Boolean)
      .join(' ') || '0 s'
  );
}

/** How a step waits, in words. */
export function pauseText(step: CanaryStep): string {
  if (!step.pause) return 'goes on at once';
  if ('approval' in step.pause) return 'until approved';
  return `for ${formatSeconds(step.pause.durationSeconds)}`;
}

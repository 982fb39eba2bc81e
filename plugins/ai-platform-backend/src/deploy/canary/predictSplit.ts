import type {
  CanaryEngineName,
  CanarySplit,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { CanaryClusterSettings } from './types';

/**
 * Canary and stable pods for a weight when the split is by replica count
 * (Argo Rollouts without traffic routing: the Service spreads requests over
 * all ready pods). As Argo Rollouts' basic canary does
 * (utils/replicaset/canary.go, approximateWeightedCanaryStableReplicaCounts):
 * the counts closest to the weight, from `replicas` or `replicas + 1` pods,
 * with at least one canary pod and, below 100 %, one stable pod.
 */
export function replicaSplit(
  replicas: number,
  weight: number,
): { stable: number; canary: number } {
  if (weight >= 100) return { stable: 0, canary: replicas };
  let best: { stable: number; canary: number; off: number } | undefined;
  for (const total of [replicas, replicas + 1]) {
    for (const canary of [
      Math.floor((total * weight) / 100),
      Math.ceil((total * weight) / 100),
    ]) {
      const stable = total - canary;
      if (canary < 1 || stable < 1) continue;
      const off = Math.abs((canary / total) * 100 - weight);
      if (!best || off < best.off - 1e-9) best = { stable, canary, off };
    }
  }
  return best
    ? { stable: best.stable, canary: best.canary }
    : { stable: 1, canary: 1 };
}

/** Whether the engine splits by route weights (exact) or by replicas. */
export function splitBasis(
  engine: CanaryEngineName,
  settings: CanaryClusterSettings,
): CanarySplit['basis'] {
  return engine === 'argo-rollouts' && settings.argoTrafficRouting === 'none'
    ? 'replica-count'
    : 'route-weights';
}

/**
 * What each step's split will really be, before anything runs (the Promote
 * dialog's dry run shows it): route weights give the weight as asked; a
 * replica-count split gives canary pods / all pods, with a note when that
 * differs from the weight ("with 2 replicas a 10 % step is 50 %").
 */
export function predictSplits(options: {
  engine: CanaryEngineName;
  settings: CanaryClusterSettings;
  replicas: number;
  steps: CanaryStep[];
}): CanarySplit[] {
  const { engine, settings, steps } = options;
  const replicas = Math.max(1, options.replicas);
  const basis = splitBasis(engine, settings);
  return steps.map(step => {
    if (basis === 'route-weights') {
      const canaryReplicas =
        step.weight >= 100
          ? replicas
          : Math.max(1, Math.ceil((replicas * step.weight) / 100));
      return {
        desiredCanaryPercent: step.weight,
        actualCanaryPercent: step.weight,
        basis,
        stableReplicas: step.weight >= 100 ? 0 : replicas,
        canaryReplicas,
      };
    }
    const { stable, canary } = replicaSplit(replicas, step.weight);
    const actual = Math.round((canary / (stable + canary)) * 1000) / 10;
    return {
      desiredCanaryPercent: step.weight,
      actualCanaryPercent: actual,
      basis,
      stableReplicas: stable,
      canaryReplicas: canary,
      ...(actual !== step.weight
        ? {
            note: `with ${replicas} replica${replicas === 1 ? '' : 's'} a ${
              step.weight
            } % step is ${actual} % (${canary} canary of ${
              stable + canary
            } pods; no traffic routing, so the split is by replica count)`,
          }
        : {}),
    };
  });
}

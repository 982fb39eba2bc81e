import { llmGpusPerPodOf, llmPodTemplateOf } from './kserve/llmWorkload';
import type { KubernetesManifest } from './types';

/** A Deployment's rolling update, in absolute replicas. */
export type RollingUpdateStrategy = {
  maxSurge: number;
  maxUnavailable: number;
};

/**
 * The default: one new pod starts (and becomes ready) before an old one
 * goes, so an endpoint never has fewer ready replicas than it asks for. The
 * surge pod's GPUs (`maxSurge` x gpusPerReplica) are reserved on top of the
 * endpoint's worst case while the rollout runs.
 */
export const SURGE_STRATEGY: RollingUpdateStrategy = {
  maxSurge: 1,
  maxUnavailable: 0,
};

/**
 * With `allowDowntime`: an old pod goes before a new one starts, so no GPU
 * beyond the worst case is needed, and a one-replica endpoint stops serving
 * until the new pod is ready.
 */
export const DOWNTIME_STRATEGY: RollingUpdateStrategy = {
  maxSurge: 0,
  maxUnavailable: 1,
};

/** The `spec.strategy` of a Deployment rendered with `strategy`. */
export function deploymentStrategy(strategy: RollingUpdateStrategy) {
  return {
    type: 'RollingUpdate',
    rollingUpdate: {
      maxSurge: strategy.maxSurge,
      maxUnavailable: strategy.maxUnavailable,
    },
  };
}

/**
 * The same objects with the Deployment's rolling update set to `strategy`:
 * a rollback restores an earlier revision's objects, rolled out the way
 * this call decided.
 */
export function withStrategy(
  manifests: KubernetesManifest[],
  strategy: RollingUpdateStrategy,
): KubernetesManifest[] {
  return manifests.map(m =>
    m.kind === 'Deployment' && m.apiVersion === 'apps/v1'
      ? { ...m, spec: { ...m.spec, strategy: deploymentStrategy(strategy) } }
      : m,
  );
}

/** The rolling update of the Deployment among `manifests`, when it has one in absolute numbers. */
export function strategyOf(
  manifests: KubernetesManifest[],
): RollingUpdateStrategy | undefined {
  const deployment = manifests.find(m => m.kind === 'Deployment');
  const rolling = (
    deployment?.spec?.strategy as
      | { rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } }
      | undefined
  )?.rollingUpdate;
  if (
    typeof rolling?.maxSurge !== 'number' ||
    typeof rolling.maxUnavailable !== 'number'
  ) {
    return undefined;
  }
  return { maxSurge: rolling.maxSurge, maxUnavailable: rolling.maxUnavailable };
}

/**
 * The pod template of the Deployment among `manifests`, as JSON: a rollout
 * happens only when it changes.
 */
export function podTemplateOf(
  manifests: KubernetesManifest[],
): string | undefined {
  const deployment = manifests.find(m => m.kind === 'Deployment');
  if (!deployment) return llmPodTemplateOf(manifests);
  return JSON.stringify(deployment.spec?.template);
}

/** GPUs (of `resourceName`) one pod of the Deployment among `manifests` requests. */
export function gpusPerPodOf(
  manifests: KubernetesManifest[],
  resourceName: string,
): number {
  const deployment = manifests.find(m => m.kind === 'Deployment');
  if (!deployment) return llmGpusPerPodOf(manifests, resourceName);
  const containers =
    (
      deployment?.spec?.template as
        | {
            spec?: {
              containers?: Array<{
                resources?: {
                  limits?: Record<string, unknown>;
                  requests?: Record<string, unknown>;
                };
              }>;
            };
          }
        | undefined
    )?.spec?.containers ?? [];
  return containers.reduce((sum, c) => {
    const amount =
      c.resources?.limits?.[resourceName] ??
      c.resources?.requests?.[resourceName];
    return sum + (amount === undefined ? 0 : Number(amount) || 0);
  }, 0);
}

import type { LiveObject, PodSummary } from './kube/KubernetesClusterClient';

/** Where a Deployment's rollout is, read the way `kubectl rollout status` reads it. */
export type RolloutProgress =
  | { done: true; message: string }
  | { done: false; failed: boolean; message: string };

/** Reads a Deployment's rollout state from its status. */
export function rolloutProgress(deployment: LiveObject): RolloutProgress {
  const name = deployment.metadata.name;
  const generation = deployment.metadata.generation ?? 0;
  const status = deployment.status ?? {};
  const desired =
    (deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < generation) {
    return {
      done: false,
      failed: false,
      message: `Waiting for the controller to see generation ${generation} of ${name}`,
    };
  }
  const progressing = (
    status.conditions as Array<{ type: string; reason?: string }> | undefined
  )?.find(c => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      failed: true,
      message: `Deployment ${name} exceeded its progress deadline`,
    };
  }
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) {
    return {
      done: false,
      failed: false,
      message: `${updated} of ${desired} replicas updated`,
    };
  }
  if (replicas > updated) {
    return {
      done: false,
      failed: false,
      message: `${replicas - updated} old replicas are pending termination`,
    };
  }
  if (available < updated) {
    return {
      done: false,
      failed: false,
      message: `${available} of ${updated} updated replicas are available`,
    };
  }
  return {
    done: true,
    message: `${available} of ${desired} replicas ready`,
  };
}

/**
 * Pod states that will not fix themselves: the rollout fails at once rather
 * than at its timeout. FailedScheduling is not among them: a cluster
 * autoscaler or a finished job may free GPUs, so it is reported and waited on.
 */
const FATAL_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** The first pod whose state will not fix itself, with why. */
export function fatalPodProblem(pods: PodSummary[]): PodSummary | undefined {
  return pods.find(p => p.reason && FATAL_REASONS.has(p.reason));
}

import type { KubeObject } from '../types';
import type { Condition } from '../workload/pods';
import { mergeConditions } from '../workload/status';
import type { RolloutStatus } from './types';

/*
 * The phase, message and conditions of a Rollout as Argo Rollouts v1.8
 * computes them (utils/rollout/rolloututil.go GetRolloutPhase and
 * utils/conditions): Degraded (InvalidSpec, RolloutAborted,
 * ProgressDeadlineExceeded), Paused (a pause condition, or spec.paused:
 * "manually paused"), Progressing (with the controller's wording of what it
 * waits for), Healthy.
 */

export type Observed = {
  revision: string;
  rsName: string;
  replicas: number;
  /** Pods of the Rollout's ReplicaSets, ready ones, of the current template. */
  pods: number;
  ready: number;
  updated: number;
  updatedReady: number;
  /** The rollout reached the current template (stableRS is the current hash). */
  promoted: boolean;
  /** Every ReplicaSet but the stable one is at 0 pods. */
  oldGone: boolean;
  paused: boolean;
  aborted: boolean;
  abortMessage?: string;
  deadlineExceeded: boolean;
  waitingFor?: string;
};

export function phaseOf(o: Observed): { phase: string; message?: string } {
  if (o.aborted) {
    return {
      phase: 'Degraded',
      message: `RolloutAborted: Rollout aborted update to revision ${
        o.revision
      }${o.abortMessage ? `: ${o.abortMessage}` : ''}`,
    };
  }
  if (o.deadlineExceeded) {
    return {
      phase: 'Degraded',
      message: `ProgressDeadlineExceeded: ReplicaSet "${o.rsName}" has timed out progressing.`,
    };
  }
  if (o.paused) return { phase: 'Paused' };
  if (!o.promoted) {
    if (o.waitingFor) return { phase: 'Progressing', message: o.waitingFor };
    return {
      phase: 'Progressing',
      message: 'waiting for all steps to complete',
    };
  }
  if (o.updated < o.replicas) {
    return {
      phase: 'Progressing',
      message: 'more replicas need to be updated',
    };
  }
  if (o.updatedReady < o.replicas) {
    return {
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
    };
  }
  if (!o.oldGone || o.pods > o.replicas) {
    return {
      phase: 'Progressing',
      message: 'old replicas are pending termination',
    };
  }
  return { phase: 'Healthy' };
}

export function conditionsOf(
  rollout: KubeObject,
  previous: RolloutStatus['conditions'],
  o: Observed,
  hash: string,
): NonNullable<RolloutStatus['conditions']> {
  const name = rollout.metadata.name;
  const available =
    o.ready >= o.replicas
      ? {
          type: 'Available',
          status: 'True',
          reason: 'AvailableReason',
          message: 'Rollout has minimum availability',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'AvailableReason',
          message: 'Rollout does not have minimum availability',
        };
  const healthy = o.promoted && o.updatedReady >= o.replicas && o.oldGone;
  const completed = o.promoted
    ? {
        type: 'Completed',
        status: 'True',
        reason: 'RolloutCompleted',
        message: `Rollout completed update to revision ${o.revision} (${hash}): Completed Rollout`,
      }
    : {
        type: 'Completed',
        status: 'False',
        reason: 'RolloutCompleted',
        message: `Rollout not completed, started update to revision ${o.revision} (${hash})`,
      };
  let progressing;
  if (o.aborted) {
    progressing = {
      type: 'Progressing',
      status: 'False',
      reason: 'RolloutAborted',
      message: `Rollout aborted update to revision ${o.revision}${
        o.abortMessage ? `: ${o.abortMessage}` : ''
      }`,
    };
  } else if (o.deadlineExceeded) {
    progressing = {
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${o.rsName}" has timed out progressing.`,
    };
  } else if (o.paused) {
    progressing = {
      type: 'Progressing',
      status: 'Unknown',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    };
  } else if (healthy) {
    progressing = {
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `RolloutCompleted: Rollout "${name}" has successfully progressed.`,
    };
  } else {
    progressing = {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${o.rsName}" is progressing.`,
    };
  }
  let paused: Condition | undefined;
  if (o.paused) {
    paused = {
      type: 'Paused',
      status: 'True',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    };
  } else if (previous?.some(c => c.type === 'Paused')) {
    paused = {
      type: 'Paused',
      status: 'False',
      reason: 'RolloutResumed',
      message: 'Rollout is resumed',
    };
  }
  const healthyCondition = healthy
    ? {
        type: 'Healthy',
        status: 'True',
        reason: 'RolloutHealthy',
        message: 'Rollout is healthy',
      }
    : {
        type: 'Healthy',
        status: 'False',
        reason: 'RolloutHealthy',
        message: 'Rollout is not healthy',
      };
  return mergeConditions(previous, [
    available,
    completed,
    healthyCondition,
    ...(paused ? [paused] : []),
    progressing,
  ]);
}

/** `a=b,c=d`, keys sorted, as metav1.FormatLabelSelector writes matchLabels. */
export function selectorString(labels: Record<string, string> | undefined) {
  return Object.keys(labels ?? {})
    .sort()
    .map(k => `${k}=${labels![k]}`)
    .join(',');
}

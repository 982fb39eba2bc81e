import { writeAs } from '../ControllerBase';
import type { ObjectStore } from '../ObjectStore';
import type { KubeObject } from '../types';
import { deepEqual, timestamp } from '../util';
import { type Condition, isReady, podsOf, REPLICASET } from './pods';

/** A workload's pod counts at one moment (see PodHistory). */
export type PodCounts = {
  at: string;
  /** Pods of the workload, of every template. */
  pods: number;
  /** Of those, ready. */
  ready: number;
  /** Pods of the current template. */
  updated: number;
  /** Of those, ready. */
  updatedReady: number;
};

/** How many pod count changes a workload's history keeps. */
const MAX_HISTORY = 10_000;

/** Writes each ReplicaSet's status (replicas, ready, available) from its pods. */
export function syncReplicaSetStatuses(
  store: ObjectStore,
  sets: KubeObject[],
): void {
  for (const rs of sets) {
    const pods = podsOf(store, rs);
    const ready = pods.filter(isReady).length;
    const rsStatus = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation,
    };
    if (!deepEqual(rs.status, rsStatus)) {
      writeAs(
        store,
        REPLICASET,
        { ...rs, status: rsStatus },
        'kube-controller-manager',
        'status',
      );
    }
  }
}

/**
 * `next` conditions with their times: a condition that did not change keeps
 * its previous object; one that changed gets `lastUpdateTime` now (when
 * `withUpdateTime`) and keeps `lastTransitionTime` unless its status flipped.
 */
export function mergeConditions(
  previous: Condition[] | undefined,
  next: Condition[],
  withUpdateTime = true,
): Condition[] {
  const now = timestamp();
  return next.map(c => {
    const before = previous?.find(o => o.type === c.type);
    if (
      before &&
      before.status === c.status &&
      before.reason === c.reason &&
      before.message === c.message
    ) {
      return before;
    }
    return {
      ...c,
      ...(withUpdateTime ? { lastUpdateTime: now } : {}),
      lastTransitionTime:
        before && before.status === c.status ? before.lastTransitionTime : now,
    };
  });
}

/** The Available condition of a Deployment (or Rollout) with `ready` of `desired` pods ready. */
export function availableCondition(
  ready: number,
  desired: number,
  maxUnavailable: number,
  kind = 'Deployment',
): Condition {
  return ready >= desired - maxUnavailable
    ? {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: `${kind} has minimum availability.`,
      }
    : {
        type: 'Available',
        status: 'False',
        reason: 'MinimumReplicasUnavailable',
        message: `${kind} does not have minimum availability.`,
      };
}

/**
 * Every change of a workload's pod counts, oldest first (at most
 * MAX_HISTORY): how many pods it had, how many were ready, how many ran
 * the current template and how many of those were ready.
 */
export class PodHistory {
  private readonly history = new Map<string, PodCounts[]>();

  record(namespace: string, name: string, counts: Omit<PodCounts, 'at'>) {
    const key = `${namespace}/${name}`;
    const history = this.history.get(key) ?? [];
    const last = history.at(-1);
    if (
      last &&
      last.pods === counts.pods &&
      last.ready === counts.ready &&
      last.updated === counts.updated &&
      last.updatedReady === counts.updatedReady
    ) {
      return;
    }
    history.push({ at: timestamp(), ...counts });
    if (history.length > MAX_HISTORY) history.shift();
    this.history.set(key, history);
  }

  of(namespace: string, name: string): PodCounts[] {
    return [...(this.history.get(`${namespace}/${name}`) ?? [])];
  }
}

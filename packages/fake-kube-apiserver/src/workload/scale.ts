import { writeAs } from '../ControllerBase';
import type { ObjectStore } from '../ObjectStore';
import type { KubeObject } from '../types';
import { readyOf, recordEvent, REPLICASET, replicasOfSet } from './pods';

/** A rolling update's strategy, as Deployments (and Rollouts' canary maxSurge/maxUnavailable) give it. */
export type RollingStrategy = {
  type?: string;
  rollingUpdate?: {
    maxSurge?: number | string;
    maxUnavailable?: number | string;
  };
};

/** An int-or-percent of `total`, rounded as the controllers round it. */
export function resolveIntOrPercent(
  value: number | string | undefined,
  fallback: number | string,
  total: number,
  round: (n: number) => number,
): number {
  const v = value ?? fallback;
  return typeof v === 'string' && v.endsWith('%')
    ? round((total * Number(v.slice(0, -1))) / 100)
    : Number(v);
}

/** maxSurge and maxUnavailable in pods, resolved as the deployment controller resolves them. */
export function limits(
  strategy: RollingStrategy | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  if (strategy?.type === 'Recreate') {
    return { surge: 0, unavailable: Math.max(desired, 1) };
  }
  const surge = resolveIntOrPercent(
    strategy?.rollingUpdate?.maxSurge,
    '25%',
    desired,
    Math.ceil,
  );
  let unavailable = resolveIntOrPercent(
    strategy?.rollingUpdate?.maxUnavailable,
    '25%',
    desired,
    Math.floor,
  );
  // Both 0 would never progress; the API server refuses it, the
  // controller then allows one.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * Sets a ReplicaSet's count and records the `ScalingReplicaSet` Event on
 * the workload, as `component` (deployment-controller, rollouts-controller)
 * does. No-op when the count is already `to`.
 */
export function setReplicas(
  store: ObjectStore,
  workload: KubeObject,
  rs: KubeObject,
  to: number,
  component: string,
  manager = 'kube-controller-manager',
): boolean {
  const from = replicasOfSet(rs);
  if (from === to) return false;
  writeAs(
    store,
    REPLICASET,
    { ...rs, spec: { ...(rs.spec as object), replicas: to } },
    manager,
  );
  recordEvent(store, workload, {
    reason: 'ScalingReplicaSet',
    message: `Scaled ${to > from ? 'up' : 'down'} replica set ${
      rs.metadata.name
    } from ${from} to ${to}`,
    type: 'Normal',
    component,
  });
  return true;
}

/**
 * One step of a rolling update towards `desired` pods of `current`, as the
 * deployment controller runs it: the new ReplicaSet grows while all pods
 * stay within desired + maxSurge; old ReplicaSets (oldest revision first)
 * shrink, first their pods that are not ready, then ready ones while the
 * ready pods stay at least desired - maxUnavailable. True when a
 * ReplicaSet's count changed.
 */
export function rollingScalePass(
  store: ObjectStore,
  options: {
    workload: KubeObject;
    current: KubeObject;
    sets: KubeObject[];
    desired: number;
    limits: { surge: number; unavailable: number };
    revisionAnnotation: string;
    component: string;
    manager?: string;
  },
): boolean {
  const { workload, current, sets, desired, component } = options;
  const { surge, unavailable } = options.limits;
  const revisionOf = (rs: KubeObject) =>
    Number(rs.metadata.annotations?.[options.revisionAnnotation] ?? 0);
  const old = sets
    .filter(
      rs => rs.metadata.uid !== current.metadata.uid && replicasOfSet(rs) > 0,
    )
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  const ready = (rs: KubeObject) => readyOf(store, rs);
  const oldTotal = old.reduce((n, rs) => n + replicasOfSet(rs), 0);
  let changed = false;

  // Scale the new ReplicaSet up (within desired + maxSurge) or down.
  const before = replicasOfSet(current);
  let wanted = before;
  if (before > desired) wanted = desired;
  else if (before < desired) {
    const room = desired + surge - (oldTotal + before);
    if (room > 0) wanted = Math.min(desired, before + room);
  }
  if (wanted !== before) {
    setReplicas(store, workload, current, wanted, component, options.manager);
    changed = true;
  }
  if (old.length === 0) return changed;

  // Scale old ReplicaSets down: first their pods that are not ready
  // (they serve nothing), then ready ones while enough stay ready.
  const minAvailable = desired - unavailable;
  const newUnavailable = Math.max(0, wanted - ready(current));
  let unhealthyBudget = oldTotal + wanted - minAvailable - newUnavailable;
  const counts = new Map(old.map(rs => [rs, replicasOfSet(rs)]));
  for (const rs of old) {
    if (unhealthyBudget <= 0) break;
    const unhealthy = Math.max(0, counts.get(rs)! - ready(rs));
    const down = Math.min(unhealthy, unhealthyBudget);
    if (down > 0) {
      counts.set(rs, counts.get(rs)! - down);
      unhealthyBudget -= down;
    }
  }
  const available =
    ready(current) +
    old.reduce((n, rs) => n + Math.min(ready(rs), counts.get(rs)!), 0);
  let budget = available - minAvailable;
  for (const rs of old) {
    if (budget <= 0) break;
    const down = Math.min(counts.get(rs)!, budget);
    counts.set(rs, counts.get(rs)! - down);
    budget -= down;
  }
  for (const rs of old) {
    if (counts.get(rs) !== replicasOfSet(rs)) {
      setReplicas(
        store,
        workload,
        rs,
        counts.get(rs)!,
        component,
        options.manager,
      );
      changed = true;
    }
  }
  return changed;
}

import type { ApiOperations } from './ApiOperations';
import { ControllerBase } from './ControllerBase';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import type { KubeObject } from './types';
import { deepEqual, shortHash } from './util';
import type { Kubelet } from './workload/kubelet';
import {
  type Condition,
  DEPLOYMENT,
  ensureReplicaSet,
  isReady,
  podsOf,
  type PodTemplate,
  replicaSetsOf,
  syncPods,
  workloadOfPod,
} from './workload/pods';
import {
  limits,
  resolveIntOrPercent,
  type RollingStrategy,
  rollingScalePass,
} from './workload/scale';
import {
  availableCondition,
  mergeConditions,
  PodHistory,
  type PodCounts,
  syncReplicaSetStatuses,
} from './workload/status';

export type { ImageBehaviour } from './workload/kubelet';
export type { PodCounts } from './workload/status';

const REVISION = 'deployment.kubernetes.io/revision';

type DeploymentSpec = {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: PodTemplate;
  progressDeadlineSeconds?: number;
  strategy?: RollingStrategy;
};

/**
 * A simulated kube-controller-manager for Deployments: a ReplicaSet per pod
 * template (`<name>-<pod-template-hash>`), its Pods (template labels plus
 * `pod-template-hash`, owned by the ReplicaSet; see workload/pods.ts), the
 * rolling update within maxSurge/maxUnavailable (workload/scale.ts), and
 * the Deployment's status and conditions (workload/status.ts). The pods
 * are scheduled and started by the Kubelet (workload/kubelet.ts). Old pods
 * go once the new ones are ready, as in a rolling update that never takes
 * old pods down first.
 */
export class DeploymentController extends ControllerBase {
  private readonly seenGeneration = new Map<string, number>();
  private readonly deadlineExceeded = new Map<string, number>();
  /** Deployments whose rolling update runs now (its writes re-enter). */
  private readonly rolling = new Set<string>();
  private readonly history = new PodHistory();

  constructor(
    store: ObjectStore,
    private readonly options: {
      api: ApiOperations;
      kubelet: Kubelet;
      progressDeadlineMs?: number;
    },
  ) {
    super(store, 'kube-controller-manager');
    options.kubelet.onPodChange(pod => {
      const owner = workloadOfPod(this.store, pod);
      if (owner?.kind === 'Deployment') {
        this.rollOut(pod.metadata.namespace!, owner.name);
      }
    });
  }

  /**
   * Picks up where a restarted server left off (after its store was loaded
   * from a state file): every Deployment is reconciled once (missing pods
   * created, status brought up to date). Call after the Kubelet's resume.
   */
  resume() {
    for (const d of this.store.list(DEPLOYMENT)) {
      this.seenGeneration.set(d.metadata.uid!, d.metadata.generation ?? 1);
    }
    this.later(0, () => {
      for (const d of this.store.list(DEPLOYMENT)) {
        this.reconcile(d.metadata.namespace!, d.metadata.name!);
      }
    });
  }

  protected onEvent(event: StoreEvent) {
    const { object } = event;
    const ns = object.metadata.namespace;
    switch (event.resource.kind) {
      case 'Deployment': {
        const uid = object.metadata.uid!;
        if (event.type === 'DELETED') {
          this.seenGeneration.delete(uid);
          this.deadlineExceeded.delete(uid);
          return;
        }
        const generation = object.metadata.generation ?? 1;
        if (this.seenGeneration.get(uid) !== generation) {
          this.seenGeneration.set(uid, generation);
          this.later(0, () => this.reconcile(ns!, object.metadata.name!));
        }
        return;
      }
      case 'ServiceAccount':
        // The ReplicaSet controller retries pods it could not create for a
        // missing account; here, once the account exists.
        if (event.type === 'ADDED') {
          this.later(0, () => {
            for (const d of this.store.list(DEPLOYMENT, ns)) {
              this.reconcile(ns!, d.metadata.name!);
            }
          });
        }
        return;
      case 'Pod':
        if (event.type === 'DELETED') {
          this.later(0, () => {
            const owner = workloadOfPod(this.store, object);
            if (owner?.kind === 'Deployment') this.reconcile(ns!, owner.name);
          });
        }
        return;
      default:
        return;
    }
  }

  /** The API server defaults `spec.replicas` to 1; an autoscaler sets it through the scale subresource. */
  private replicasOf(deployment: KubeObject): number {
    const spec = deployment.spec as DeploymentSpec;
    return typeof spec.replicas === 'number' ? spec.replicas : 1;
  }

  private reconcile(namespace: string, name: string) {
    const deployment = this.store.get(DEPLOYMENT, namespace, name);
    if (!deployment) return;
    const spec = deployment.spec as DeploymentSpec;
    const template = spec.template ?? {};
    const desired = this.replicasOf(deployment);
    const hash = shortHash(template);
    const rsName = `${name}-${hash}`;
    const sets = replicaSetsOf(this.store, deployment);
    const revision =
      Math.max(
        0,
        ...sets.map(s => Number(s.metadata.annotations?.[REVISION] ?? 0)),
      ) + (sets.some(s => s.metadata.name === rsName) ? 0 : 1);
    const rs = ensureReplicaSet(this.store, {
      owner: deployment,
      name: rsName,
      template,
      selector: spec.selector,
      hashLabel: 'pod-template-hash',
      hash,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(desired),
        [REVISION]: String(revision),
      },
      manager: this.manager,
    });
    const annotations = deployment.metadata.annotations ?? {};
    if (annotations[REVISION] !== rs.metadata.annotations?.[REVISION]) {
      this.write(DEPLOYMENT, {
        ...deployment,
        metadata: {
          ...deployment.metadata,
          annotations: {
            ...annotations,
            [REVISION]: rs.metadata.annotations?.[REVISION] ?? '1',
          },
        },
      });
    }

    this.rollOut(namespace, name);

    const generation = deployment.metadata.generation ?? 1;
    const deadline =
      this.options.progressDeadlineMs ??
      (spec.progressDeadlineSeconds ?? 600) * 1000;
    this.later(deadline, () => {
      const current = this.store.get(DEPLOYMENT, namespace, name);
      if (!current || (current.metadata.generation ?? 1) !== generation) return;
      if (this.isComplete(current)) return;
      this.deadlineExceeded.set(current.metadata.uid!, generation);
      this.updateStatus(namespace, name);
    });
  }

  private isComplete(deployment: KubeObject) {
    const progressing = (
      (deployment.status as { conditions?: Condition[] } | undefined)
        ?.conditions ?? []
    ).find(c => c.type === 'Progressing');
    return progressing?.reason === 'NewReplicaSetAvailable';
  }

  /**
   * The rolling update, as the deployment controller runs it (see
   * rollingScalePass), repeated until nothing changes, with each
   * ReplicaSet's pods brought to its count in between; new pods are
   * scheduled once the counts settle.
   */
  private rollOut(namespace: string, name: string) {
    const key = `${namespace}/${name}`;
    if (this.rolling.has(key)) return;
    this.rolling.add(key);
    const created: KubeObject[] = [];
    try {
      for (let pass = 0; pass < 10; pass++) {
        const deployment = this.store.get(DEPLOYMENT, namespace, name);
        if (!deployment) return;
        const changed = this.scalePass(deployment);
        for (const rs of replicaSetsOf(this.store, deployment)) {
          created.push(...syncPods(this.store, this.options.api, rs));
        }
        if (!changed) break;
      }
    } finally {
      this.rolling.delete(key);
    }
    this.options.kubelet.scheduleCreated(namespace, created);
    this.updateStatus(namespace, name);
  }

  private scalePass(deployment: KubeObject): boolean {
    const spec = deployment.spec as DeploymentSpec;
    const desired = this.replicasOf(deployment);
    const rsName = `${deployment.metadata.name}-${shortHash(
      spec.template ?? {},
    )}`;
    const sets = replicaSetsOf(this.store, deployment);
    const current = sets.find(rs => rs.metadata.name === rsName);
    if (!current) return false;
    return rollingScalePass(this.store, {
      workload: deployment,
      current,
      sets,
      desired,
      limits: limits(spec.strategy, desired),
      revisionAnnotation: REVISION,
      component: 'deployment-controller',
    });
  }

  /** Computes the Deployment's (and its ReplicaSets') status from the pods, and records the pod counts (see podHistory). */
  private updateStatus(namespace: string, name: string) {
    const deployment = this.store.get(DEPLOYMENT, namespace, name);
    if (!deployment) return;
    const spec = deployment.spec as DeploymentSpec;
    const desired = this.replicasOf(deployment);
    const rsName = `${name}-${shortHash(spec.template ?? {})}`;
    const sets = replicaSetsOf(this.store, deployment);
    const current = sets.find(s => s.metadata.name === rsName);
    const old = sets.filter(s => s !== current);
    const newPods = current ? podsOf(this.store, current) : [];
    const newReady = newPods.filter(isReady).length;
    syncReplicaSetStatuses(this.store, sets);

    const oldPods = old.flatMap(rs => podsOf(this.store, rs));
    const all = [...newPods, ...oldPods];
    const ready = all.filter(isReady).length;
    const maxUnavailable =
      spec.strategy?.type === 'Recreate'
        ? 0
        : resolveIntOrPercent(
            spec.strategy?.rollingUpdate?.maxUnavailable,
            '25%',
            desired,
            Math.floor,
          );
    const complete =
      newPods.length === desired &&
      newReady === desired &&
      oldPods.length === 0;
    const generation = deployment.metadata.generation ?? 1;
    const exceeded =
      this.deadlineExceeded.get(deployment.metadata.uid!) === generation;
    let progressing: Condition = {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${rsName}" is progressing.`,
    };
    if (complete) {
      progressing = {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rsName}" has successfully progressed.`,
      };
    } else if (exceeded) {
      progressing = {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rsName}" has timed out progressing.`,
      };
    }
    const previous = (deployment.status ?? {}) as { conditions?: Condition[] };
    const conditions = mergeConditions(previous.conditions, [
      availableCondition(ready, desired, maxUnavailable),
      progressing,
    ]);
    const unavailable = Math.max(0, Math.max(desired, all.length) - ready);
    const status = {
      observedGeneration: generation,
      ...(all.length ? { replicas: all.length } : {}),
      ...(newPods.length ? { updatedReplicas: newPods.length } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      ...(unavailable ? { unavailableReplicas: unavailable } : {}),
      conditions,
    };
    if (!deepEqual(deployment.status, status)) {
      this.write(DEPLOYMENT, { ...deployment, status }, 'status');
    }
    this.history.record(namespace, name, {
      pods: all.length,
      ready,
      updated: newPods.length,
      updatedReady: newReady,
    });
  }

  /**
   * Every change of a Deployment's pod counts, oldest first: how many pods
   * it had, how many were ready, how many ran the current template and how
   * many of those were ready. A test reads here whether a rollout ever left
   * the Deployment without a ready pod.
   */
  podHistory(namespace: string, name: string): PodCounts[] {
    return this.history.of(namespace, name);
  }
}

// Over 500 lines: the simulated deployment controller, ReplicaSet
// controller, scheduler binding and kubelet of one Deployment's pods work on
// the same objects in one event loop; split them (scale, pods, kubelet,
// status) when another workload kind needs them.
import crypto from 'crypto';
import type { ApiOperations } from './ApiOperations';
import { recordUpdate } from './fieldManager';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import { groupVersionOf, RESOURCE_TYPES, type ResourceType } from './resources';
import { schedule } from './scheduler';
import type { KubeObject } from './types';
import { clone, deepEqual, randomSuffix, shortHash, timestamp } from './util';

/**
 * What the simulated kubelet does with an image: pull and run it (`ok`),
 * fail to pull it (`missing`: ErrImagePull, then ImagePullBackOff), run it
 * and see it exit (`crashing`: CrashLoopBackOff), or run it without it ever
 * becoming ready (`hanging`: the rollout ends at its progress deadline).
 */
export type ImageBehaviour = 'missing' | 'crashing' | 'hanging' | 'ok';

/** A Deployment's pod counts at one moment (see DeploymentController.podHistory). */
export type PodCounts = {
  at: string;
  /** Pods of the Deployment, of every template. */
  pods: number;
  /** Of those, ready. */
  ready: number;
  /** Pods of the current template. */
  updated: number;
  /** Of those, ready. */
  updatedReady: number;
};

/** How many pod count changes a Deployment's history keeps. */
const MAX_HISTORY = 10_000;

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
const DEPLOYMENT = typeOf('Deployment');
const REPLICASET = typeOf('ReplicaSet');
const POD = typeOf('Pod');
const NODE = typeOf('Node');
const EVENT = typeOf('Event');
const SERVICE_ACCOUNT = typeOf('ServiceAccount');

type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
};

type DeploymentSpec = {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: {
    metadata?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    spec?: { containers?: Array<{ name: string; image?: string }> };
  };
  progressDeadlineSeconds?: number;
  strategy?: {
    type?: string;
    rollingUpdate?: {
      maxSurge?: number | string;
      maxUnavailable?: number | string;
    };
  };
};

type PodStatus = {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: unknown[];
  [key: string]: unknown;
};

const isReady = (pod: KubeObject) =>
  ((pod.status as PodStatus | undefined)?.conditions ?? []).some(
    c => c.type === 'Ready' && c.status === 'True',
  );

const isUnscheduled = (pod: KubeObject) =>
  ((pod.status as PodStatus | undefined)?.conditions ?? []).some(
    c => c.type === 'PodScheduled' && c.status === 'False',
  );

const ownedBy = (object: KubeObject, uid: string) =>
  object.metadata.ownerReferences?.some(r => r.uid === uid) ?? false;

/**
 * A simulated kube-controller-manager, scheduler and kubelet for
 * Deployments: a ReplicaSet per pod template (`<name>-<pod-template-hash>`),
 * its Pods (template labels plus `pod-template-hash`, owned by the
 * ReplicaSet), scheduling on the fake Nodes, container start after
 * `rolloutDelayMs` (ready, image pull errors, crash loops), Events as the
 * real components write them, and the Deployment's status and conditions.
 * Old pods go once the new ones are all ready, as in a rolling update that
 * never takes old pods down first.
 */
export class DeploymentController {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly seenGeneration = new Map<string, number>();
  private readonly deadlineExceeded = new Map<string, number>();
  /** Deployments whose rolling update runs now (its writes re-enter). */
  private readonly rolling = new Set<string>();
  private readonly history = new Map<string, PodCounts[]>();
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly options: {
      store: ObjectStore;
      api: ApiOperations;
      rolloutDelayMs: number;
      progressDeadlineMs?: number;
      imageBehaviour: (image: string) => ImageBehaviour;
    },
  ) {}

  private get store() {
    return this.options.store;
  }

  start() {
    this.unsubscribe = this.store.subscribe(event => this.onEvent(event));
  }

  stop() {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Picks up where a restarted server left off (after its store was loaded
   * from a state file): the kubelet starts the pods that were scheduled but
   * not started yet, the scheduler retries pending pods, and every
   * Deployment is reconciled once (missing pods created, status brought up
   * to date). Timers do not survive a restart; this stands in for them.
   */
  resume() {
    for (const d of this.store.list(DEPLOYMENT)) {
      this.seenGeneration.set(d.metadata.uid!, d.metadata.generation ?? 1);
    }
    this.later(0, () => {
      for (const pod of this.store.list(POD)) {
        const status = (pod.status ?? {}) as PodStatus;
        const scheduled = (status.conditions ?? []).some(
          c => c.type === 'PodScheduled' && c.status === 'True',
        );
        if (scheduled && !status.containerStatuses) {
          this.later(this.options.rolloutDelayMs, () => this.startPod(pod));
        }
      }
      this.scheduleAllPending();
      for (const d of this.store.list(DEPLOYMENT)) {
        this.reconcile(d.metadata.namespace!, d.metadata.name!);
      }
    });
  }

  private later(ms: number, fn: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  private onEvent(event: StoreEvent) {
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
      case 'Node':
        this.later(0, () => this.scheduleAllPending());
        return;
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
            this.scheduleAllPending();
            const rsRef = object.metadata.ownerReferences?.find(
              r => r.kind === 'ReplicaSet',
            );
            const rs = rsRef && this.store.get(REPLICASET, ns, rsRef.name);
            const dRef = rs?.metadata.ownerReferences?.find(
              r => r.kind === 'Deployment',
            );
            if (dRef) this.reconcile(ns!, dRef.name);
          });
        }
        return;
      default:
        return;
    }
  }

  /** Writes as a controller would: ownership recorded for `manager`, no-op when unchanged. */
  private write(
    type: ResourceType,
    object: KubeObject,
    manager: string,
    subresource?: string,
  ) {
    const before = this.store.get(
      type,
      object.metadata.namespace,
      object.metadata.name!,
    );
    const entries = recordUpdate({
      before,
      after: object,
      entries: before
        ? this.store.entries(
            type,
            object.metadata.namespace,
            object.metadata.name!,
          )
        : [],
      manager,
      subresource,
      apiVersion: groupVersionOf(type),
    });
    return this.store.write({ type, object, entries }).object;
  }

  private event(
    involved: KubeObject,
    e: {
      reason: string;
      message: string;
      type: 'Normal' | 'Warning';
      component: string;
      host?: string;
    },
  ) {
    const now = timestamp();
    const namespace = involved.metadata.namespace ?? 'default';
    this.write(
      EVENT,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: `${involved.metadata.name}.${crypto
            .randomBytes(8)
            .toString('hex')}`,
          namespace,
        },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          namespace,
          name: involved.metadata.name,
          uid: involved.metadata.uid,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason: e.reason,
        message: e.message,
        type: e.type,
        source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: e.component,
        reportingInstance: e.host ?? '',
      },
      e.component,
    );
  }

  /** The API server defaults `spec.replicas` to 1; an autoscaler sets it through the scale subresource. */
  private replicasOf(deployment: KubeObject): number {
    const spec = deployment.spec as DeploymentSpec;
    return typeof spec.replicas === 'number' ? spec.replicas : 1;
  }

  private replicaSetsOf(deployment: KubeObject) {
    return this.store
      .list(REPLICASET, deployment.metadata.namespace)
      .filter(rs => ownedBy(rs, deployment.metadata.uid!));
  }

  private podsOf(rs: KubeObject) {
    return this.store
      .list(POD, rs.metadata.namespace)
      .filter(p => ownedBy(p, rs.metadata.uid!));
  }

  private reconcile(namespace: string, name: string) {
    const deployment = this.store.get(DEPLOYMENT, namespace, name);
    if (!deployment) return;
    const spec = deployment.spec as DeploymentSpec;
    const template = spec.template ?? {};
    const desired = this.replicasOf(deployment);
    const hash = shortHash(template);
    const rsName = `${name}-${hash}`;
    const podLabels = {
      ...template.metadata?.labels,
      'pod-template-hash': hash,
    };
    const sets = this.replicaSetsOf(deployment);
    const revision =
      Math.max(
        0,
        ...sets.map(s =>
          Number(
            s.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0,
          ),
        ),
      ) + (sets.some(s => s.metadata.name === rsName) ? 0 : 1);

    let rs = this.store.get(REPLICASET, namespace, rsName);
    if (!rs) {
      rs = this.write(
        REPLICASET,
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: rsName,
            namespace,
            labels: podLabels,
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(desired),
              'deployment.kubernetes.io/revision': String(revision),
            },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name,
                uid: deployment.metadata.uid!,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            // Scaled up by rollOut, within maxSurge.
            replicas: 0,
            selector: {
              matchLabels: {
                ...spec.selector?.matchLabels,
                'pod-template-hash': hash,
              },
            },
            template: {
              ...template,
              metadata: { ...template.metadata, labels: podLabels },
            },
          },
        },
        'kube-controller-manager',
      );
    }
    const annotations = deployment.metadata.annotations ?? {};
    if (
      annotations['deployment.kubernetes.io/revision'] !==
      rs.metadata.annotations?.['deployment.kubernetes.io/revision']
    ) {
      this.write(
        DEPLOYMENT,
        {
          ...deployment,
          metadata: {
            ...deployment.metadata,
            annotations: {
              ...annotations,
              'deployment.kubernetes.io/revision':
                rs.metadata.annotations?.[
                  'deployment.kubernetes.io/revision'
                ] ?? '1',
            },
          },
        },
        'kube-controller-manager',
      );
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

  private scheduleAllPending() {
    for (const pod of this.store.list(POD)) {
      if (!isUnscheduled(pod)) continue;
      if (!pod.metadata.ownerReferences?.some(r => r.kind === 'ReplicaSet'))
        continue;
      this.schedulePod(pod);
    }
  }

  /** Binds a pod to a node (or leaves it Pending with FailedScheduling) and starts it after the delay. */
  private schedulePod(pod: KubeObject) {
    const nodes = this.store.list(NODE);
    const now = timestamp();
    const status = (pod.status ?? {}) as PodStatus;
    if (nodes.length === 0) {
      // No fake nodes: scheduling is unconstrained, the pod runs nowhere in particular.
      const bound = this.write(
        POD,
        {
          ...pod,
          status: {
            ...status,
            conditions: [
              { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            ],
          },
        },
        'kube-scheduler',
        'status',
      );
      this.later(this.options.rolloutDelayMs, () => this.startPod(bound));
      return;
    }
    const result = schedule(pod, nodes, this.store.list(POD));
    if ('node' in result) {
      const bound = this.write(
        POD,
        {
          ...pod,
          spec: { ...(pod.spec as object), nodeName: result.node },
          status: {
            ...status,
            phase: 'Pending',
            conditions: [
              { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            ],
          },
        },
        'kube-scheduler',
      );
      this.event(bound, {
        reason: 'Scheduled',
        message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${result.node}`,
        type: 'Normal',
        component: 'default-scheduler',
      });
      this.later(this.options.rolloutDelayMs, () => this.startPod(bound));
      return;
    }
    const previous = status.conditions?.find(
      c => c.type === 'PodScheduled',
    )?.message;
    if (previous === result.message) return;
    const pending = this.write(
      POD,
      {
        ...pod,
        status: {
          ...status,
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: result.message,
              lastTransitionTime: now,
            },
          ],
        },
      },
      'kube-scheduler',
      'status',
    );
    this.event(pending, {
      reason: 'FailedScheduling',
      message: result.message,
      type: 'Warning',
      component: 'default-scheduler',
    });
    this.updateStatusOfPod(pending);
  }

  /** The kubelet: pulls images and starts containers, or fails as the test's images say. */
  private startPod(scheduled: KubeObject) {
    const pod = this.store.get(
      POD,
      scheduled.metadata.namespace,
      scheduled.metadata.name!,
    );
    if (!pod || pod.metadata.uid !== scheduled.metadata.uid) return;
    const containers =
      (pod.spec as { containers?: Array<{ name: string; image?: string }> })
        .containers ?? [];
    const host = (pod.spec as { nodeName?: string }).nodeName;
    const now = timestamp();
    const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    const kubelet = (
      reason: string,
      message: string,
      type: 'Normal' | 'Warning' = 'Normal',
    ) => this.event(pod, { reason, message, type, component: 'kubelet', host });
    const statuses: unknown[] = [];
    let failing: 'missing' | 'crashing' | 'hanging' | undefined;
    for (const c of containers) {
      const image = c.image ?? '';
      const behaviour = this.options.imageBehaviour(image);
      const base = {
        name: c.name,
        image,
        imageID: '',
        restartCount: 0,
        started: false,
        ready: false,
      };
      if (behaviour === 'missing') {
        failing = failing ?? 'missing';
        kubelet('Pulling', `Pulling image "${image}"`);
        kubelet(
          'Failed',
          `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
          'Warning',
        );
        kubelet('Failed', 'Error: ErrImagePull', 'Warning');
        statuses.push({
          ...base,
          state: {
            waiting: {
              reason: 'ErrImagePull',
              message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
            },
          },
          lastState: {},
        });
      } else if (behaviour === 'crashing') {
        failing = failing ?? 'crashing';
        kubelet(
          'Pulled',
          `Container image "${image}" already present on machine`,
        );
        kubelet('Created', `Created container ${c.name}`);
        kubelet('Started', `Started container ${c.name}`);
        kubelet(
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${podRef}`,
          'Warning',
        );
        statuses.push({
          ...base,
          imageID: `${image}@sha256:${shortHash(image, 16)}`,
          restartCount: 1,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 10s restarting failed container=${c.name} pod=${podRef}`,
            },
          },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              startedAt: now,
              finishedAt: now,
            },
          },
        });
      } else if (behaviour === 'hanging') {
        // Runs but never passes its readiness probe (a model that never
        // finishes loading): the rollout ends at its progress deadline.
        failing = failing ?? 'hanging';
        kubelet(
          'Pulled',
          `Container image "${image}" already present on machine`,
        );
        kubelet('Created', `Created container ${c.name}`);
        kubelet('Started', `Started container ${c.name}`);
        kubelet(
          'Unhealthy',
          `Readiness probe failed: Get "http://${
            pod.status && (pod.status as { podIP?: string }).podIP
              ? (pod.status as { podIP?: string }).podIP
              : '10.244.0.1'
          }:8000/health": dial tcp: connect: connection refused`,
          'Warning',
        );
        statuses.push({
          ...base,
          imageID: `${image}@sha256:${shortHash(image, 16)}`,
          started: true,
          ready: false,
          state: { running: { startedAt: now } },
          lastState: {},
        });
      } else {
        kubelet(
          'Pulled',
          `Container image "${image}" already present on machine`,
        );
        kubelet('Created', `Created container ${c.name}`);
        kubelet('Started', `Started container ${c.name}`);
        statuses.push({
          ...base,
          imageID: `${image}@sha256:${shortHash(image, 16)}`,
          started: true,
          ready: true,
          state: { running: { startedAt: now } },
          lastState: {},
        });
      }
    }
    const ready = failing === undefined;
    const condition = (type: string, ok: boolean, reason?: string) => ({
      type,
      status: ok ? 'True' : 'False',
      lastTransitionTime: now,
      ...(ok || !reason
        ? {}
        : {
            reason,
            message: `containers with unready status: [${containers
              .map(c => c.name)
              .join(' ')}]`,
          }),
    });
    const current = this.write(
      POD,
      {
        ...pod,
        status: {
          ...(pod.status as object),
          phase: failing === 'missing' ? 'Pending' : 'Running',
          hostIP: '10.0.0.1',
          podIP: `10.244.${crypto.randomInt(0, 255)}.${crypto.randomInt(
            1,
            255,
          )}`,
          startTime: now,
          conditions: [
            condition('PodReadyToStartContainers', true),
            condition('Initialized', true),
            condition('Ready', ready, 'ContainersNotReady'),
            condition('ContainersReady', ready, 'ContainersNotReady'),
            condition('PodScheduled', true),
          ],
          containerStatuses: statuses,
        },
      },
      'kubelet',
      'status',
    );
    this.updateStatusOfPod(current);
    if (failing === 'missing') {
      this.later(this.options.rolloutDelayMs, () => {
        const again = this.store.get(
          POD,
          current.metadata.namespace,
          current.metadata.name!,
        );
        if (!again || again.metadata.uid !== current.metadata.uid) return;
        const backoff = clone(again);
        for (const s of ((backoff.status as PodStatus).containerStatuses ??
          []) as Array<{
          image: string;
          state: { waiting?: { reason: string; message: string } };
        }>) {
          if (s.state.waiting?.reason === 'ErrImagePull') {
            s.state.waiting = {
              reason: 'ImagePullBackOff',
              message: `Back-off pulling image "${s.image}"`,
            };
            kubelet('BackOff', `Back-off pulling image "${s.image}"`);
            kubelet('Failed', 'Error: ImagePullBackOff', 'Warning');
          }
        }
        this.write(POD, backoff, 'kubelet', 'status');
      });
    }
  }

  private updateStatusOfPod(pod: KubeObject) {
    const rsRef = pod.metadata.ownerReferences?.find(
      r => r.kind === 'ReplicaSet',
    );
    const rs =
      rsRef && this.store.get(REPLICASET, pod.metadata.namespace, rsRef.name);
    const dRef = rs?.metadata.ownerReferences?.find(
      r => r.kind === 'Deployment',
    );
    if (dRef) this.rollOut(pod.metadata.namespace!, dRef.name);
  }

  /** Computes the Deployment's (and its ReplicaSets') status from the pods, and records the pod counts (see podHistory). */
  private updateStatus(namespace: string, name: string) {
    const deployment = this.store.get(DEPLOYMENT, namespace, name);
    if (!deployment) return;
    const spec = deployment.spec as DeploymentSpec;
    const desired = this.replicasOf(deployment);
    const hash = shortHash(spec.template ?? {});
    const rsName = `${name}-${hash}`;
    const sets = this.replicaSetsOf(deployment);
    const current = sets.find(s => s.metadata.name === rsName);
    const old = sets.filter(s => s !== current);
    const newPods = current ? this.podsOf(current) : [];
    const newReady = newPods.filter(isReady).length;

    for (const rs of sets) {
      const pods = this.podsOf(rs);
      const ready = pods.filter(isReady).length;
      const rsStatus = {
        replicas: pods.length,
        fullyLabeledReplicas: pods.length,
        ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
        observedGeneration: rs.metadata.generation,
      };
      if (!deepEqual(rs.status, rsStatus)) {
        this.write(
          REPLICASET,
          { ...rs, status: rsStatus },
          'kube-controller-manager',
          'status',
        );
      }
    }

    const oldPods = old.flatMap(rs => this.podsOf(rs));
    const all = [...newPods, ...oldPods];
    const ready = all.filter(isReady).length;
    const maxUnavailableSpec =
      spec.strategy?.type === 'Recreate'
        ? 0
        : spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
    const maxUnavailable =
      typeof maxUnavailableSpec === 'string' && maxUnavailableSpec.endsWith('%')
        ? Math.floor((desired * Number(maxUnavailableSpec.slice(0, -1))) / 100)
        : Number(maxUnavailableSpec);
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

    const available: Condition =
      ready >= desired - maxUnavailable
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          };
    const previous = (deployment.status ?? {}) as { conditions?: Condition[] };
    const now = timestamp();
    const conditions = [available, progressing].map(c => {
      const before = previous.conditions?.find(o => o.type === c.type);
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
        lastUpdateTime: now,
        lastTransitionTime:
          before && before.status === c.status
            ? before.lastTransitionTime
            : now,
      };
    });
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
      this.write(
        DEPLOYMENT,
        { ...deployment, status },
        'kube-controller-manager',
        'status',
      );
    }
    this.recordPods(namespace, name, {
      pods: all.length,
      ready,
      updated: newPods.length,
      updatedReady: newReady,
    });
  }

  private recordPods(
    namespace: string,
    name: string,
    counts: Omit<PodCounts, 'at'>,
  ) {
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

  /**
   * Every change of a Deployment's pod counts, oldest first (at most
   * MAX_HISTORY): how many pods it had, how many were ready, how many ran
   * the current template and how many of those were ready. A test reads
   * here whether a rollout ever left the Deployment without a ready pod.
   */
  podHistory(namespace: string, name: string): PodCounts[] {
    return [...(this.history.get(`${namespace}/${name}`) ?? [])];
  }

  /** maxSurge and maxUnavailable in pods, resolved as the deployment controller resolves them. */
  private limits(deployment: KubeObject, desired: number) {
    const strategy = (deployment.spec as DeploymentSpec).strategy;
    if (strategy?.type === 'Recreate') {
      return { surge: 0, unavailable: Math.max(desired, 1) };
    }
    const resolve = (
      value: number | string | undefined,
      fallback: string,
      round: (n: number) => number,
    ) => {
      const v = value ?? fallback;
      return typeof v === 'string' && v.endsWith('%')
        ? round((desired * Number(v.slice(0, -1))) / 100)
        : Number(v);
    };
    const surge = resolve(strategy?.rollingUpdate?.maxSurge, '25%', Math.ceil);
    let unavailable = resolve(
      strategy?.rollingUpdate?.maxUnavailable,
      '25%',
      Math.floor,
    );
    // Both 0 would never progress; the API server refuses it, the
    // controller then allows one.
    if (surge === 0 && unavailable === 0) unavailable = 1;
    return { surge, unavailable };
  }

  private replicasOfSet(rs: KubeObject): number {
    return (rs.spec as { replicas?: number }).replicas ?? 0;
  }

  private setReplicas(deployment: KubeObject, rs: KubeObject, to: number) {
    const from = this.replicasOfSet(rs);
    if (from === to) return;
    this.write(
      REPLICASET,
      { ...rs, spec: { ...(rs.spec as object), replicas: to } },
      'kube-controller-manager',
    );
    this.event(deployment, {
      reason: 'ScalingReplicaSet',
      message: `Scaled ${to > from ? 'up' : 'down'} replica set ${
        rs.metadata.name
      } from ${from} to ${to}`,
      type: 'Normal',
      component: 'deployment-controller',
    });
  }

  /**
   * The rolling update, as the deployment controller runs it: the new
   * ReplicaSet grows while all pods stay within desired + maxSurge; old
   * ReplicaSets shrink (not-ready pods first) while the ready pods stay at
   * least desired - maxUnavailable. Repeated until nothing changes, with
   * each ReplicaSet's pods brought to its count in between; new pods are
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
        for (const rs of this.replicaSetsOf(deployment)) {
          created.push(...this.syncPods(rs));
        }
        if (!changed) break;
      }
    } finally {
      this.rolling.delete(key);
    }
    for (const pod of created) {
      const current = this.store.get(POD, namespace, pod.metadata.name!);
      if (current && current.metadata.uid === pod.metadata.uid) {
        this.schedulePod(current);
      }
    }
    this.updateStatus(namespace, name);
  }

  /** One step of the rolling update; true when a ReplicaSet's count changed. */
  private scalePass(deployment: KubeObject): boolean {
    const desired = this.replicasOf(deployment);
    const { surge, unavailable } = this.limits(deployment, desired);
    const rsName = `${deployment.metadata.name}-${shortHash(
      (deployment.spec as DeploymentSpec).template ?? {},
    )}`;
    const sets = this.replicaSetsOf(deployment);
    const current = sets.find(rs => rs.metadata.name === rsName);
    if (!current) return false;
    const old = sets
      .filter(rs => rs !== current && this.replicasOfSet(rs) > 0)
      .sort(
        (a, b) =>
          Number(
            a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0,
          ) -
          Number(
            b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0,
          ),
      );
    const readyOf = (rs: KubeObject) => this.podsOf(rs).filter(isReady).length;
    const oldTotal = old.reduce((n, rs) => n + this.replicasOfSet(rs), 0);
    let changed = false;

    // Scale the new ReplicaSet up (within desired + maxSurge) or down.
    const before = this.replicasOfSet(current);
    let wanted = before;
    if (before > desired) wanted = desired;
    else if (before < desired) {
      const room = desired + surge - (oldTotal + before);
      if (room > 0) wanted = Math.min(desired, before + room);
    }
    if (wanted !== before) {
      this.setReplicas(deployment, current, wanted);
      changed = true;
    }
    if (old.length === 0) return changed;

    // Scale old ReplicaSets down: first their pods that are not ready
    // (they serve nothing), then ready ones while enough stay ready.
    const minAvailable = desired - unavailable;
    const newUnavailable = Math.max(0, wanted - readyOf(current));
    let unhealthyBudget = oldTotal + wanted - minAvailable - newUnavailable;
    const counts = new Map(old.map(rs => [rs, this.replicasOfSet(rs)]));
    for (const rs of old) {
      if (unhealthyBudget <= 0) break;
      const unhealthy = Math.max(0, counts.get(rs)! - readyOf(rs));
      const down = Math.min(unhealthy, unhealthyBudget);
      if (down > 0) {
        counts.set(rs, counts.get(rs)! - down);
        unhealthyBudget -= down;
      }
    }
    const available =
      readyOf(current) +
      old.reduce((n, rs) => n + Math.min(readyOf(rs), counts.get(rs)!), 0);
    let budget = available - minAvailable;
    for (const rs of old) {
      if (budget <= 0) break;
      const down = Math.min(counts.get(rs)!, budget);
      counts.set(rs, counts.get(rs)! - down);
      budget -= down;
    }
    for (const rs of old) {
      if (counts.get(rs) !== this.replicasOfSet(rs)) {
        this.setReplicas(deployment, rs, counts.get(rs)!);
        changed = true;
      }
    }
    return changed;
  }

  /**
   * The ReplicaSet controller: pods to the set's count, removing not-ready
   * pods first. Returns the pods it created (not scheduled yet).
   */
  private syncPods(rs: KubeObject): KubeObject[] {
    const namespace = rs.metadata.namespace!;
    const rsName = rs.metadata.name!;
    const target = this.replicasOfSet(rs);
    const pods = this.podsOf(rs);
    if (pods.length > target) {
      const byReadiness = [...pods].sort(
        (a, b) => Number(isReady(a)) - Number(isReady(b)),
      );
      for (const extra of byReadiness.slice(0, pods.length - target)) {
        this.options.api.delete(POD, namespace, extra.metadata.name!, {});
      }
      return [];
    }
    if (pods.length === target) return [];
    const template =
      (rs.spec as { template?: DeploymentSpec['template'] }).template ?? {};
    const podLabels = template.metadata?.labels ?? {};
    // As the ServiceAccount admission plugin: pods naming an account that
    // does not exist are refused ("default" is created with every
    // namespace by the real server; the fake does not list it).
    const account = (template.spec as { serviceAccountName?: string })
      ?.serviceAccountName;
    if (
      account !== undefined &&
      account !== 'default' &&
      !this.store.get(SERVICE_ACCOUNT, namespace, account)
    ) {
      this.event(rs, {
        reason: 'FailedCreate',
        type: 'Warning',
        component: 'replicaset-controller',
        message: `Error creating: pods "${rsName}-" is forbidden: error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`,
      });
      return [];
    }
    const created: KubeObject[] = [];
    for (let i = pods.length; i < target; i++) {
      created.push(
        this.write(
          POD,
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: `${rsName}-${randomSuffix()}`,
              generateName: `${rsName}-`,
              namespace,
              labels: podLabels,
              ...(template.metadata?.annotations
                ? { annotations: template.metadata.annotations }
                : {}),
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name: rsName,
                  uid: rs.metadata.uid!,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: {
              restartPolicy: 'Always',
              schedulerName: 'default-scheduler',
              ...clone(template.spec ?? {}),
            },
            status: { phase: 'Pending', qosClass: 'BestEffort' },
          },
          'kube-controller-manager',
        ),
      );
    }
    return created;
  }
}

import crypto from 'crypto';
import type { ApiOperations } from './ApiOperations';
import { recordUpdate } from './fieldManager';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import { groupVersionOf, RESOURCE_TYPES, type ResourceType } from './resources';
import { schedule } from './scheduler';
import type { KubeObject } from './types';
import { clone, deepEqual, randomSuffix, shortHash, timestamp } from './util';

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
    rollingUpdate?: { maxUnavailable?: number | string };
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
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly options: {
      store: ObjectStore;
      api: ApiOperations;
      rolloutDelayMs: number;
      progressDeadlineMs?: number;
      imageBehaviour: (image: string) => 'missing' | 'crashing' | 'ok';
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
            replicas: desired,
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
      this.event(deployment, {
        reason: 'ScalingReplicaSet',
        message: `Scaled up replica set ${rsName} from 0 to ${desired}`,
        type: 'Normal',
        component: 'deployment-controller',
      });
    } else if ((rs.spec as { replicas?: number }).replicas !== desired) {
      const from = (rs.spec as { replicas?: number }).replicas ?? 0;
      rs = this.write(
        REPLICASET,
        { ...rs, spec: { ...(rs.spec as object), replicas: desired } },
        'kube-controller-manager',
      );
      this.event(deployment, {
        reason: 'ScalingReplicaSet',
        message: `Scaled ${
          desired > from ? 'up' : 'down'
        } replica set ${rsName} from ${from} to ${desired}`,
        type: 'Normal',
        component: 'deployment-controller',
      });
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

    // Pods of the current template: create the missing, remove the extra.
    const pods = this.podsOf(rs);
    for (const extra of pods.slice(desired)) {
      this.options.api.delete(POD, namespace, extra.metadata.name!, {});
    }
    // As the ServiceAccount admission plugin: pods naming an account that
    // does not exist are refused ("default" is created with every
    // namespace by the real server; the fake does not list it).
    const account = (template.spec as { serviceAccountName?: string })
      ?.serviceAccountName;
    const missingAccount =
      account !== undefined &&
      account !== 'default' &&
      !this.store.get(SERVICE_ACCOUNT, namespace, account);
    if (missingAccount && pods.length < desired) {
      this.event(rs, {
        reason: 'FailedCreate',
        type: 'Warning',
        component: 'replicaset-controller',
        message: `Error creating: pods "${rsName}-" is forbidden: error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`,
      });
    }
    for (let i = pods.length; i < desired && !missingAccount; i++) {
      const pod = this.write(
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
      );
      this.schedulePod(pod);
    }
    this.updateStatus(namespace, name);

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
    let failing: 'missing' | 'crashing' | undefined;
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
    if (dRef) this.updateStatus(pod.metadata.namespace!, dRef.name);
  }

  /** Computes the Deployment's (and its ReplicaSets') status from the pods; retires old pods once the new ones are ready. */
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

    if (current && newPods.length === desired && newReady === desired) {
      for (const rs of old) {
        for (const pod of this.podsOf(rs)) {
          this.options.api.delete(POD, namespace, pod.metadata.name!, {});
        }
        if ((rs.spec as { replicas?: number }).replicas !== 0) {
          this.write(
            REPLICASET,
            { ...rs, spec: { ...(rs.spec as object), replicas: 0 } },
            'kube-controller-manager',
          );
          this.event(deployment, {
            reason: 'ScalingReplicaSet',
            message: `Scaled down replica set ${rs.metadata.name} from ${
              (rs.spec as { replicas?: number }).replicas ?? 0
            } to 0`,
            type: 'Normal',
            component: 'deployment-controller',
          });
        }
      }
    }
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
  }
}

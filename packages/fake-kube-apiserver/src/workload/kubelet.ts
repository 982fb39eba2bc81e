import crypto from 'crypto';
import { ControllerBase, writeAs } from '../ControllerBase';
import type { ObjectStore, StoreEvent } from '../ObjectStore';
import type { ResourceType } from '../resources';
import { schedule } from '../scheduler';
import type { KubeObject } from '../types';
import { clone, shortHash, timestamp } from '../util';
import { isUnscheduled, NODE, POD, type PodStatus, recordEvent } from './pods';

/**
 * What the simulated kubelet does with an image: pull and run it (`ok`),
 * fail to pull it (`missing`: ErrImagePull, then ImagePullBackOff), run it
 * and see it exit (`crashing`: CrashLoopBackOff), or run it without it ever
 * becoming ready (`hanging`: the rollout ends at its progress deadline).
 */
export type ImageBehaviour = 'missing' | 'crashing' | 'hanging' | 'ok';

/**
 * The simulated scheduler binding and kubelet of every ReplicaSet's pods:
 * binds a pod to a fake Node (or leaves it Pending with FailedScheduling),
 * starts its containers `rolloutDelayMs` later (ready, image pull errors,
 * crash loops, never ready), and tells the workload controllers (see
 * `onPodChange`) so they can move their rollouts on.
 */
export class Kubelet extends ControllerBase {
  private readonly listeners: Array<(pod: KubeObject) => void> = [];

  constructor(
    store: ObjectStore,
    private readonly options: {
      rolloutDelayMs: number;
      imageBehaviour: (image: string) => ImageBehaviour;
    },
  ) {
    super(store, 'kubelet');
  }

  /** `listener` runs after a pod's status changes (scheduled, started, failed). */
  onPodChange(listener: (pod: KubeObject) => void): void {
    this.listeners.push(listener);
  }

  private podChanged(pod: KubeObject) {
    for (const l of this.listeners) l(pod);
  }

  /**
   * After a restart (store loaded from a state file): starts the pods that
   * were scheduled but not started yet and retries pending pods. Timers do
   * not survive a restart; this stands in for them.
   */
  resume(): void {
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
    });
  }

  protected onEvent(event: StoreEvent): void {
    if (event.resource.kind === 'Node') {
      this.later(0, () => this.scheduleAllPending());
    } else if (event.resource.kind === 'Pod' && event.type === 'DELETED') {
      // A pod that went frees room for pending ones.
      this.later(0, () => this.scheduleAllPending());
    }
  }

  /** Writes as `manager` (kube-scheduler or kubelet). */
  private put(
    type: ResourceType,
    object: KubeObject,
    manager: string,
    subresource?: string,
  ) {
    return writeAs(this.store, type, object, manager, subresource);
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
    recordEvent(this.store, involved, e);
  }

  scheduleAllPending() {
    for (const pod of this.store.list(POD)) {
      if (!isUnscheduled(pod)) continue;
      if (!pod.metadata.ownerReferences?.some(r => r.kind === 'ReplicaSet'))
        continue;
      this.schedulePod(pod);
    }
  }

  /** Binds a pod to a node (or leaves it Pending with FailedScheduling) and starts it after the delay. */
  schedulePod(pod: KubeObject) {
    const nodes = this.store.list(NODE);
    const now = timestamp();
    const status = (pod.status ?? {}) as PodStatus;
    if (nodes.length === 0) {
      // No fake nodes: scheduling is unconstrained, the pod runs nowhere in particular.
      const bound = this.put(
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
      const bound = this.put(
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
    const pending = this.put(
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
    this.podChanged(pending);
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
    const current = this.put(
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
    this.podChanged(current);
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
        this.put(POD, backoff, 'kubelet', 'status');
      });
    }
  }

  /** Schedules pods a ReplicaSet controller just created (those still there). */
  scheduleCreated(namespace: string, created: KubeObject[]): void {
    for (const pod of created) {
      const current = this.store.get(POD, namespace, pod.metadata.name!);
      if (current && current.metadata.uid === pod.metadata.uid) {
        this.schedulePod(current);
      }
    }
  }
}

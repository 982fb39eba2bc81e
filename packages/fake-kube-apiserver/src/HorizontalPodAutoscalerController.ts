import { recordUpdate } from './fieldManager';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import { groupVersionOf, RESOURCE_TYPES, type ResourceType } from './resources';
import type { KubeObject } from './types';
import { deepEqual, timestamp } from './util';

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
const DEPLOYMENT = typeOf('Deployment');
const HPA = typeOf('HorizontalPodAutoscaler');

/** The manager the real HPA controller writes as. */
const MANAGER = 'kube-controller-manager';

type HpaSpec = {
  scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
};

type Condition = {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
};

/**
 * A simulated HorizontalPodAutoscaler controller (autoscaling/v2), without
 * metrics: like the real one before it can read any, it keeps its target
 * Deployment's replicas within `[minReplicas, maxReplicas]`, scaling through
 * the Deployment's `scale` subresource, and writes the HPA's status
 * (`currentReplicas`, `desiredReplicas`, conditions). It acts `syncDelayMs`
 * after an HPA or its target changes; until its first sync an HPA has no
 * status, as on a real cluster.
 */
export class HorizontalPodAutoscalerController {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly options: { store: ObjectStore; syncDelayMs: number },
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
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private onEvent(event: StoreEvent) {
    if (event.type === 'DELETED') return;
    const { object } = event;
    const namespace = object.metadata.namespace!;
    if (event.resource.kind === 'HorizontalPodAutoscaler') {
      this.later(namespace, object.metadata.name!);
    } else if (event.resource.kind === 'Deployment') {
      for (const hpa of this.store.list(HPA, namespace)) {
        const target = (hpa.spec as HpaSpec | undefined)?.scaleTargetRef;
        if (
          target?.kind === 'Deployment' &&
          target.name === object.metadata.name
        ) {
          this.later(namespace, hpa.metadata.name!);
        }
      }
    }
  }

  /** One pending sync per HPA. */
  private later(namespace: string, name: string) {
    const key = `${namespace}/${name}`;
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (!this.stopped) this.sync(namespace, name);
    }, this.options.syncDelayMs);
    this.timers.set(key, timer);
  }

  private write(type: ResourceType, object: KubeObject, subresource: string) {
    const { namespace, name } = object.metadata;
    const before = this.store.get(type, namespace, name!);
    const entries = recordUpdate({
      before,
      after: object,
      entries: before ? this.store.entries(type, namespace, name!) : [],
      manager: MANAGER,
      subresource,
      apiVersion: groupVersionOf(type),
    });
    this.store.write({ type, object, entries });
  }

  private sync(namespace: string, name: string) {
    const hpa = this.store.get(HPA, namespace, name);
    if (!hpa) return;
    const spec = (hpa.spec ?? {}) as HpaSpec;
    const target = spec.scaleTargetRef;
    const deployment =
      target?.kind === 'Deployment' && target.name
        ? this.store.get(DEPLOYMENT, namespace, target.name)
        : undefined;
    const previous = (hpa.status ?? {}) as Record<string, unknown>;
    const conditions: Condition[] = [];
    let status: Record<string, unknown>;
    if (!deployment) {
      conditions.push({
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${
          target?.kind === 'Deployment'
            ? `deployments.apps "${target.name}" not found`
            : `the fake API server scales Deployments only, not ${target?.kind}`
        }`,
      });
      status = { desiredReplicas: 0 };
    } else {
      const current =
        (deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      const min = spec.minReplicas ?? 1;
      const max = spec.maxReplicas ?? current;
      // As the real controller: a target scaled to 0 disables autoscaling.
      let desired = current;
      if (current !== 0) desired = Math.min(Math.max(current, min), max);
      const rescaled = desired !== current;
      if (rescaled) {
        this.write(
          DEPLOYMENT,
          {
            ...deployment,
            spec: { ...(deployment.spec as object), replicas: desired },
          },
          'scale',
        );
      }
      conditions.push(
        {
          type: 'AbleToScale',
          status: 'True',
          reason: rescaled ? 'SucceededRescale' : 'SucceededGetScale',
          message: rescaled
            ? `the HPA controller was able to update the target scale to ${desired}`
            : "the HPA controller was able to get the target's current scale",
        },
        {
          type: 'ScalingLimited',
          status: rescaled ? 'True' : 'False',
          reason: rescaled ? limitReason(current, min) : 'DesiredWithinRange',
          message: rescaled
            ? `the desired replica count is ${
                current < min
                  ? 'less than the minimum'
                  : 'more than the maximum'
              } replica count`
            : 'the desired count is within the acceptable range',
        },
      );
      const replicas = (deployment.status as { replicas?: number } | undefined)
        ?.replicas;
      const lastScaleTime = rescaled ? timestamp() : previous.lastScaleTime;
      status = {
        ...(lastScaleTime ? { lastScaleTime } : {}),
        // omitempty on the real type: 0 is left out.
        ...(replicas ? { currentReplicas: replicas } : {}),
        desiredReplicas: desired,
      };
    }
    const previousConditions = (previous.conditions ?? []) as Condition[];
    const next = {
      ...(hpa.metadata.generation !== undefined
        ? { observedGeneration: hpa.metadata.generation }
        : {}),
      ...status,
      conditions: conditions.map(c => {
        const old = previousConditions.find(p => p.type === c.type);
        return {
          ...c,
          lastTransitionTime:
            old && old.status === c.status && old.lastTransitionTime
              ? old.lastTransitionTime
              : timestamp(),
        };
      }),
    };
    const unchanged = deepEqual(
      { ...next, conditions: next.conditions.map(stripTime) },
      {
        ...previous,
        conditions: previousConditions.map(stripTime),
      },
    );
    if (!unchanged) this.write(HPA, { ...hpa, status: next }, 'status');
  }
}

function limitReason(current: number, min: number) {
  return current < min ? 'TooFewReplicas' : 'TooManyReplicas';
}

function stripTime(condition: Condition) {
  const { lastTransitionTime: _, ...rest } = condition;
  return rest;
}

import { ControllerBase } from './ControllerBase';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import { RESOURCE_TYPES } from './resources';
import { deepEqual, timestamp } from './util';

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
/** The kinds an HPA can target here: those with a `scale` subresource. */
const SCALABLE = [typeOf('Deployment'), typeOf('Rollout')];
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
 * Deployment's (or Argo Rollout's) replicas within `[minReplicas,
 * maxReplicas]`, scaling through the target's `scale` subresource, and writes the HPA's status
 * (`currentReplicas`, `desiredReplicas`, conditions). It acts `syncDelayMs`
 * after an HPA or its target changes; until its first sync an HPA has no
 * status, as on a real cluster.
 */
export class HorizontalPodAutoscalerController extends ControllerBase {
  constructor(
    store: ObjectStore,
    private readonly options: { syncDelayMs: number },
  ) {
    super(store, MANAGER);
  }

  protected onEvent(event: StoreEvent) {
    if (event.type === 'DELETED') return;
    const { object } = event;
    const namespace = object.metadata.namespace!;
    if (event.resource.kind === 'HorizontalPodAutoscaler') {
      this.syncLater(namespace, object.metadata.name!);
    } else if (SCALABLE.some(t => t.kind === event.resource.kind)) {
      for (const hpa of this.store.list(HPA, namespace)) {
        const target = (hpa.spec as HpaSpec | undefined)?.scaleTargetRef;
        if (
          target?.kind === event.resource.kind &&
          target.name === object.metadata.name
        ) {
          this.syncLater(namespace, hpa.metadata.name!);
        }
      }
    }
  }

  /** One pending sync per HPA. */
  private syncLater(namespace: string, name: string) {
    this.laterOnce(`${namespace}/${name}`, this.options.syncDelayMs, () =>
      this.sync(namespace, name),
    );
  }

  private sync(namespace: string, name: string) {
    const hpa = this.store.get(HPA, namespace, name);
    if (!hpa) return;
    const spec = (hpa.spec ?? {}) as HpaSpec;
    const target = spec.scaleTargetRef;
    const targetType = SCALABLE.find(t => t.kind === target?.kind);
    const deployment =
      targetType && target?.name
        ? this.store.get(targetType, namespace, target.name)
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
          targetType
            ? `${targetType.plural}.${targetType.group} "${target?.name}" not found`
            : `the fake API server scales Deployments and Rollouts only, not ${target?.kind}`
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
          targetType!,
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

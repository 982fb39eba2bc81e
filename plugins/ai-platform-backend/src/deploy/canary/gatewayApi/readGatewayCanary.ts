import type {
  CanaryPhase,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { LiveObject } from '../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../render/types';
import type { CanaryObservation, CanaryTarget } from '../types';
import { canaryName, routeWeights } from './httpRoute';
import {
  ANNOTATION_CANARY_STATE,
  ANNOTATION_CANARY_STEP,
  canaryReplicasFor,
} from './renderGatewayCanary';

/**
 * Reading a Gateway API canary from the cluster (createGatewayApiEngine.ts):
 * the state and step its HTTPRoute's annotations hold, the weights as the
 * cluster stores them, the ready pods of the stable and canary
 * Deployments, and the CanaryObservation they make.
 */

const ROUTE = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' };
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };

export type State = 'running' | 'completing' | 'completed' | 'aborted';

export type Live = {
  route: LiveObject;
  canary: LiveObject;
  stable: LiveObject | undefined;
};

function ref(
  type: { apiVersion: string; kind: string },
  name: string,
  namespace: string,
): KubernetesManifest {
  return { ...type, metadata: { name, namespace } };
}

/** The route, the canary and the stable Deployment; a message when the first two are missing. */
export async function readLive(target: CanaryTarget): Promise<Live | string> {
  const { client, name, namespace } = target;
  const [route, canary, stable] = await Promise.all([
    client.read(ref(ROUTE, name, namespace)),
    client.read(ref(DEPLOYMENT, canaryName(name), namespace)),
    client.read(ref(DEPLOYMENT, name, namespace)),
  ]);
  if (!route) return `HTTPRoute ${namespace}/${name} does not exist`;
  if (!canary) {
    return `Deployment ${namespace}/${canaryName(
      name,
    )} (the canary) does not exist`;
  }
  return { route, canary, stable };
}

export function stateOf(route: LiveObject): State {
  return (route.metadata.annotations?.[ANNOTATION_CANARY_STATE] ??
    'running') as State;
}

export function stepOf(route: LiveObject): number {
  const n = Number(route.metadata.annotations?.[ANNOTATION_CANARY_STEP]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function weightsOf(target: CanaryTarget, route: LiveObject) {
  return (
    routeWeights(route, {
      stable: target.name,
      canary: canaryName(target.name),
    }) ?? { stable: 0, canary: 0, canaryPercent: 0 }
  );
}

export function stableReplicas(stable: LiveObject | undefined): number {
  return (
    (stable?.status?.replicas as number | undefined) ??
    (stable?.spec?.replicas as number | undefined) ??
    1
  );
}

export function ready(deployment: LiveObject | undefined): number {
  return (deployment?.status?.readyReplicas as number | undefined) ?? 0;
}

export function holdPhase(step: CanaryStep | undefined): CanaryPhase {
  if (!step?.pause) return 'progressing';
  return 'approval' in step.pause ? 'awaiting-approval' : 'paused';
}

export function observation(
  target: CanaryTarget,
  steps: CanaryStep[],
  live: Live,
): CanaryObservation {
  const { route, canary } = live;
  const state = stateOf(route);
  const index = Math.min(stepOf(route), Math.max(0, steps.length - 1));
  const step = steps[index];
  const weights = weightsOf(target, route);
  const canaryReady = ready(canary);
  const stableReady = ready(live.stable);
  const desired =
    state === 'running' || state === 'completing' ? step?.weight ?? 0 : 0;
  const needed = canaryReplicasFor(desired, stableReplicas(live.stable));
  let phase: CanaryPhase;
  let message: string;
  if (state === 'aborted') {
    phase = 'aborted';
    message = `Aborted: the HTTPRoute sends all traffic to ${target.name}; the canary is scaled to 0`;
  } else if (state === 'completed') {
    phase = 'succeeded';
    message = `Complete: Deployment ${target.name} runs the new version and the HTTPRoute sends it all traffic; the canary is scaled to 0`;
  } else if (state === 'completing') {
    phase = 'progressing';
    message = `Deployment ${target.name} is rolling out the new version (${stableReady} ready); the HTTPRoute goes back to it when it has`;
  } else if (weights.canaryPercent !== desired) {
    phase = 'progressing';
    message = `Moving to ${desired} % once ${needed} canary pod${
      needed === 1 ? ' is' : 's are'
    } ready (${canaryReady} ready)`;
  } else {
    phase = holdPhase(step);
    const holding: Partial<Record<CanaryPhase, string>> = {
      'awaiting-approval': `Holding ${desired} % until someone approves`,
      paused: `Holding ${desired} % for its pause`,
    };
    message = holding[phase] ?? `At ${desired} %`;
  }
  return {
    stepIndex: index,
    phase,
    message,
    split: {
      desiredCanaryPercent: desired,
      actualCanaryPercent: weights.canaryPercent,
      basis: 'route-weights',
      stableReplicas: stableReady,
      canaryReplicas: canaryReady,
      ...(weights.canaryPercent !== desired
        ? {
            note: `the HTTPRoute sends ${weights.canaryPercent} % to the canary (weights ${weights.stable}/${weights.canary} as the cluster stores them); the step asks ${desired} %`,
          }
        : {}),
    },
  };
}

export function missing(
  target: CanaryTarget,
  steps: CanaryStep[],
  why: string,
): CanaryObservation {
  return {
    stepIndex: 0,
    phase: 'failed',
    message: `${why} on cluster ${target.cluster}`,
    split: {
      desiredCanaryPercent: steps[0]?.weight ?? 0,
      actualCanaryPercent: 0,
      basis: 'route-weights',
      stableReplicas: 0,
      canaryReplicas: 0,
    },
  };
}

import { InputError } from '@backstage/errors';
import type { CanaryStep } from '@internal/plugin-ai-platform-common';
import { strategyOf } from '../../render/rolloutStrategy';
import type { KubernetesManifest } from '../../render/types';
import { validateCanaryObjects } from '../argoRollouts/validateCanaryObjects';
import type { CanaryRenderInput } from '../types';
import { canaryName, httpRoute, routeHostnames } from './httpRoute';

/**
 * Renders a canary promote for the Gateway API engine: the running
 * Deployment as it is (the stable version, unchanged), a canary
 * Deployment `<name>-canary` with the new version's pod template under its
 * own instance label (so neither the stable Service, PodDisruptionBudget,
 * NetworkPolicy nor ServiceMonitor selects its pods), its Service, its own
 * NetworkPolicy and ServiceMonitor copies when the endpoint has them, and
 * an HTTPRoute (gateway.networking.k8s.io/v1) attached to the configured
 * Gateway whose backendRefs weigh the stable and canary Services.
 *
 * The route starts at 0 % canary: the canary's pods need minutes to load
 * weights, and a weight on a Service without ready pods fails those
 * requests. Moving the route to a step's weight happens once enough canary
 * pods are ready (createGatewayApiEngine.ts: advance, or observe settling a
 * move that was waiting). The step the route is asked to be on, and the
 * state of the canary, are annotations of the route; the new stable
 * Deployment (what complete() applies) is an annotation of the canary
 * Deployment, so every later move is rebuilt from the cluster alone.
 *
 * Canary replicas: enough for the current step and the next one,
 * max(1, ceil(weight x stable replicas / 100)), so the next move finds its
 * pods ready; the canary has no autoscaler (the portal sets its replicas).
 *
 * **canaryGpus** (the reservation; the extra pods' GPUs at most): the
 * canary's pods at the largest weight, ceil(largest weight x worst-case
 * replicas / 100) (a whole second copy when the last step is 100), plus
 * the surge pod of the stable Deployment's own rolling update when
 * complete() gives it the new template (its maxSurge: 1, or 0 when the
 * promote accepted downtime), times gpusPerReplica.
 */

export const ANNOTATION_CANARY_STEP = 'ai-platform.io/canary-step';
export const ANNOTATION_CANARY_STATE = 'ai-platform.io/canary-state';
export const ANNOTATION_CANARY_STABLE_MANIFEST =
  'ai-platform.io/canary-stable-manifest';
/** The running (stable) Deployment before the canary: what an abort during complete() rolls back to. */
export const ANNOTATION_CANARY_PREVIOUS_STABLE =
  'ai-platform.io/canary-previous-stable';
export const LABEL_CANARY = 'ai-platform.io/canary';
const INSTANCE = 'app.kubernetes.io/instance';

/** What the route's ANNOTATION_CANARY_STATE says. */
export type GatewayCanaryState = 'running' | 'completing' | 'aborted';

/** Canary pods a weight needs, for a stable of `stableReplicas`. */
export function canaryReplicasFor(weight: number, stableReplicas: number) {
  if (weight <= 0) return 0;
  return Math.max(1, Math.ceil((weight * Math.max(1, stableReplicas)) / 100));
}

/** Canary pods while on step `index`: enough for it and the next one. */
export function canaryReplicasAt(
  steps: readonly CanaryStep[],
  index: number,
  stableReplicas: number,
) {
  const weight = Math.max(
    steps[index]?.weight ?? 0,
    steps[index + 1]?.weight ?? 0,
  );
  return canaryReplicasFor(weight, stableReplicas);
}

function relabel(
  labels: Record<string, string> | undefined,
  name: string,
): Record<string, string> {
  return { ...labels, [INSTANCE]: canaryName(name), [LABEL_CANARY]: 'true' };
}

/**
 * The canary Deployment for the new stable Deployment `stable`, with
 * `replicas`; `previous` (the stable Deployment it replaces) is kept in an
 * annotation beside it.
 */
export function canaryDeployment(
  stable: KubernetesManifest,
  replicas: number,
  previous: KubernetesManifest,
): KubernetesManifest {
  const { name } = stable.metadata;
  const spec = stable.spec as {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: object };
      spec: object;
    };
  } & Record<string, unknown>;
  return {
    ...stable,
    metadata: {
      ...stable.metadata,
      name: canaryName(name),
      labels: relabel(stable.metadata.labels, name),
      annotations: {
        ...stable.metadata.annotations,
        [ANNOTATION_CANARY_STABLE_MANIFEST]: JSON.stringify(stable),
        [ANNOTATION_CANARY_PREVIOUS_STABLE]: JSON.stringify(previous),
      },
    },
    spec: {
      ...spec,
      replicas,
      selector: {
        matchLabels: {
          ...spec.selector.matchLabels,
          [INSTANCE]: canaryName(name),
        },
      },
      template: {
        ...spec.template,
        metadata: {
          ...spec.template.metadata,
          labels: relabel(spec.template.metadata.labels, name),
        },
      },
    },
  };
}

/** Copies of the objects that select the stable pods or Service, selecting the canary's. */
function canaryCopy(
  m: KubernetesManifest,
  name: string,
): KubernetesManifest | undefined {
  const metadata = {
    ...m.metadata,
    name: canaryName(name),
    labels: relabel(m.metadata.labels, name),
  };
  const spec = (m.spec ?? {}) as Record<string, any>;
  switch (`${m.apiVersion}/${m.kind}`) {
    case 'v1/Service':
      return {
        ...m,
        metadata,
        spec: {
          ...spec,
          selector: { ...spec.selector, [INSTANCE]: canaryName(name) },
        },
      };
    case 'networking.k8s.io/v1/NetworkPolicy':
      return {
        ...m,
        metadata,
        spec: {
          ...spec,
          podSelector: {
            matchLabels: {
              ...spec.podSelector?.matchLabels,
              [INSTANCE]: canaryName(name),
            },
          },
        },
      };
    case 'monitoring.coreos.com/v1/ServiceMonitor':
      return {
        ...m,
        metadata,
        spec: {
          ...spec,
          selector: {
            matchLabels: {
              ...spec.selector?.matchLabels,
              [INSTANCE]: canaryName(name),
            },
          },
        },
      };
    default:
      return undefined;
  }
}

function isDeployment(m: KubernetesManifest) {
  return m.apiVersion === 'apps/v1' && m.kind === 'Deployment';
}

export function renderGatewayCanary(input: CanaryRenderInput): {
  manifests: KubernetesManifest[];
  canaryGpus: number;
  converting: boolean;
} {
  const { plan, steps, settings } = input;
  if (!settings.gateway) {
    throw new InputError(
      'strategy canary: the gateway-api engine needs canary.gateway (the Gateway the HTTPRoute attaches to)',
    );
  }
  const next = plan.manifests.find(isDeployment);
  const stable = input.stableManifests?.find(isDeployment);
  if (!next) {
    throw new InputError(
      `strategy canary: the promote of ${plan.endpointRef} renders no Deployment to run as the canary`,
    );
  }
  if (!stable) {
    throw new InputError(
      `strategy canary: ${plan.endpointRef} does not run as a Deployment, so there is no stable Deployment to split the traffic with`,
    );
  }
  const { name } = next.metadata;
  const namespace = next.metadata.namespace ?? 'default';
  const stableReplicas =
    (stable.spec?.replicas as number | undefined) ??
    plan.endpoint.spec.resources?.minReplicas ??
    plan.endpoint.spec.resources?.replicas ??
    1;
  const others = plan.manifests.filter(m => m !== next);
  const copies = others
    .map(m => canaryCopy(m, name))
    .filter((m): m is KubernetesManifest => !!m);
  const route = httpRoute({
    name,
    namespace,
    metadata: {
      labels: next.metadata.labels,
      annotations: {
        ...next.metadata.annotations,
        [ANNOTATION_CANARY_STEP]: '0',
        [ANNOTATION_CANARY_STATE]: 'running' satisfies GatewayCanaryState,
      },
    },
    gateway: settings.gateway,
    hostnames: routeHostnames(plan.endpoint.spec.url),
    stableService: name,
    canaryService: canaryName(name),
    weights: { stable: 100, canary: 0 },
  });
  const manifests = [
    ...others,
    stable,
    ...copies,
    canaryDeployment(next, canaryReplicasAt(steps, 0, stableReplicas), stable),
    route,
  ];
  validateCanaryObjects(manifests);

  const resources = plan.endpoint.spec.resources;
  const worstReplicas = Math.max(
    resources?.replicas ?? 1,
    resources?.maxReplicas ?? 0,
  );
  const largestWeight = Math.max(0, ...steps.map(s => s.weight));
  // The stable's own rolling update in complete(): its maxSurge (1, or 0
  // when the promote accepted downtime).
  const stableSurge = strategyOf([next])?.maxSurge ?? 1;
  return {
    manifests,
    canaryGpus:
      (canaryReplicasFor(largestWeight, worstReplicas) + stableSurge) *
      plan.gpusPerReplica,
    converting: false,
  };
}

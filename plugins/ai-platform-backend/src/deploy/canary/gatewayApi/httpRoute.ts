import { VLLM_PORT } from '../../render/renderEndpointManifests';
import type { KubernetesManifest } from '../../render/types';
import type { CanaryClusterSettings } from '../types';

/**
 * The HTTPRoute (gateway.networking.k8s.io/v1, Gateway API v1.0+ standard
 * channel) that splits an endpoint's traffic between its stable and canary
 * Services by backendRef weights. Used by the gateway-api engine (the
 * portal sets the weights) and by the argo-rollouts engine with
 * `argoTrafficRouting: gateway-api` (Argo Rollouts' Gateway API plugin sets
 * them).
 */

/** Name of the canary's objects (Deployment, Service) beside the stable ones. */
export function canaryName(name: string): string {
  return `${name}-canary`;
}

/** The route's hostnames: the host of the endpoint's spec.url when it is a DNS name outside the cluster. */
export function routeHostnames(url: string | undefined): string[] {
  if (!url) return [];
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return [];
  }
  // An IP (the Gateway's own address) or a cluster-internal name: match any
  // host on the listener (Gateway API hostnames must be DNS names).
  if (
    /^[\d.]+$/.test(host) ||
    host.includes(':') ||
    host.startsWith('[') ||
    /\.svc(\.cluster\.local)?$/.test(host) ||
    !host.includes('.')
  ) {
    return [];
  }
  return [host];
}

export type RouteWeights = { stable: number; canary: number };

/** The route for `weights` (canary percent of 100). */
export function httpRoute(options: {
  name: string;
  namespace: string;
  metadata: Pick<KubernetesManifest['metadata'], 'labels' | 'annotations'>;
  gateway: NonNullable<CanaryClusterSettings['gateway']>;
  hostnames: string[];
  /** The Services: the stable one (the endpoint's) and the canary's. */
  stableService: string;
  canaryService: string;
  weights: RouteWeights;
}): KubernetesManifest {
  const { gateway } = options;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(options.metadata.labels ? { labels: options.metadata.labels } : {}),
      ...(options.metadata.annotations
        ? { annotations: options.metadata.annotations }
        : {}),
    },
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.name,
          namespace: gateway.namespace ?? options.namespace,
          ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
        },
      ],
      ...(options.hostnames.length ? { hostnames: options.hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            {
              group: '',
              kind: 'Service',
              name: options.stableService,
              port: VLLM_PORT,
              weight: options.weights.stable,
            },
            {
              group: '',
              kind: 'Service',
              name: options.canaryService,
              port: VLLM_PORT,
              weight: options.weights.canary,
            },
          ],
        },
      ],
    },
  };
}

type BackendRef = { name?: string; weight?: number };

/**
 * The weights of the stable and canary Services in a live route, as the
 * cluster stores them (a backendRef without weight has 1, Gateway API's
 * default), and in percent of their sum.
 */
export function routeWeights(
  route: { spec?: Record<string, any> } | undefined,
  names: { stable: string; canary: string },
): (RouteWeights & { canaryPercent: number }) | undefined {
  const refs: BackendRef[] = (route?.spec?.rules ?? []).flatMap(
    (r: { backendRefs?: BackendRef[] }) => r.backendRefs ?? [],
  );
  const weightOf = (name: string) =>
    refs
      .filter(r => r.name === name)
      .reduce((sum, r) => sum + (r.weight ?? 1), 0);
  if (!refs.some(r => r.name === names.stable || r.name === names.canary)) {
    return undefined;
  }
  const stable = weightOf(names.stable);
  const canary = weightOf(names.canary);
  const total = stable + canary;
  return {
    stable,
    canary,
    canaryPercent: total === 0 ? 0 : Math.round((canary / total) * 1000) / 10,
  };
}

/** The weights of a step: the canary's percent and the rest to stable. */
export function stepWeights(canaryPercent: number): RouteWeights {
  const canary = Math.max(0, Math.min(100, Math.round(canaryPercent)));
  return { stable: 100 - canary, canary };
}

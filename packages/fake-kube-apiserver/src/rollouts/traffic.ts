import { writeAs } from '../ControllerBase';
import type { ObjectStore } from '../ObjectStore';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';
import { clone, deepEqual } from '../util';
import { ROLLOUTS_MANAGER } from './analysis';
import type { CanaryStrategy } from './types';

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
const SERVICE = typeOf('Service');
const HTTPROUTE = typeOf('HTTPRoute');

/** The Gateway API traffic router plugin's name (argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/**
 * As the rollouts controller does with `canaryService` and `stableService`:
 * each Service's selector gains `rollouts-pod-template-hash` of the
 * ReplicaSet it serves (the canary's, the stable's), and the annotation
 * `argo-rollouts.argoproj.io/managed-by-rollouts: <rollout>`.
 */
export function pointServices(
  store: ObjectStore,
  rollout: KubeObject,
  canary: CanaryStrategy,
  hashes: { canary: string; stable: string },
) {
  const namespace = rollout.metadata.namespace;
  for (const [name, hash] of [
    [canary.canaryService, hashes.canary],
    [canary.stableService, hashes.stable],
  ] as const) {
    if (!name) continue;
    const svc = store.get(SERVICE, namespace, name);
    if (!svc) continue;
    const spec = (svc.spec ?? {}) as { selector?: Record<string, string> };
    if (
      spec.selector?.['rollouts-pod-template-hash'] === hash &&
      svc.metadata.annotations?.[
        'argo-rollouts.argoproj.io/managed-by-rollouts'
      ]
    ) {
      continue;
    }
    writeAs(
      store,
      SERVICE,
      {
        ...svc,
        metadata: {
          ...svc.metadata,
          annotations: {
            ...svc.metadata.annotations,
            'argo-rollouts.argoproj.io/managed-by-rollouts':
              rollout.metadata.name!,
          },
        },
        spec: {
          ...spec,
          selector: { ...spec.selector, 'rollouts-pod-template-hash': hash },
        },
      },
      ROLLOUTS_MANAGER,
    );
  }
}

/**
 * As the Gateway API traffic router plugin does: in each HTTPRoute the
 * plugin config names (`httpRoute`, or `httpRoutes[].name`; in the
 * plugin's `namespace`, else the Rollout's), the backendRefs named
 * `canaryService` and `stableService` get weights `canary` and `100 -
 * canary`. Returns the routes it could not find.
 */
export function setRouteWeights(
  store: ObjectStore,
  rollout: KubeObject,
  canary: CanaryStrategy,
  weight: number,
): string[] {
  const plugin = canary.trafficRouting?.plugins?.[GATEWAY_API_PLUGIN];
  if (!plugin || !canary.canaryService || !canary.stableService) return [];
  const namespace = plugin.namespace ?? rollout.metadata.namespace;
  const names = [
    ...(plugin.httpRoute ? [plugin.httpRoute] : []),
    ...(plugin.httpRoutes ?? []).map(r => r.name),
  ];
  const missing: string[] = [];
  for (const name of names) {
    const route = store.get(HTTPROUTE, namespace, name);
    if (!route) {
      missing.push(name);
      continue;
    }
    const spec = clone(
      (route.spec ?? {}) as {
        rules?: Array<{
          backendRefs?: Array<{ name?: string; weight?: number }>;
        }>;
      },
    );
    for (const rule of spec.rules ?? []) {
      for (const ref of rule.backendRefs ?? []) {
        if (ref.name === canary.canaryService) ref.weight = weight;
        if (ref.name === canary.stableService) ref.weight = 100 - weight;
      }
    }
    if (!deepEqual(spec, route.spec)) {
      writeAs(store, HTTPROUTE, { ...route, spec }, ROLLOUTS_MANAGER);
    }
  }
  return missing;
}

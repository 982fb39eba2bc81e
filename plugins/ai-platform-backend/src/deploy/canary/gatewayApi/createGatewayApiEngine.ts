import type { CanaryStep } from '@internal/plugin-ai-platform-common';
import {
  ANNOTATION_OBJECT_ENDPOINT,
  ANNOTATION_OBJECT_OWNER,
} from '@internal/plugin-ai-platform-common';
import type { LiveObject } from '../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../render/types';
import {
  TEMPLATE_HASH_ANNOTATION,
  templateHash,
} from '../argoRollouts/renderArgoCanary';
import { validateCanaryObjects } from '../argoRollouts/validateCanaryObjects';
import type { CanaryEngine, CanaryObservation, CanaryTarget } from '../types';
import {
  canaryName,
  httpRoute,
  type RouteWeights,
  stepWeights,
} from './httpRoute';
import {
  type Live,
  missing,
  observation,
  readLive,
  ready,
  stableReplicas,
  type State,
  stateOf,
  stepOf,
  weightsOf,
} from './readGatewayCanary';
import {
  ANNOTATION_CANARY_PREVIOUS_STABLE,
  ANNOTATION_CANARY_STABLE_MANIFEST,
  ANNOTATION_CANARY_STATE,
  ANNOTATION_CANARY_STEP,
  canaryDeployment,
  canaryReplicasAt,
  canaryReplicasFor,
  renderGatewayCanary,
} from './renderGatewayCanary';
import { succeededGatewayManifests } from './succeededManifests';

/**
 * The Gateway API engine (issue 23): the portal itself moves the weights
 * of the endpoint's HTTPRoute (gateway.networking.k8s.io/v1) between the
 * stable Deployment and the canary Deployment (renderGatewayCanary.ts).
 * Every write is a server-side apply of a whole object rebuilt from the
 * cluster (the route from its parentRefs and hostnames, the canary from
 * the new stable Deployment in its annotation), with the portal's field
 * manager; every method is idempotent.
 *
 * - advance(toIndex): scales the canary for the step (and the next), asks
 *   the route for the step (annotation) and sets its weights at once when
 *   enough canary pods are ready; otherwise observe() sets them as soon as
 *   they are (a weight on a Service without ready pods fails requests).
 * - observe(): the route's weights as stored (basis `route-weights`) and the
 *   ready pods of both Deployments; settles a move that was waiting.
 * - abort(): all weight to stable, then the canary scaled to 0 (kept, not
 *   deleted: the portal's RBAC has no delete). During complete() the
 *   stable Deployment also goes back to the template it ran before the
 *   canary; after complete() abort is a no-op (roll back instead).
 * - complete(): the stable Deployment takes the new template (its own
 *   rolling update, still serving), and once it has rolled out the route
 *   goes back to 100 % stable and the canary to 0 replicas. Waits for that
 *   rollout up to `completeTimeoutMs`; if it passes, observe() finishes the
 *   move later.
 *
 * Requests (kubernetes/portal-rbac.yaml): get and patch (apply)
 * httproutes and deployments, watch deployments.
 */

function annotatedManifest(
  canary: LiveObject,
  annotation: string,
): KubernetesManifest {
  const json = canary.metadata.annotations?.[annotation];
  if (!json) {
    throw new Error(
      `Deployment ${canary.metadata.namespace}/${canary.metadata.name} has no ${annotation} annotation: it was not made by the portal's canary`,
    );
  }
  const manifest = JSON.parse(json) as KubernetesManifest;
  // The annotation is cluster state anyone who may edit the canary's
  // Deployment can change, and the engine applies what it holds with the
  // portal's identity: it must be the stable Deployment of this very
  // endpoint (same namespace, the canary's name without -canary, the same
  // endpoint annotation) and a valid Deployment, or nothing is applied.
  const { namespace, name } = canary.metadata;
  const endpoint = canary.metadata.annotations?.[ANNOTATION_OBJECT_ENDPOINT];
  if (
    manifest?.apiVersion !== 'apps/v1' ||
    manifest.kind !== 'Deployment' ||
    manifest.metadata?.namespace !== namespace ||
    canaryName(manifest.metadata?.name ?? '') !== name ||
    !endpoint ||
    manifest.metadata.annotations?.[ANNOTATION_OBJECT_ENDPOINT] !== endpoint
  ) {
    throw new Error(
      `Deployment ${namespace}/${name}'s ${annotation} annotation does not hold the stable Deployment of its endpoint (apps/v1 Deployment in ${namespace}, named after the canary, annotated ${ANNOTATION_OBJECT_ENDPOINT}: ${
        endpoint ?? '(none)'
      }); the canary will not apply it`,
    );
  }
  validateCanaryObjects([manifest]);
  return manifest;
}

/** The new stable Deployment (what complete() applies). */
function newStableOf(canary: LiveObject): KubernetesManifest {
  return annotatedManifest(canary, ANNOTATION_CANARY_STABLE_MANIFEST);
}

/** The stable Deployment before the canary (what an abort during complete() restores). */
function previousStableOf(canary: LiveObject): KubernetesManifest {
  return annotatedManifest(canary, ANNOTATION_CANARY_PREVIOUS_STABLE);
}

/** A stable Deployment as the engine applies it: stamped with its template's hash. */
function stamped(stable: KubernetesManifest): KubernetesManifest {
  return {
    ...stable,
    metadata: {
      ...stable.metadata,
      annotations: {
        ...stable.metadata.annotations,
        [TEMPLATE_HASH_ANNOTATION]: templateHash(stable.spec?.template),
      },
    },
  };
}

/** Whether the stable Deployment runs the new template on all its pods. */
function stableRolledOut(stable: LiveObject | undefined, hash: string) {
  if (!stable) return false;
  const status = (stable.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
  };
  const want = (stable.spec?.replicas as number | undefined) ?? 1;
  return (
    stable.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] === hash &&
    (status.observedGeneration ?? 0) >= (stable.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= want &&
    (status.readyReplicas ?? 0) >= want &&
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0)
  );
}

async function applyRoute(
  target: CanaryTarget,
  route: LiveObject,
  change: { weights?: RouteWeights; step?: number; state?: State },
): Promise<LiveObject> {
  const current = weightsOf(target, route);
  const weights = change.weights ?? {
    stable: current.stable,
    canary: current.canary,
  };
  const step = change.step ?? stepOf(route);
  const state = change.state ?? stateOf(route);
  if (
    weights.stable === current.stable &&
    weights.canary === current.canary &&
    step === stepOf(route) &&
    state === stateOf(route)
  ) {
    return route;
  }
  const spec = (route.spec ?? {}) as {
    parentRefs?: Array<{
      name: string;
      namespace?: string;
      sectionName?: string;
    }>;
    hostnames?: string[];
  };
  const parent = spec.parentRefs?.[0];
  if (!parent) {
    throw new Error(
      `HTTPRoute ${target.namespace}/${target.name} has no parentRefs`,
    );
  }
  const annotations = route.metadata.annotations ?? {};
  const manifest = httpRoute({
    name: target.name,
    namespace: target.namespace,
    metadata: {
      labels: route.metadata.labels,
      annotations: {
        ...(annotations[ANNOTATION_OBJECT_ENDPOINT]
          ? {
              [ANNOTATION_OBJECT_ENDPOINT]:
                annotations[ANNOTATION_OBJECT_ENDPOINT],
            }
          : {}),
        ...(annotations[ANNOTATION_OBJECT_OWNER]
          ? { [ANNOTATION_OBJECT_OWNER]: annotations[ANNOTATION_OBJECT_OWNER] }
          : {}),
        [ANNOTATION_CANARY_STEP]: String(step),
        [ANNOTATION_CANARY_STATE]: state,
      },
    },
    gateway: {
      name: parent.name,
      namespace: parent.namespace ?? target.namespace,
      ...(parent.sectionName ? { sectionName: parent.sectionName } : {}),
    },
    hostnames: spec.hostnames ?? [],
    stableService: target.name,
    canaryService: canaryName(target.name),
    weights,
  });
  validateCanaryObjects([manifest]);
  return target.client.apply(manifest, { dryRun: false, force: true });
}

async function scaleCanary(
  target: CanaryTarget,
  canary: LiveObject,
  replicas: number,
): Promise<LiveObject> {
  if (canary.spec?.replicas === replicas) return canary;
  const manifest = canaryDeployment(
    newStableOf(canary),
    replicas,
    previousStableOf(canary),
  );
  validateCanaryObjects([manifest]);
  return target.client.apply(manifest, { dryRun: false, force: true });
}

/**
 * Carries out a move that waits on the cluster: a step's weights once
 * enough canary pods are ready; the route back to stable (and the canary
 * to 0) once the stable Deployment has rolled out the new template; an
 * abort's leftovers.
 */
async function settle(
  target: CanaryTarget,
  steps: CanaryStep[],
  live: Live,
): Promise<Live> {
  let { route, canary } = live;
  const state = stateOf(route);
  if (state === 'running') {
    const step = steps[Math.min(stepOf(route), steps.length - 1)];
    const want = stepWeights(step?.weight ?? 0);
    const needed = canaryReplicasFor(want.canary, stableReplicas(live.stable));
    if (
      weightsOf(target, route).canary !== want.canary &&
      ready(canary) >= needed
    ) {
      route = await applyRoute(target, route, { weights: want });
    }
  } else if (state === 'completing') {
    const hash = templateHash(newStableOf(canary).spec?.template);
    if (stableRolledOut(live.stable, hash)) {
      route = await applyRoute(target, route, {
        weights: stepWeights(0),
        state: 'completed',
      });
      canary = await scaleCanary(target, canary, 0);
    }
  } else {
    // aborted or completed: all traffic on stable, no canary pods.
    route = await applyRoute(target, route, { weights: stepWeights(0) });
    canary = await scaleCanary(target, canary, 0);
  }
  return { ...live, route, canary };
}

export function createGatewayApiEngine(
  options: {
    /** How long complete() waits for the stable Deployment's rollout. */
    completeTimeoutMs?: number;
  } = {},
): CanaryEngine {
  const completeTimeoutMs = options.completeTimeoutMs ?? 20 * 60_000;

  async function observe(
    target: CanaryTarget,
    steps: CanaryStep[],
    how?: { readOnly?: boolean },
  ): Promise<CanaryObservation> {
    const live = await readLive(target);
    if (typeof live === 'string') return missing(target, steps, live);
    return observation(
      target,
      steps,
      how?.readOnly ? live : await settle(target, steps, live),
    );
  }

  async function advance(
    target: CanaryTarget,
    steps: CanaryStep[],
    toIndex: number,
  ): Promise<void> {
    const live = await readLive(target);
    if (typeof live === 'string') throw new Error(live);
    const state = stateOf(live.route);
    if (state === 'aborted') {
      throw new Error(
        `the canary of ${target.namespace}/${target.name} is aborted; it cannot advance`,
      );
    }
    if (state !== 'running' || stepOf(live.route) >= toIndex) return;
    const canary = await scaleCanary(
      target,
      live.canary,
      canaryReplicasAt(steps, toIndex, stableReplicas(live.stable)),
    );
    const route = await applyRoute(target, live.route, { step: toIndex });
    await settle(target, steps, { ...live, canary, route });
  }

  async function abort(target: CanaryTarget): Promise<void> {
    const live = await readLive(target);
    if (typeof live === 'string') return;
    const state = stateOf(live.route);
    if (state === 'completed') return;
    if (state === 'completing') {
      // The stable Deployment was taking the new version: it goes back to
      // the version it ran before the canary (its own rolling update,
      // serving throughout), as a rollback would.
      const previous = stamped(previousStableOf(live.canary));
      validateCanaryObjects([previous]);
      await target.client.apply(previous, { dryRun: false, force: true });
    }
    await applyRoute(target, live.route, {
      weights: stepWeights(0),
      state: 'aborted',
    });
    await scaleCanary(target, live.canary, 0);
  }

  async function complete(target: CanaryTarget): Promise<void> {
    const live = await readLive(target);
    if (typeof live === 'string') throw new Error(live);
    const state = stateOf(live.route);
    if (state === 'completed') return;
    if (state === 'aborted') {
      throw new Error(
        `the canary of ${target.namespace}/${target.name} is aborted; it cannot complete`,
      );
    }
    const stable = stamped(newStableOf(live.canary));
    const hash = stable.metadata.annotations![TEMPLATE_HASH_ANNOTATION];
    validateCanaryObjects([stable]);
    await target.client.apply(stable, { dryRun: false, force: true });
    const route = await applyRoute(target, live.route, {
      state: 'completing',
    });
    let latest = live.stable;
    const outcome = await target.client.watchDeployment({
      namespace: target.namespace,
      name: target.name,
      timeoutMs: completeTimeoutMs,
      onObject: deployment => {
        latest = deployment;
        return stableRolledOut(deployment, hash);
      },
    });
    if (outcome !== 'done') {
      throw new Error(
        `Deployment ${target.namespace}/${
          target.name
        } did not roll out the new version within ${Math.round(
          completeTimeoutMs / 1000,
        )} s; the canary keeps its traffic until it has (the canary's observe moves the route back when it is)`,
      );
    }
    await settle(target, [], { route, canary: live.canary, stable: latest });
  }

  return {
    name: 'gateway-api',
    render: renderGatewayCanary,
    observe,
    advance,
    abort,
    complete,
    canaryWorkloadName: canaryName,
    succeededManifests: succeededGatewayManifests,
  };
}

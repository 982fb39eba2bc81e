import {
  ANNOTATION_OBJECT_ENDPOINT,
  type CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type {
  KubernetesClusterClient,
  LiveObject,
} from '../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../render/types';
import type { CanaryEngine, CanaryObservation, CanaryTarget } from '../types';
import { argoIndexOf, portalStepOf } from './argoSteps';
import {
  type ArgoAnalysisOptions,
  PENDING_WORKLOAD_ANNOTATION,
  renderArgoCanary,
  TEMPLATE_HASH_ANNOTATION,
} from './renderArgoCanary';
import {
  analysisOf,
  readRollout,
  type ReadyPods,
  rolloutPhase,
  type RolloutStatus,
} from './readRollout';
import { ABORT_PATCH, promotePatches } from './rolloutPatches';
import { validateCanaryObjects } from './validateCanaryObjects';

/**
 * The Argo Rollouts engine (issue 23): renders the canary as a Rollout
 * (renderArgoCanary.ts) and drives it as Argo Rollouts' kubectl plugin
 * does (v1.8.x/v1.9.x): promote and abort are merge patches of the
 * Rollout's status subresource (rolloutPatches.ts); Argo's controller
 * moves the weights, holds the pauses, runs the analysis and, after the
 * last step, makes the canary the stable version itself (complete() has
 * nothing to do).
 *
 * Requests (kubernetes/portal-rbac.yaml): get rollouts, patch
 * rollouts/status; get and list analysisruns; get deployments and, for a
 * conversion, patch (server-side apply) the referenced Deployment; list
 * pods.
 */

const ROLLOUT = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' };
const ROLLOUT_STATUS = { subresource: 'status', plural: 'rollouts' } as const;

type RolloutSpec = {
  selector?: { matchLabels?: Record<string, string> };
  workloadRef?: unknown;
  strategy?: { canary?: { analysis?: unknown; trafficRouting?: unknown } };
};

function specOf(rollout: LiveObject): RolloutSpec {
  return (rollout.spec ?? {}) as RolloutSpec;
}

function ref(
  target: CanaryTarget,
  type: { apiVersion: string; kind: string },
): KubernetesManifest {
  return {
    ...type,
    metadata: { name: target.name, namespace: target.namespace },
  };
}

async function readyPods(
  client: KubernetesClusterClient,
  namespace: string,
  selector: Record<string, string>,
  hash: string | undefined,
): Promise<number> {
  if (!hash) return 0;
  const labels = Object.entries({
    ...selector,
    'rollouts-pod-template-hash': hash,
  })
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await client.pods(namespace, labels);
  return pods.filter(p => p.ready).length;
}

/** The newest background AnalysisRun of the Rollout's current pods. */
async function newestAnalysisRun(
  client: KubernetesClusterClient,
  rollout: LiveObject,
): Promise<LiveObject | undefined> {
  const status = (rollout.status ?? {}) as RolloutStatus;
  const namespace = rollout.metadata.namespace ?? 'default';
  const named = status.canary?.currentBackgroundAnalysisRunStatus?.name;
  if (named) {
    const run = await client.read({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: named, namespace },
    });
    if (run) return run;
  }
  if (!status.currentPodHash) return undefined;
  const runs = await client.list({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    namespace,
    labelSelector: `rollouts-pod-template-hash=${status.currentPodHash},rollout-type=Background`,
  });
  const time = (o: LiveObject) => String(o.metadata.creationTimestamp ?? '');
  return runs
    .filter(r =>
      (
        (
          r.metadata as {
            ownerReferences?: Array<{ kind?: string; name?: string }>;
          }
        ).ownerReferences ?? []
      ).some(o => o.kind === 'Rollout' && o.name === rollout.metadata.name),
    )
    .sort((a, b) => time(a).localeCompare(time(b)))
    .pop();
}

/**
 * A conversion (workloadRef to a running Deployment) before its second
 * move: the observation while Argo takes over the pods, and the move
 * itself (the new template into the Deployment) once the Rollout is
 * Healthy on the stable version and the Deployment is at 0 replicas.
 * Undefined once the Deployment has the new template and Argo has seen it.
 */
/**
 * The Deployment a conversion's second move applies, from the Rollout's
 * annotation: cluster state anyone who may edit the Rollout can change,
 * applied with the portal's identity. So it must be the Deployment the
 * Rollout references (apps/v1, the target's namespace and name, the same
 * endpoint annotation as the Rollout) and a valid one, or nothing is applied.
 */
function pendingWorkload(
  target: CanaryTarget,
  rollout: LiveObject,
  pending: KubernetesManifest,
): KubernetesManifest {
  const endpoint = rollout.metadata.annotations?.[ANNOTATION_OBJECT_ENDPOINT];
  if (
    pending?.apiVersion !== 'apps/v1' ||
    pending.kind !== 'Deployment' ||
    pending.metadata?.namespace !== target.namespace ||
    pending.metadata?.name !== target.name ||
    !endpoint ||
    pending.metadata.annotations?.[ANNOTATION_OBJECT_ENDPOINT] !== endpoint
  ) {
    throw new Error(
      `Rollout ${target.namespace}/${
        target.name
      }'s ${PENDING_WORKLOAD_ANNOTATION} annotation does not hold the Deployment it references (apps/v1 Deployment ${
        target.namespace
      }/${target.name}, annotated ${ANNOTATION_OBJECT_ENDPOINT}: ${
        endpoint ?? '(none)'
      }); the canary will not apply it`,
    );
  }
  validateCanaryObjects([pending]);
  return pending;
}

async function continueConversion(
  target: CanaryTarget,
  rollout: LiveObject,
  steps: CanaryStep[],
): Promise<CanaryObservation | undefined> {
  const annotations = rollout.metadata.annotations ?? {};
  const status = (rollout.status ?? {}) as RolloutStatus;
  if (!specOf(rollout).workloadRef) return undefined;
  const deployment = await target.client.read(
    ref(target, { apiVersion: 'apps/v1', kind: 'Deployment' }),
  );
  const pendingJson = annotations[PENDING_WORKLOAD_ANNOTATION];
  const pending = pendingJson
    ? (JSON.parse(pendingJson) as KubernetesManifest)
    : undefined;
  const pendingHash = pending?.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION];
  const liveHash = deployment?.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION];
  const observed =
    deployment?.metadata.generation !== undefined &&
    status.workloadObservedGeneration ===
      String(deployment.metadata.generation);
  const first = steps[0];
  const progressing = (message: string): CanaryObservation => ({
    stepIndex: 0,
    phase: 'progressing',
    message,
    split: {
      desiredCanaryPercent: first?.weight ?? 0,
      actualCanaryPercent: 0,
      basis: specOf(rollout).strategy?.canary?.trafficRouting
        ? 'route-weights'
        : 'replica-count',
      stableReplicas: status.readyReplicas ?? 0,
      canaryReplicas: 0,
      note: 'the canary has not started: Argo Rollouts is taking over the running Deployment',
    },
    analysis: {
      status: specOf(rollout).strategy?.canary?.analysis ? 'running' : 'none',
      message: 'No analysis before the canary starts',
    },
  });
  if (!deployment) {
    return {
      ...progressing(
        `Deployment ${target.namespace}/${target.name}, which the Rollout references, does not exist`,
      ),
      phase: 'failed',
    };
  }
  if (pendingHash && liveHash !== pendingHash) {
    const { phase } = rolloutPhase(rollout);
    const takenOver =
      phase === 'Healthy' &&
      !!status.stableRS &&
      status.stableRS === status.currentPodHash &&
      (deployment.spec?.replicas ?? 1) === 0;
    if (!takenOver) {
      return progressing(
        `Argo Rollouts is taking over Deployment ${
          target.name
        }'s pods (workloadRef, scaleDown progressively): ${
          status.readyReplicas ?? 0
        } Rollout pods ready, ${
          deployment.status?.readyReplicas ?? 0
        } Deployment pods left; the canary starts when the Rollout is Healthy`,
      );
    }
    await target.client.apply(pendingWorkload(target, rollout, pending!), {
      dryRun: false,
      force: true,
    });
    return progressing(
      `The Rollout runs the stable version; the new version's pod template went into Deployment ${target.name}, from which Argo Rollouts starts the canary`,
    );
  }
  if (!observed) {
    return progressing(
      `Waiting for Argo Rollouts to observe Deployment ${target.name}'s new pod template`,
    );
  }
  return undefined;
}

async function observe(
  target: CanaryTarget,
  steps: CanaryStep[],
  options?: { readOnly?: boolean },
): Promise<CanaryObservation> {
  const { client, namespace, name } = target;
  const rollout = await client.read(ref(target, ROLLOUT));
  if (!rollout) {
    return {
      stepIndex: 0,
      phase: 'failed',
      message: `Rollout ${namespace}/${name} does not exist on cluster ${target.cluster}`,
      split: {
        desiredCanaryPercent: steps[0]?.weight ?? 0,
        actualCanaryPercent: 0,
        basis: 'replica-count',
        stableReplicas: 0,
        canaryReplicas: 0,
      },
      analysis: { status: 'none', message: 'No Rollout, so no analysis' },
    };
  }
  if (!options?.readOnly) {
    const converting = await continueConversion(target, rollout, steps);
    if (converting) return converting;
  }

  const status = (rollout.status ?? {}) as RolloutStatus;
  const selector = specOf(rollout).selector?.matchLabels ?? {};
  const samePods = status.currentPodHash === status.stableRS;
  const pods: ReadyPods = {
    canary: await readyPods(client, namespace, selector, status.currentPodHash),
    stable: samePods
      ? 0
      : await readyPods(client, namespace, selector, status.stableRS),
  };
  const configured = !!specOf(rollout).strategy?.canary?.analysis;
  const run = configured ? await newestAnalysisRun(client, rollout) : undefined;
  return readRollout({
    rollout,
    steps,
    routed: !!specOf(rollout).strategy?.canary?.trafficRouting,
    pods,
    analysis: analysisOf(run, configured),
  });
}

async function advance(
  target: CanaryTarget,
  steps: CanaryStep[],
  toIndex: number,
): Promise<void> {
  const { client } = target;
  const rollout = await client.read(ref(target, ROLLOUT));
  if (!rollout) {
    throw new Error(
      `Rollout ${target.namespace}/${target.name} does not exist on cluster ${target.cluster}`,
    );
  }
  const status = (rollout.status ?? {}) as RolloutStatus;
  const at = portalStepOf(steps, status.currentStepIndex);
  // Idempotent: a retry after the controller moved, or while it has not
  // yet seen our cleared pause (controllerPause without conditions), sends
  // nothing, so a step is never skipped twice.
  if (at.done || at.index >= toIndex) return;
  if (status.controllerPause && !status.pauseConditions?.length) return;
  if (status.abort) {
    throw new Error(
      `Rollout ${target.namespace}/${target.name} is aborted; it cannot advance`,
    );
  }
  const patches =
    toIndex === at.index + 1
      ? promotePatches(rollout)
      : // Further than the next step: as `promote` does for one step, with
        // the index of the asked step's setWeight.
        {
          status: {
            status: {
              pauseConditions: null,
              currentStepIndex: argoIndexOf(steps, toIndex),
            },
          },
        };
  if (patches.status) {
    await client.mergePatch(rollout, patches.status, ROLLOUT_STATUS);
  }
  if (patches.spec) {
    await client.mergePatch(rollout, patches.spec);
  }
}

async function abort(target: CanaryTarget): Promise<void> {
  const rollout = await target.client.read(ref(target, ROLLOUT));
  if (!rollout || (rollout.status as RolloutStatus | undefined)?.abort) return;
  await target.client.mergePatch(rollout, ABORT_PATCH, ROLLOUT_STATUS);
}

/** The Argo Rollouts canary engine. */
export function createArgoRolloutsEngine(
  options: { analysis?: ArgoAnalysisOptions } = {},
): CanaryEngine {
  return {
    name: 'argo-rollouts',
    render: input => renderArgoCanary(input, options.analysis),
    observe,
    advance,
    abort,
    // Argo promotes the canary to stable itself after the last step.
    complete: async () => undefined,
  };
}

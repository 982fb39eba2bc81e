import { InputError } from '@backstage/errors';
import { createHash } from 'crypto';
import type { KubernetesManifest } from '../../render/types';
import { canaryName, httpRoute, routeHostnames } from '../gatewayApi/httpRoute';
import type { CanaryRenderInput } from '../types';
import {
  analysisTemplateName,
  CANARY_HASH_ARG,
  renderAnalysisTemplate,
} from './analysisTemplate';
import { argoSteps } from './argoSteps';
import { validateCanaryObjects } from './validateCanaryObjects';

/**
 * Renders a canary promote as Argo Rollouts objects (argoproj.io/v1alpha1,
 * following Argo Rollouts v1.8.x/v1.9.x; docs/features/canary,
 * docs/migrating.md, docs/features/analysis.md):
 *
 * - **A Rollout with a pod template** where the endpoint runs as a Rollout
 *   already (an earlier canary) or nothing runs: the new version's pod
 *   template with canary steps. (A Rollout's first revision goes to 100 %
 *   at once, Argo's rule: there is no stable version to compare with.)
 * - **A Rollout with `workloadRef`** where the endpoint runs as a plain
 *   Deployment (`converting: true`): the Rollout references the running
 *   Deployment, which is neither deleted nor recreated. Argo's first
 *   revision of a Rollout is always promoted fully (it has no stable
 *   ReplicaSet), so the conversion takes two moves, as Argo's migration
 *   guide prescribes: (1) the Rollout takes over the pods of the version
 *   that runs now; (2) once it is Healthy and the Deployment is scaled to
 *   0, the new version's pod template goes into the Deployment, and that
 *   change is what the canary steps roll out. Move (2) is made by the
 *   engine's observe() (createArgoRolloutsEngine.ts); the template waits in
 *   the Rollout's PENDING_WORKLOAD_ANNOTATION until then.
 *   `scaleDown: progressively`: Argo scales the Deployment down by the
 *   Rollout's ready pods as they come up, and to 0 once the Rollout is
 *   Healthy (rollout/replicaset.go, revision 1 only). So the endpoint
 *   never serves with fewer ready pods than it asks for (`onsuccess` keeps
 *   every old pod until the end, `never` would leave the Deployment to roll
 *   out the new template by itself, bypassing the steps), and if the
 *   takeover fails Argo scales the Deployment back up. The Rollout's pods
 *   are all created at once, so both workloads' GPUs count while it runs
 *   (the workflow adds the endpoint's GPUs to canaryGpus).
 * - The autoscaler (HPA or KEDA ScaledObject) targets the Rollout (its
 *   scale subresource); the Rollout leaves spec.replicas to it.
 * - With analysis targets: an AnalysisTemplate run as background analysis
 *   over the canary's pods (analysisTemplate.ts).
 * - Traffic routing per `settings.argoTrafficRouting`: `none` splits by
 *   replica count (the Service spreads requests over stable and canary
 *   pods alike); `gateway-api` uses Argo Rollouts' Gateway API plugin
 *   (`argoproj-labs/gatewayAPI`, which the cluster's argo-rollouts-config
 *   ConfigMap must list) on an HTTPRoute whose two backends are the
 *   endpoint's Service (stable) and `<name>-canary`.
 *
 * The rolling limits are maxSurge 1 and maxUnavailable 0: the canary's pods
 * start before stable pods go, whatever the promote's allowDowntime says (a
 * canary needs both versions up at once).
 *
 * **canaryGpus** (the reservation; the extra pods' GPUs at most):
 * - routing `none`: Argo's basic canary keeps canary + stable pods within
 *   replicas + maxSurge (utils/replicaset/canary.go,
 *   CalculateReplicaCountsForBasicCanary), so at most one extra pod:
 *   1 x gpusPerReplica.
 * - routing `gateway-api`: the stable stays fully scaled and the canary
 *   gets ceil(weight x replicas / 100) pods
 *   (CalculateReplicaCountsForTrafficRoutedCanary without
 *   dynamicStableScale), and after the last step the old stable stays up
 *   for scaleDownDelaySeconds: ceil(largest weight x worst-case replicas /
 *   100) x gpusPerReplica, a whole second copy when the last step is 100.
 */

/** The Rollout's annotation that holds the Deployment the conversion's second move applies. */
export const PENDING_WORKLOAD_ANNOTATION =
  'ai-platform.io/canary-pending-workload';
/** The Deployment's annotation with the hash of the pod template the portal last gave it. */
export const TEMPLATE_HASH_ANNOTATION = 'ai-platform.io/pod-template-hash';

export const ARGO_MAX_SURGE = 1;
export const ARGO_MAX_UNAVAILABLE = 0;

const ROLLOUT_API = 'argoproj.io/v1alpha1';

function isKind(m: KubernetesManifest, apiVersion: string, kind: string) {
  return m.apiVersion === apiVersion && m.kind === kind;
}

/** The hash of a pod template, as the portal stamps it on a Deployment. */
export function templateHash(template: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(template ?? null))
    .digest('hex')
    .slice(0, 16);
}

/** The Deployment the Rollout references, with the new template, and without replicas (Argo holds them at 0). */
function referencedDeployment(deployment: KubernetesManifest) {
  const { replicas: _replicas, ...spec } = deployment.spec ?? {};
  return {
    ...deployment,
    metadata: {
      ...deployment.metadata,
      annotations: {
        ...deployment.metadata.annotations,
        [TEMPLATE_HASH_ANNOTATION]: templateHash(spec.template),
      },
    },
    spec,
  };
}

/** How the endpoint's workload becomes a Rollout. */
export type ArgoRenderMode = 'template' | 'workload-ref' | 'convert';

export function argoRenderMode(
  stableManifests: KubernetesManifest[] | undefined,
): ArgoRenderMode {
  const rollout = stableManifests?.find(m => isKind(m, ROLLOUT_API, 'Rollout'));
  if (rollout) return rollout.spec?.workloadRef ? 'workload-ref' : 'template';
  return stableManifests?.some(m => isKind(m, 'apps/v1', 'Deployment'))
    ? 'convert'
    : 'template';
}

/** How the analysis measures (tests and the demo measure faster). */
export type ArgoAnalysisOptions = {
  /** How often each metric is measured, e.g. `1m` (the default). */
  interval?: string;
  /** Failed measurements of one metric tolerated before the run fails (default 1). */
  failureLimit?: number;
};

export function renderArgoCanary(
  input: CanaryRenderInput,
  analysisOptions: ArgoAnalysisOptions = {},
): {
  manifests: KubernetesManifest[];
  canaryGpus: number;
  converting: boolean;
} {
  const { plan, steps, settings, analysis } = input;
  const deployment = plan.manifests.find(m =>
    isKind(m, 'apps/v1', 'Deployment'),
  );
  if (!deployment) {
    throw new InputError(
      `strategy canary: the promote of ${plan.endpointRef} renders no Deployment, so there is no pod template for an Argo Rollout`,
    );
  }
  if (settings.argoTrafficRouting === 'gateway-api' && !settings.gateway) {
    throw new InputError(
      'strategy canary: argoTrafficRouting gateway-api needs canary.gateway (the Gateway the HTTPRoute attaches to)',
    );
  }
  const { name } = deployment.metadata;
  const namespace = deployment.metadata.namespace ?? 'default';
  const meta = {
    labels: deployment.metadata.labels,
    annotations: deployment.metadata.annotations,
  };
  const routed = settings.argoTrafficRouting === 'gateway-api';
  const mode = argoRenderMode(input.stableManifests);
  const spec = deployment.spec ?? {};

  const canary: Record<string, unknown> = {
    maxSurge: ARGO_MAX_SURGE,
    maxUnavailable: ARGO_MAX_UNAVAILABLE,
    steps: argoSteps(steps),
    ...(analysis
      ? {
          analysis: {
            templates: [{ templateName: analysisTemplateName(name) }],
            args: [
              {
                name: CANARY_HASH_ARG,
                valueFrom: { podTemplateHashValue: 'Latest' },
              },
            ],
          },
        }
      : {}),
    ...(routed
      ? {
          stableService: name,
          canaryService: canaryName(name),
          trafficRouting: {
            plugins: {
              'argoproj-labs/gatewayAPI': { httpRoute: name, namespace },
            },
          },
        }
      : {}),
  };
  const rollout: KubernetesManifest = {
    apiVersion: ROLLOUT_API,
    kind: 'Rollout',
    metadata: {
      ...deployment.metadata,
      annotations: {
        ...deployment.metadata.annotations,
        ...(mode === 'convert'
          ? {
              [PENDING_WORKLOAD_ANNOTATION]: JSON.stringify(
                referencedDeployment(deployment),
              ),
            }
          : {}),
      },
    },
    spec: {
      // Absent with an autoscaler: the replica count is the HPA's.
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      selector: spec.selector,
      ...(spec.progressDeadlineSeconds !== undefined
        ? { progressDeadlineSeconds: spec.progressDeadlineSeconds }
        : {}),
      ...(mode === 'template'
        ? { template: spec.template }
        : {
            workloadRef: {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              scaleDown: 'progressively',
            },
          }),
      strategy: { canary },
    },
  };

  const targetsRollout = { apiVersion: ROLLOUT_API, kind: 'Rollout', name };
  const others = plan.manifests
    .filter(m => m !== deployment)
    .map(m => {
      if (isKind(m, 'autoscaling/v2', 'HorizontalPodAutoscaler')) {
        return { ...m, spec: { ...m.spec, scaleTargetRef: targetsRollout } };
      }
      if (isKind(m, 'keda.sh/v1alpha1', 'ScaledObject')) {
        return { ...m, spec: { ...m.spec, scaleTargetRef: targetsRollout } };
      }
      return m;
    });
  const service = plan.manifests.find(m => isKind(m, 'v1', 'Service'));
  const manifests: KubernetesManifest[] = [
    ...others,
    ...(analysis
      ? [
          renderAnalysisTemplate({
            name,
            namespace,
            metadata: meta,
            targets: analysis,
            ...analysisOptions,
          }),
        ]
      : []),
    ...(routed && service
      ? [
          {
            ...service,
            metadata: { ...service.metadata, name: canaryName(name) },
          },
          httpRoute({
            name,
            namespace,
            metadata: meta,
            gateway: settings.gateway!,
            hostnames: routeHostnames(plan.endpoint.spec.url),
            stableService: name,
            canaryService: canaryName(name),
            weights: { stable: 100, canary: 0 },
          }),
        ]
      : []),
    // The Rollout starts once what it names (Services, template) exists.
    rollout,
    // An endpoint that runs as a Rollout already: the new template goes
    // into the referenced Deployment after the Rollout has the new steps,
    // so Argo never starts the new template on the previous canary's
    // steps (and pauses).
    ...(mode === 'workload-ref' ? [referencedDeployment(deployment)] : []),
  ];
  validateCanaryObjects(manifests);

  const resources = plan.endpoint.spec.resources;
  const worstReplicas = Math.max(
    resources?.replicas ?? 1,
    resources?.maxReplicas ?? 0,
  );
  const largestWeight = Math.max(0, ...steps.map(s => s.weight));
  const canaryPods = routed
    ? Math.ceil((largestWeight * worstReplicas) / 100)
    : ARGO_MAX_SURGE;
  return {
    manifests,
    canaryGpus: canaryPods * plan.gpusPerReplica,
    converting: mode === 'convert',
  };
}

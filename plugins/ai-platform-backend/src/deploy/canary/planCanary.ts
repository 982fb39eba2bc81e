import { ConflictError } from '@backstage/errors';
import type {
  CanaryPlan,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { DeploymentStore } from '../DatabaseDeploymentStore';
import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import { clusterTarget } from '../targets/clusterTargets';
import { canarySettingsOf } from '../targets/canarySettings';
import type { DeployOptions } from '../types';
import {
  holdsRollout,
  liveConvertedRollout,
  rolloutManifest,
} from './argoRollouts/convertedWorkload';
import { chooseCanaryEngine } from './chooseCanaryEngine';
import { gatewayWarnings } from './gatewayWarnings';
import { routeHostnames } from './gatewayApi/httpRoute';
import { predictSplits } from './predictSplit';
import type {
  CanaryAnalysisTargets,
  CanaryClusterSettings,
  CanaryEngine,
} from './types';
import type { CanaryEngineName } from '@internal/plugin-ai-platform-common';

/** The engines by name (plugin.ts builds them; tests pass doubles). */
export type CanaryEngines = Record<CanaryEngineName, CanaryEngine>;

/** The SLO numbers a canary is held to (from spec.slo, else these defaults). */
export const DEFAULT_CANARY_TARGETS = {
  /** 1 % of requests may fail (5xx). */
  maxErrorRate: 0.01,
  /** Time to first token p95 of 2 s. */
  maxTtftP95Seconds: 2,
} as const;

/** What a canary promote's plan carries besides the objects. */
export type PlannedCanary = {
  engine: CanaryEngine;
  settings: CanaryClusterSettings;
  /** The numbers the analysis holds the canary to. */
  targets: { maxErrorRate: number; maxTtftP95Seconds: number };
  /** Set when Prometheus is configured for the cluster (else analysis `none`). */
  prometheusUrl?: string;
  stableVersion: string;
  /** The endpoint's Kubernetes name and namespace (its objects'). */
  name: string;
  namespace: string;
  /** What the record, the dry run and the dialog show. */
  plan: CanaryPlan;
};

/** The analysis targets of an endpoint: its spec.slo, else the defaults. */
export function canaryTargets(
  slo: { availability?: number; ttftP95Ms?: number } | undefined,
): PlannedCanary['targets'] {
  return {
    maxErrorRate:
      slo?.availability !== undefined
        ? Math.round((100 - slo.availability) * 1e6) / 1e8
        : DEFAULT_CANARY_TARGETS.maxErrorRate,
    maxTtftP95Seconds:
      slo?.ttftP95Ms !== undefined
        ? slo.ttftP95Ms / 1000
        : DEFAULT_CANARY_TARGETS.maxTtftP95Seconds,
  };
}

/**
 * Turns a promote's plan into a canary promote's: chooses the engine from
 * the cluster's API discovery, renders the engine's objects (which replace
 * the plan's), and says what the canary will do (steps, reserved GPUs, the
 * real split per step, warnings). Refuses (ConflictError, naming what to
 * change) a cluster without a configured client, a KServe target, an
 * endpoint where nothing runs yet, and a cluster with no engine.
 */
export async function planCanary(options: {
  plan: DeploymentPlan;
  steps: CanaryStep[];
  deploy: DeployOptions;
  engines: CanaryEngines;
  /** The cluster's client; undefined when it is not configured. */
  client: KubernetesClusterClient | undefined;
  store: Pick<DeploymentStore, 'applied'>;
  prometheusUrlFor?: (cluster: string) => string | undefined;
}): Promise<DeploymentPlan> {
  const { plan, steps, deploy, client } = options;
  const cluster = plan.pool.spec.cluster;
  const refuse = (why: string): never => {
    throw new ConflictError(`strategy canary: ${why}`);
  };
  if (clusterTarget(deploy.clusterTargets, cluster).target !== 'deployment') {
    refuse(
      `cluster ${cluster} renders endpoints as KServe LLMInferenceServices (aiPlatform.deploy.clusters.${cluster}.target llm-inference-service); canaries of those are not supported (docs/canary.md): promote with strategy rolling`,
    );
  }
  if (!client) {
    refuse(
      `cluster ${cluster} is not configured in kubernetes.clusterLocatorMethods, so its API cannot say which canary engine it serves`,
    );
  }
  if (plan.renderError) return plan; // the sizing check says why
  const [running] = await options.store.applied(plan.endpointRef);
  if (!running) {
    refuse(
      `nothing of ${plan.endpointRef} runs yet, so there is no stable version to send the rest of the traffic to: deploy it first (strategy rolling)`,
    );
  }
  if (running!.modelVersion === plan.modelVersion) {
    refuse(
      `${plan.endpointRef} already runs ${plan.modelVersion} (revision ${
        running!.revision
      }); a canary compares a new version with the running one`,
    );
  }
  const settings = canarySettingsOf(deploy.canary, cluster);
  const choice = await chooseCanaryEngine({
    client: client!,
    cluster,
    settings,
  });
  if (!choice.ok) refuse(choice.message);
  const engineName = (choice as { engine: CanaryEngineName }).engine;
  const engine = options.engines[engineName];
  // A route without hostnames matches every request on the Gateway's
  // listener: on a shared Gateway the canary would take other endpoints'
  // traffic. The endpoint's own DNS name keeps its route to its callers.
  if (
    (engineName === 'gateway-api' ||
      settings.argoTrafficRouting === 'gateway-api') &&
    routeHostnames(plan.endpoint.spec.url).length === 0
  ) {
    refuse(
      `the canary's HTTPRoute matches requests by the host of the endpoint's spec.url, and ${
        plan.endpoint.spec.url
          ? `"${plan.endpoint.spec.url}" has no DNS hostname (an IP address or a cluster-internal name)`
          : 'the endpoint has no spec.url'
      }: a route without hostnames would take every request on the Gateway's listener, other endpoints' too. Give the endpoint a spec.url with its own DNS name served by the Gateway`,
    );
  }
  const targets = canaryTargets(plan.endpoint.spec.slo);
  const prometheusUrl = options.prometheusUrlFor?.(cluster);
  const workload = plan.manifests.find(m => m.kind === 'Deployment');
  const name = workload?.metadata.name ?? plan.endpoint.metadata.name;
  const namespace =
    workload?.metadata.namespace ?? plan.endpoint.spec.namespace ?? 'default';
  // An endpoint an earlier Argo canary converted runs as its Rollout, also
  // when that canary was aborted (its revision failed, so the running one
  // is still the plain Deployment's): the new canary goes through that
  // Rollout (its template into the referenced Deployment, which also
  // clears the abort), not through a second conversion that would wait
  // for an aborted Rollout to be Healthy.
  const converted =
    engineName === 'argo-rollouts' && !holdsRollout(running!.manifests)
      ? await liveConvertedRollout(client!, namespace, name)
      : undefined;
  const rendered = engine.render({
    plan,
    stableManifests: converted
      ? [...running!.manifests, rolloutManifest(converted)]
      : running!.manifests,
    steps,
    settings,
    ...(prometheusUrl
      ? {
          analysis: {
            prometheusAddress: prometheusUrl,
            ...targets,
          } satisfies CanaryAnalysisTargets,
        }
      : {}),
  });
  const resources = plan.endpoint.spec.resources;
  const warnings = [
    ...(engineName === 'gateway-api' ||
    settings.argoTrafficRouting === 'gateway-api'
      ? await gatewayWarnings({
          client: client!,
          gateway: settings.gateway!,
          namespace,
          url: plan.endpoint.spec.url,
        })
      : []),
    ...(prometheusUrl
      ? []
      : [
          `No Prometheus is configured for cluster ${cluster} (aiPlatform.cost.prometheus): no analysis runs, so steps move on their pauses and approvals only`,
        ]),
  ];
  // Both workloads count while a running Deployment is converted to a
  // Rollout (workloadRef): the Rollout's pods start beside the Deployment's.
  const reservedGpus =
    rendered.canaryGpus + (rendered.converting ? plan.gpus : 0);
  const canaryPlan: CanaryPlan = {
    engine: engineName,
    steps,
    reservedGpus,
    splits: predictSplits({
      engine: engineName,
      settings,
      replicas: resources?.replicas ?? 1,
      steps,
    }),
    ...(rendered.converting ? { converting: true } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
  return {
    ...plan,
    manifests: rendered.manifests,
    canary: {
      engine,
      settings,
      targets,
      ...(prometheusUrl ? { prometheusUrl } : {}),
      stableVersion: running!.modelVersion,
      name,
      namespace,
      plan: canaryPlan,
    },
  };
}

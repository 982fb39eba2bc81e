import type { Config } from '@backstage/config';

/**
 * What the portal renders an endpoint as, chosen per cluster
 * (`aiPlatform.deploy.clusters.<name>.target`):
 * - `deployment`: a plain Deployment, Service, PodDisruptionBudget and
 *   autoscaler (every cluster serves these);
 * - `llm-inference-service`: one KServe LLMInferenceService, which KServe's
 *   controller turns into the workload, its Service and (with a router) the
 *   HTTPRoute, InferencePool and scheduler (see render/kserve/).
 */
export type DeployTargetName = 'deployment' | 'llm-inference-service';

export const DEPLOY_TARGETS: readonly DeployTargetName[] = [
  'deployment',
  'llm-inference-service',
];

/**
 * The LLMInferenceService the portal renders: `serving.kserve.io/v1alpha2`,
 * the version KServe v0.20.0 (the current release) stores; v0.19 serves it
 * too, v0.16 to v0.18 serve only v1alpha1.
 */
export const LLM_INFERENCE_SERVICE = {
  group: 'serving.kserve.io',
  version: 'v1alpha2',
  apiVersion: 'serving.kserve.io/v1alpha2',
  kind: 'LLMInferenceService',
  plural: 'llminferenceservices',
  kserveRelease: 'v0.20.0',
} as const;

/**
 * `aiPlatform.deploy.clusters.<name>.llmInferenceService.router`: how
 * KServe exposes the service. Without it the service is reached through
 * its cluster-local workload Service only.
 */
export type LLMInferenceServiceRouterOptions = {
  /** A Gateway of the cluster's own; KServe's default Gateway when absent. */
  gateway?: { name: string; namespace?: string; sectionName?: string };
  /** Route through the inference scheduler (endpoint picker) and its InferencePool. Default true. */
  scheduler: boolean;
  /** An existing InferencePool to route through; KServe creates one per service when absent. */
  inferencePool?: string;
};

/** The target of one cluster, with its settings. */
export type ClusterTarget = {
  target: DeployTargetName;
  /** For `llm-inference-service`: the router, when one is configured. */
  router?: LLMInferenceServiceRouterOptions;
};

/** The targets by cluster name; a cluster not named has target `deployment`. */
export type ClusterTargets = Record<string, ClusterTarget>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function name(c: Config, key: string, at: string): string | undefined {
  const value = c.getOptionalString(key);
  if (value !== undefined && !DNS_LABEL.test(value)) {
    throw new Error(
      `${at}.${key} must be a Kubernetes name (lowercase RFC 1123 label), not "${value}"`,
    );
  }
  return value;
}

/** Reads `aiPlatform.deploy.clusters` (the `deploy` block is passed in). */
export function readClusterTargets(deploy: Config | undefined): ClusterTargets {
  const clusters = deploy?.getOptionalConfig('clusters');
  const targets: ClusterTargets = {};
  for (const cluster of clusters?.keys() ?? []) {
    const at = `aiPlatform.deploy.clusters.${cluster}`;
    const c = clusters!.getConfig(cluster);
    const target = c.getOptionalString('target') ?? 'deployment';
    if (!DEPLOY_TARGETS.includes(target as DeployTargetName)) {
      throw new Error(
        `${at}.target must be one of ${DEPLOY_TARGETS.join(
          ', ',
        )}, not "${target}"`,
      );
    }
    const router = c.getOptionalConfig('llmInferenceService.router');
    const gateway = router?.getOptionalConfig('gateway');
    const gatewayName = gateway
      ? name(gateway, 'name', `${at}.llmInferenceService.router.gateway`)
      : undefined;
    if (gateway && !gatewayName) {
      throw new Error(
        `${at}.llmInferenceService.router.gateway.name is required when a gateway is given`,
      );
    }
    targets[cluster] = {
      target: target as DeployTargetName,
      ...(router
        ? {
            router: {
              ...(gatewayName
                ? {
                    gateway: {
                      name: gatewayName,
                      ...(gateway!.getOptionalString('namespace')
                        ? {
                            namespace: name(
                              gateway!,
                              'namespace',
                              `${at}.llmInferenceService.router.gateway`,
                            )!,
                          }
                        : {}),
                      ...(gateway!.getOptionalString('sectionName')
                        ? {
                            sectionName:
                              gateway!.getOptionalString('sectionName')!,
                          }
                        : {}),
                    },
                  }
                : {}),
              scheduler: router.getOptionalBoolean('scheduler') ?? true,
              ...(router.getOptionalString('inferencePool')
                ? {
                    inferencePool: name(
                      router,
                      'inferencePool',
                      `${at}.llmInferenceService.router`,
                    )!,
                  }
                : {}),
            },
          }
        : {}),
    };
  }
  return targets;
}

/** The target of `cluster`: its configured one, else `deployment`. */
export function clusterTarget(
  targets: ClusterTargets | undefined,
  cluster: string,
): ClusterTarget {
  return targets?.[cluster] ?? { target: 'deployment' };
}

import type { Config } from '@backstage/config';
import type {
  AutoscalingOptions,
  NetworkPolicyOptions,
  ServiceMonitorOptions,
} from './render/types';
import type { NamespaceOwnersOptions } from './tenancy/NamespaceOwners';
import {
  type ClusterTargets,
  readClusterTargets,
} from './targets/clusterTargets';
import {
  type CanarySettingsByCluster,
  readCanarySettings,
} from './targets/canarySettings';

/** `aiPlatform.deploy` config, with defaults applied. */
export type DeployOptions = {
  /** How long a rollout may take before the deployment fails. */
  rolloutTimeoutMs: number;
  /** How often pods and events are read while a rollout waits. */
  progressIntervalMs: number;
  /** Per-request timeout towards the cluster. */
  requestTimeoutMs: number;
  /** Take over fields another field manager owns (server-side apply `force`). */
  forceConflicts: boolean;
  /** What to do when the pool's cluster cannot be reached: fail, or run the checks only. */
  unreachableClusters: 'fail' | 'check-only';
  autoscaling: AutoscalingOptions;
  /** Render a ServiceMonitor with each endpoint (off unless configured). */
  serviceMonitor?: ServiceMonitorOptions;
  /** Who owns which namespace (besides the Namespace annotations), and the system namespaces. */
  namespaces: NamespaceOwnersOptions;
  /**
   * Clusters the demo simulates (`aiPlatform.demo.simulatedClusters`): each
   * deployment record onto one says so.
   */
  simulatedClusters?: string[];
  /** Render a NetworkPolicy with each endpoint (off unless configured). */
  networkPolicy?: NetworkPolicyOptions;
  /** Render a PrometheusRule with SLO burn-rate alerts with each endpoint that sets spec.slo. */
  prometheusRules?: boolean;
  /** What each cluster's endpoints are rendered as (`aiPlatform.deploy.clusters`); `deployment` when not named. */
  clusterTargets?: ClusterTargets;
  /** Canary settings per cluster (`aiPlatform.deploy.clusters.<name>.canary`). */
  canary?: CanarySettingsByCluster;
};

/** Reads `aiPlatform.deploy`. */
export function readDeployOptions(config: Config): DeployOptions {
  const c = config.getOptionalConfig('aiPlatform.deploy');
  const unreachable = c?.getOptionalString('unreachableClusters') ?? 'fail';
  if (unreachable !== 'fail' && unreachable !== 'check-only') {
    throw new Error(
      `aiPlatform.deploy.unreachableClusters must be "fail" or "check-only", not "${unreachable}"`,
    );
  }
  const type = c?.getOptionalString('autoscaling.type') ?? 'hpa';
  if (type !== 'hpa' && type !== 'keda') {
    throw new Error(
      `aiPlatform.deploy.autoscaling.type must be "hpa" or "keda", not "${type}"`,
    );
  }
  const serviceMonitor = c?.getOptionalConfig('serviceMonitor');
  const interval = serviceMonitor?.getOptionalString('interval') ?? '30s';
  if (!/^\d+(ms|s|m|h)$/.test(interval)) {
    throw new Error(
      `aiPlatform.deploy.serviceMonitor.interval must be a Prometheus duration such as 30s or 1m, not "${interval}"`,
    );
  }
  const networkPolicy = c?.getOptionalConfig('networkPolicy');
  // Read whole: label keys such as app.kubernetes.io/name hold dots, which
  // config paths would split.
  const podLabels =
    (networkPolicy?.getOptional('allowFromPodLabels') as
      | Record<string, unknown>
      | undefined) ?? {};
  for (const [key, value] of Object.entries(podLabels)) {
    if (typeof value !== 'string') {
      throw new Error(
        `aiPlatform.deploy.networkPolicy.allowFromPodLabels["${key}"] must be a string, not ${JSON.stringify(
          value,
        )}`,
      );
    }
  }
  const simulatedClusters = config.getOptionalStringArray(
    'aiPlatform.demo.simulatedClusters',
  );
  const clusterTargets = readClusterTargets(c);
  const canary = readCanarySettings(c);
  return {
    ...(Object.keys(canary).length ? { canary } : {}),
    ...(simulatedClusters?.length ? { simulatedClusters } : {}),
    ...(Object.keys(clusterTargets).length ? { clusterTargets } : {}),
    namespaces: readNamespaceOwners(c),
    ...(networkPolicy?.getOptionalBoolean('enabled')
      ? {
          networkPolicy: {
            allowSameNamespace:
              networkPolicy.getOptionalBoolean('allowSameNamespace') ?? true,
            allowFromNamespaces:
              networkPolicy.getOptionalStringArray('allowFromNamespaces') ?? [],
            allowFromPodLabels: podLabels as Record<string, string>,
          },
        }
      : {}),
    ...(serviceMonitor?.getOptionalBoolean('enabled')
      ? { serviceMonitor: { interval } }
      : {}),
    ...(c?.getOptionalBoolean('prometheusRules.enabled')
      ? { prometheusRules: true }
      : {}),
    rolloutTimeoutMs:
      (c?.getOptionalNumber('rolloutTimeoutSeconds') ?? 1800) * 1000,
    progressIntervalMs:
      (c?.getOptionalNumber('progressIntervalSeconds') ?? 5) * 1000,
    requestTimeoutMs:
      (c?.getOptionalNumber('requestTimeoutSeconds') ?? 30) * 1000,
    forceConflicts: c?.getOptionalBoolean('forceConflicts') ?? false,
    unreachableClusters: unreachable,
    autoscaling: {
      type,
      targetRequestsWaiting:
        c?.getOptionalNumber('autoscaling.targetRequestsWaiting') ?? 5,
      prometheusServerAddress: c?.getOptionalString(
        'autoscaling.prometheusServerAddress',
      ),
    },
  };
}

/** `aiPlatform.deploy.namespaces`, `systemNamespaces` and `namespaceOwnersCacheSeconds`. */
function readNamespaceOwners(c: Config | undefined): NamespaceOwnersOptions {
  const raw =
    (c?.getOptional('namespaces') as Record<string, unknown> | undefined) ?? {};
  const mapping: Record<string, Record<string, string[]>> = {};
  for (const [cluster, namespaces] of Object.entries(raw)) {
    if (typeof namespaces !== 'object' || namespaces === null) {
      throw new Error(
        `aiPlatform.deploy.namespaces.${cluster} must map namespaces to lists of group refs`,
      );
    }
    mapping[cluster] = {};
    for (const [namespace, owners] of Object.entries(namespaces)) {
      if (!Array.isArray(owners) || owners.some(o => typeof o !== 'string')) {
        throw new Error(
          `aiPlatform.deploy.namespaces.${cluster}.${namespace} must be a list of group refs, such as [group:default/applied-ml]`,
        );
      }
      mapping[cluster][namespace] = owners as string[];
    }
  }
  return {
    mapping,
    systemNamespaces: c?.getOptionalStringArray('systemNamespaces') ?? [],
    cacheTtlMs:
      (c?.getOptionalNumber('namespaceOwnersCacheSeconds') ?? 30) * 1000,
  };
}

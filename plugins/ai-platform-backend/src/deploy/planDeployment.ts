import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import {
  type DeploymentOperation,
  gpuResourceName,
} from '@internal/plugin-ai-platform-common';
import { createHash } from 'crypto';
import type {
  DeploymentStore,
  StoredDeployment,
} from './DatabaseDeploymentStore';
import {
  ownershipAnnotations,
  renderEndpointManifests,
} from './render/renderEndpointManifests';
import type { KubernetesManifest, RenderedEndpoint } from './render/types';
import {
  DOWNTIME_STRATEGY,
  gpusPerPodOf,
  type RollingUpdateStrategy,
  SURGE_STRATEGY,
  withStrategy,
} from './render/rolloutStrategy';
import type { ResolvedEndpoint } from './resolveEndpoint';
import { renderLLMInferenceService } from './render/kserve/renderLLMInferenceService';
import { clusterTarget } from './targets/clusterTargets';
import type { DeployOptions } from './types';
import type { PlannedCanary } from './canary/planCanary';

/** What a deployment call will do: the endpoint, the version and the objects to apply. */
export type DeploymentPlan = ResolvedEndpoint & {
  operation: DeploymentOperation;
  modelVersion: string;
  /** Rendered now; absent for a rollback, which restores a revision's objects. */
  rendered?: RenderedEndpoint;
  /** Why the endpoint could not be rendered (the sizing check reports it). */
  renderError?: string;
  manifests: KubernetesManifest[];
  /** GPUs the endpoint reserves on its pool. */
  gpus: number;
  /** For a rollback: the revision whose objects are restored. */
  restoredRevision?: number;
  /**
   * The Deployment's rolling update as rendered: SURGE_STRATEGY, or
   * DOWNTIME_STRATEGY when the caller accepted downtime (`allowDowntime`).
   */
  strategy: RollingUpdateStrategy;
  /** GPUs one pod requests: a surge pod's GPUs. */
  gpusPerReplica: number;
  /** For an auto-rollback: the failed revision it answers. */
  failedRevision?: number;
  /** For a canary promote (`strategy: 'canary'`): the engine and what it will do (canary/planCanary.ts). */
  canary?: PlannedCanary;
};

/** The rolling update a call asks for. */
function strategyFor(allowDowntime: boolean | undefined) {
  return allowDowntime ? DOWNTIME_STRATEGY : SURGE_STRATEGY;
}

/** Hash of the rendered objects: equal hashes mean an identical deployment. */
export function hashManifests(manifests: KubernetesManifest[]): string {
  return createHash('sha256').update(JSON.stringify(manifests)).digest('hex');
}

/** The endpoint's objects with the deploy settings (autoscaling, ServiceMonitor, NetworkPolicy), as its cluster's deploy target renders them (targets/clusterTargets.ts): what a deploy plans and POST /render answers. */
export function renderEndpoint(options: {
  resolved: ResolvedEndpoint;
  modelVersion: string | undefined;
  deploy: DeployOptions;
  strategy?: RollingUpdateStrategy;
}): RenderedEndpoint {
  const { resolved, deploy } = options;
  const target = clusterTarget(
    deploy.clusterTargets,
    resolved.pool.spec.cluster,
  );
  if (target.target === 'llm-inference-service') {
    return renderLLMInferenceService({
      endpoint: resolved.endpoint,
      model: resolved.model,
      pool: resolved.pool,
      modelVersion: options.modelVersion,
      autoscaling: deploy.autoscaling,
      serviceMonitor: deploy.serviceMonitor,
      networkPolicy: deploy.networkPolicy,
      router: target.router,
    });
  }
  return renderEndpointManifests({
    endpoint: resolved.endpoint,
    model: resolved.model,
    pool: resolved.pool,
    modelVersion: options.modelVersion,
    autoscaling: deploy.autoscaling,
    serviceMonitor: deploy.serviceMonitor,
    networkPolicy: deploy.networkPolicy,
    prometheusRules: deploy.prometheusRules,
    strategy: options.strategy,
  });
}

/**
 * Plans a deploy or promote: renders the endpoint at `modelVersion`. An
 * endpoint that cannot be rendered is still planned (with the GPUs its
 * resources ask for), so that the call leaves a record whose sizing check
 * says why.
 */
export function planDeployment(options: {
  resolved: ResolvedEndpoint;
  operation: DeploymentOperation;
  modelVersion: string;
  deploy: DeployOptions;
  /** Roll out without surge (the caller accepts downtime). */
  allowDowntime?: boolean;
}): DeploymentPlan {
  const { resolved, operation, modelVersion } = options;
  const strategy = strategyFor(options.allowDowntime);
  const gpusPerReplica = resolved.endpoint.spec.resources?.gpusPerReplica ?? 0;
  try {
    const rendered = renderEndpoint({ ...options, strategy });
    return {
      ...resolved,
      operation,
      modelVersion,
      rendered,
      manifests: rendered.objects,
      gpus: rendered.gpus,
      strategy,
      gpusPerReplica,
    };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const resources = resolved.endpoint.spec.resources;
    return {
      ...resolved,
      operation,
      modelVersion,
      renderError: error.message,
      manifests: [],
      gpus: resources
        ? resources.gpusPerReplica *
          Math.max(resources.replicas, resources.maxReplicas ?? 0)
        : 0,
      strategy,
      gpusPerReplica,
    };
  }
}

/** InputError unless the model has the version a promote asks for. */
export function requireModelVersion(
  resolved: ResolvedEndpoint,
  modelVersion: string,
): void {
  const versions = resolved.model.spec.versions;
  if (!versions.some(v => v.name === modelVersion)) {
    throw new InputError(
      `modelVersion: ${stringifyEntityRef(
        resolved.model,
      )} has no version "${modelVersion}" (its versions: ${versions
        .map(v => v.name)
        .join(', ')})`,
    );
  }
}

/**
 * Plans a rollback: the objects of an applied revision, by default the
 * newest one that differs from the running one.
 */
export async function planRollback(options: {
  resolved: ResolvedEndpoint;
  store: Pick<DeploymentStore, 'applied'>;
  toRevision?: number;
  /** Roll out without surge (the caller accepts downtime). */
  allowDowntime?: boolean;
}): Promise<DeploymentPlan> {
  const { resolved, toRevision } = options;
  const applied = await options.store.applied(resolved.endpointRef);
  const running = applied[0];
  let target: StoredDeployment | undefined;
  if (toRevision !== undefined) {
    target = applied.find(r => r.revision === toRevision);
    if (!target) {
      throw new InputError(
        `toRevision: ${
          resolved.endpointRef
        } has no applied revision ${toRevision} (applied revisions: ${
          applied.map(r => r.revision).join(', ') || 'none'
        })`,
      );
    }
  } else {
    target = applied.find(r => running && r.specHash !== running.specHash);
    if (!target) {
      throw new ConflictError(
        `${resolved.endpointRef} has no earlier revision to roll back to${
          running ? ` (revision ${running.revision} is running)` : ''
        }`,
      );
    }
  }
  return restorePlan({
    resolved,
    operation: 'rollback',
    target,
    strategy: strategyFor(options.allowDowntime),
  });
}

/**
 * A plan that re-applies the objects of an applied revision `target`
 * (a rollback, or an automatic one), rolled out with `strategy`.
 */
export function restorePlan(options: {
  resolved: ResolvedEndpoint;
  operation: 'rollback' | 'auto-rollback';
  target: StoredDeployment;
  strategy: RollingUpdateStrategy;
  failedRevision?: number;
}): DeploymentPlan {
  const { resolved, target, strategy } = options;
  // Objects applied before they carried an owner get the annotations now.
  const manifests = withStrategy(
    target.manifests.map(m => ({
      ...m,
      metadata: {
        ...m.metadata,
        annotations: {
          ...m.metadata.annotations,
          ...ownershipAnnotations(resolved.endpoint),
        },
      },
    })),
    strategy,
  );
  return {
    ...resolved,
    operation: options.operation,
    modelVersion: target.modelVersion,
    manifests,
    gpus: target.gpus,
    restoredRevision: target.revision,
    strategy,
    gpusPerReplica: gpusPerPodOf(
      manifests,
      gpuResourceName(resolved.pool.spec.gpu),
    ),
    ...(options.failedRevision !== undefined
      ? { failedRevision: options.failedRevision }
      : {}),
  };
}

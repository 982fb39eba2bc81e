import { ConflictError } from '@backstage/errors';
import { ClusterRequestError } from '../kube/KubernetesClusterClient';
import { clusterTarget } from '../targets/clusterTargets';
import {
  servedTargets,
  targetOfManifests,
  targetServed,
} from '../targets/servedTargets';
import { convertedEndpointRefusal } from './convertedEndpoint';
import type { DeploymentStep } from './types';

/**
 * Deploy target. What the plan's objects need the cluster to serve:
 * a plain Deployment (always served, nothing asked), or KServe's
 * LLMInferenceService (`aiPlatform.deploy.clusters.<name>.target`), which
 * the cluster's API discovery must list in the version the portal renders.
 * A cluster that does not serve it refuses the call (409), saying why and
 * what to change; nothing is reserved or applied. A rollback keeps the
 * target its revision was rendered for. Without a configured cluster the
 * check is skipped (the apply step ends such a run check-only). An
 * endpoint an Argo canary converted to a Rollout refuses what is not a
 * canary (convertedEndpoint.ts).
 */
export const targetCheck: DeploymentStep = {
  name: 'target',
  async run(run) {
    const { plan, deps, target } = run;
    const cluster = plan.pool.spec.cluster;
    const configured = clusterTarget(deps.deploy.clusterTargets, cluster);
    const needed = targetOfManifests(plan.manifests, configured);
    const details = { cluster, target: needed, configured: configured.target };
    // An endpoint an Argo canary converted runs as its Rollout: a plain
    // Deployment beside it would run both workloads (convertedEndpoint.ts).
    const converted = await convertedEndpointRefusal(run);
    if (converted) {
      return {
        status: 'failed',
        message: converted,
        details: { ...details, workload: 'argo-rollout' },
        refusal: new ConflictError(converted),
      };
    }
    if (needed === 'deployment') {
      return {
        status: 'passed',
        message: `deploy target deployment on cluster ${cluster}: plain Deployment (always served)`,
        details,
      };
    }
    if ('notConfigured' in target) {
      return {
        status: 'skipped',
        message: `deploy target ${needed}: not asked, ${target.notConfigured}`,
        details,
      };
    }
    let served;
    try {
      served = await servedTargets(deps.clients.client(target.cluster));
    } catch (error) {
      const message = `deploy target ${needed}: cluster ${cluster} could not be asked which API groups it serves: ${
        error instanceof Error ? error.message : String(error)
      }`;
      if (
        error instanceof ClusterRequestError &&
        error.unreachable &&
        deps.deploy.unreachableClusters === 'check-only'
      ) {
        return { status: 'skipped', message, details };
      }
      return { status: 'failed', message, details };
    }
    const answer = targetServed(needed, served, cluster);
    if (!answer.ok) {
      return {
        status: 'failed',
        message: answer.message,
        details: { ...details, served },
        refusal: new ConflictError(answer.message),
      };
    }
    return {
      status: 'passed',
      message: `deploy target ${needed} on cluster ${cluster}: ${answer.message}`,
      details: { ...details, served },
    };
  },
};

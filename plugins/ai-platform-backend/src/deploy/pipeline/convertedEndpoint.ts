import {
  holdsRollout,
  liveConvertedRollout,
} from '../canary/argoRollouts/convertedWorkload';
import type { DeploymentRun } from './types';

/** How far back the records are read for an Argo canary of the endpoint. */
const HISTORY = 50;

/**
 * Why a deployment that is not a canary must not run on this endpoint, or
 * undefined when it may. An endpoint an Argo canary converted (a Rollout
 * references its Deployment through workloadRef) runs its pods in the
 * Rollout, and Argo holds the Deployment at 0 replicas: a rolling promote,
 * a deploy or a rollback re-applies a plain Deployment with replicas and
 * the endpoint would run both workloads (twice the GPUs, two versions
 * behind one Service). Until such operations go through the Rollout, they
 * are refused (409); a canary promote (strategy canary, which may be a
 * single step `{ "weight": 100 }`) goes through it (docs/canary.md).
 *
 * Asked only of endpoints whose records show an Argo canary (the running
 * revision holds a Rollout, or a recent record was an Argo canary, also an
 * aborted one): the live Rollout decides (deleted by someone, the endpoint
 * is a plain Deployment again).
 */
export async function convertedEndpointRefusal(
  run: DeploymentRun,
): Promise<string | undefined> {
  const { plan, deps, target } = run;
  if (plan.canary || 'notConfigured' in target) return undefined;
  const workload = plan.manifests.find(
    m => m.apiVersion === 'apps/v1' && m.kind === 'Deployment',
  );
  if (!workload) return undefined;
  const [running] = await deps.store.applied(plan.endpointRef);
  const recent = await deps.store.recent(plan.endpointRef, HISTORY);
  const hadArgoCanary =
    (running && holdsRollout(running.manifests)) ||
    recent.some(
      r => r.canary?.engine === 'argo-rollouts' && holdsRollout(r.manifests),
    );
  if (!hadArgoCanary) return undefined;
  const name = workload.metadata.name;
  const namespace = workload.metadata.namespace ?? 'default';
  const rollout = await liveConvertedRollout(
    deps.clients.client(target.cluster),
    namespace,
    name,
  );
  if (!rollout) return undefined;
  const what = `${plan.endpointRef} runs as Argo Rollout ${namespace}/${name} (an Argo canary converted its Deployment through workloadRef; Argo holds the Deployment at 0 replicas), and this ${plan.operation} would apply a plain Deployment with replicas beside it, so both workloads would run`;
  if (plan.operation === 'rollback' || plan.operation === 'auto-rollback') {
    return `${what}. To go back to ${plan.modelVersion}, promote it with strategy canary (steps [{ "weight": 100 }] move all traffic at once); a canary that is still running is stopped with POST /endpoints/{namespace}/{name}/canary/abort (docs/canary.md)`;
  }
  return `${what}. Promote with strategy canary instead (steps [{ "weight": 100 }] move all traffic at once), which changes the version through the Rollout (docs/canary.md)`;
}

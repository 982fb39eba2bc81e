import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import {
  type ClusterTarget,
  type DeployTargetName,
  LLM_INFERENCE_SERVICE,
} from './clusterTargets';

/** Which deploy targets a cluster serves, from its API discovery. */
export type ServedTargets = {
  /** Always: apps/v1 Deployments are built in. */
  deployment: true;
  /** The serving.kserve.io versions served (preferred first), when the LLMInferenceService CRD is installed. */
  llmInferenceService?: { versions: string[] };
};

/** Reads the cluster's API groups once (`GET /apis`). */
export async function servedTargets(
  client: Pick<KubernetesClusterClient, 'apiGroups'>,
): Promise<ServedTargets> {
  const groups = await client.apiGroups();
  const kserve = groups.find(g => g.name === LLM_INFERENCE_SERVICE.group);
  return {
    deployment: true,
    ...(kserve ? { llmInferenceService: { versions: kserve.versions } } : {}),
  };
}

/**
 * Whether `served` serves what `target` renders; when not, why, in words
 * a platform engineer can act on.
 */
export function targetServed(
  target: DeployTargetName,
  served: ServedTargets,
  cluster: string,
): { ok: true; message: string } | { ok: false; message: string } {
  if (target === 'deployment') {
    return { ok: true, message: 'plain Deployment (always served)' };
  }
  const versions = served.llmInferenceService?.versions ?? [];
  if (versions.includes(LLM_INFERENCE_SERVICE.version)) {
    return {
      ok: true,
      message: `${LLM_INFERENCE_SERVICE.apiVersion} ${
        LLM_INFERENCE_SERVICE.kind
      } is served (serving.kserve.io versions: ${versions.join(', ')})`,
    };
  }
  return {
    ok: false,
    message: `cluster ${cluster} has deploy target llm-inference-service (aiPlatform.deploy.clusters.${cluster}.target), but it does not serve ${
      LLM_INFERENCE_SERVICE.apiVersion
    } ${LLM_INFERENCE_SERVICE.kind}: ${
      versions.length
        ? `serving.kserve.io is served in ${versions.join(
            ', ',
          )} only; upgrade KServe to ${
            LLM_INFERENCE_SERVICE.kserveRelease
          } or later`
        : `the serving.kserve.io API group is not served; install KServe ${LLM_INFERENCE_SERVICE.kserveRelease} (its LLMInferenceService CRD)`
    }, or set the cluster's target to deployment`,
  };
}

/** The target a plan's objects need: a restored revision keeps the target it was rendered for. */
export function targetOfManifests(
  manifests: Array<{ apiVersion: string; kind: string }>,
  configured: ClusterTarget,
): DeployTargetName {
  if (manifests.length === 0) return configured.target;
  return manifests.some(m => m.kind === LLM_INFERENCE_SERVICE.kind)
    ? 'llm-inference-service'
    : 'deployment';
}

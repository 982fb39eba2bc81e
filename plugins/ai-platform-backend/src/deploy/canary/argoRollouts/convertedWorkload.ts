import type {
  KubernetesClusterClient,
  LiveObject,
} from '../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../render/types';

/**
 * An endpoint converted to Argo Rollouts: a canary through the Argo engine
 * made a Rollout that references the endpoint's Deployment (workloadRef).
 * From then on the endpoint's pods belong to the Rollout and Argo holds
 * the Deployment at 0 replicas, whether that canary succeeded or was
 * aborted (an abort returns traffic to the Rollout's stable pods; it does
 * not give them back to the Deployment).
 */

const ROLLOUT = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' };

/** Whether a revision's objects are (or hold) an Argo Rollout. */
export function holdsRollout(manifests: readonly KubernetesManifest[]) {
  return manifests.some(
    m => m.apiVersion === ROLLOUT.apiVersion && m.kind === ROLLOUT.kind,
  );
}

/**
 * The live Rollout of the endpoint, when the cluster has one that
 * references its Deployment through workloadRef; undefined otherwise
 * (404). Only ask a cluster that serves argoproj.io/v1alpha1 Rollout.
 */
export async function liveConvertedRollout(
  client: Pick<KubernetesClusterClient, 'read'>,
  namespace: string,
  name: string,
): Promise<LiveObject | undefined> {
  const rollout = await client.read({
    ...ROLLOUT,
    metadata: { name, namespace },
  });
  const ref = (
    rollout?.spec as { workloadRef?: { kind?: string; name?: string } }
  )?.workloadRef;
  return ref?.kind === 'Deployment' && ref.name === name ? rollout : undefined;
}

/**
 * The live Rollout as a manifest the Argo render reads as the stable
 * workload (argoRenderMode: `workload-ref`), without server-set fields.
 */
export function rolloutManifest(rollout: LiveObject): KubernetesManifest {
  return {
    apiVersion: ROLLOUT.apiVersion,
    kind: ROLLOUT.kind,
    metadata: {
      name: rollout.metadata.name,
      namespace: rollout.metadata.namespace,
    },
    spec: rollout.spec as Record<string, unknown>,
  };
}

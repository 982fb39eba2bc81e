import type { EndpointLiveStatus } from '@internal/plugin-ai-platform-common';
import type { KubernetesClusterClient } from './kube/KubernetesClusterClient';
import { conditionsOf } from './pipeline/waitForLLMInferenceService';
import { llmWorkloadSelector } from './render/kserve/llmWorkload';
import type { KubernetesManifest } from './render/types';

/**
 * The live state of an endpoint rendered as an LLMInferenceService: the
 * service as KServe reports it (URL, conditions, the workload it made),
 * its workload's pods (by KServe's selector) and recent events. What
 * readLiveStatus adds to the base status for such an endpoint. A service
 * that is not ready is no error: its conditions say why.
 */
export async function readLLMInferenceServiceStatus(options: {
  client: Pick<KubernetesClusterClient, 'read' | 'pods' | 'events'>;
  manifest: KubernetesManifest;
}): Promise<
  Pick<
    EndpointLiveStatus,
    'target' | 'llmInferenceService' | 'pods' | 'events' | 'error'
  >
> {
  const { client, manifest } = options;
  const namespace = manifest.metadata.namespace ?? 'default';
  const name = manifest.metadata.name;
  const [live, pods, events] = await Promise.all([
    client.read(manifest),
    client.pods(namespace, llmWorkloadSelector(name)),
    client.events(namespace, name),
  ]);
  const base = {
    target: 'llm-inference-service' as const,
    pods: pods.map(p => ({
      name: p.name,
      phase: p.phase,
      ready: p.ready,
      restarts: p.restarts,
      ...(p.reason ? { reason: p.reason } : {}),
    })),
    events: events.slice(-20),
  };
  if (!live) {
    return {
      ...base,
      error: `There is no ${manifest.kind} ${name} in namespace ${namespace}`,
    };
  }
  const conditions = conditionsOf(live).map(c => ({
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  }));
  const generation = live.metadata.generation;
  const observed = live.status?.observedGeneration as number | undefined;
  const readyCondition = conditions.find(c => c.type === 'Ready');
  const ready =
    readyCondition?.status === 'True' &&
    (generation === undefined || (observed ?? 0) >= generation);
  const url = live.status?.url as string | undefined;
  const workload = live.status?.workloads?.primary?.name as string | undefined;
  return {
    ...base,
    llmInferenceService: {
      name,
      apiVersion: live.apiVersion ?? manifest.apiVersion,
      ...(url ? { url } : {}),
      ready,
      ...(generation !== undefined ? { generation } : {}),
      ...(observed !== undefined ? { observedGeneration: observed } : {}),
      conditions,
      ...(workload ? { workload } : {}),
    },
  };
}

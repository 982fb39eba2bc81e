/*
 * The synthetic fleet of the collector benchmark, shared by the benchmark
 * and the process that serves its fake clusters and Prometheus: per
 * endpoint a Deployment as the portal renders it and one bound vLLM pod,
 * spread over 3 clusters and 20 team namespaces per cluster.
 */
import type { ServingPod } from '@internal/fake-prometheus';
import {
  deploymentOf,
  portalAnnotations,
  replicaSetPod,
  vllmContainer,
  workloadLabels,
} from '../src/cost/__testUtils__/collectorFixtures';

export const CLUSTERS = ['bench-a', 'bench-b', 'bench-c'];
export const NAMESPACES_PER_CLUSTER = 20;

/** How many of `endpoints` endpoints run in the cluster at `index`. */
export function endpointsIn(endpoints: number, index: number): number {
  return (
    Math.floor(endpoints / CLUSTERS.length) +
    (index < endpoints % CLUSTERS.length ? 1 : 0)
  );
}

export function objectsOf(cluster: string, index: number, since: string) {
  const name = `ep-${cluster}-${index}`;
  const namespace = `team-${index % NAMESPACES_PER_CLUSTER}`;
  const labels = workloadLabels(name);
  const deployment = deploymentOf({
    name,
    namespace,
    labels,
    annotations: portalAnnotations(name, `group:default/${namespace}`),
  });
  const hash = '5d8f7c9b4';
  const suffix = String(index).padStart(5, '0');
  const pod = replicaSetPod({
    workload: name,
    namespace,
    hash,
    suffix,
    labels,
    containers: [vllmContainer('bench/model', 'bench-model')],
    nodeName: `gpu-node-${index % 50}`,
    since,
    ready: true,
  });
  const serving: ServingPod = {
    cluster,
    namespace,
    name: `${name}-${hash}-${suffix}`,
    node: `gpu-node-${index % 50}`,
    startedAt: Date.parse(since) / 1000,
    instance: name,
    servedModelName: 'bench-model',
    gpus: 1,
    gpuResource: 'nvidia.com/gpu',
  };
  return { name, namespace, deployment, pod, serving };
}

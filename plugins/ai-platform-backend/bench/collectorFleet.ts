/*
 * The synthetic fleet of the collector benchmark, shared by the benchmark
 * and the process that serves its fake clusters and Prometheus: per
 * endpoint a Deployment as the portal renders it and one bound vLLM pod,
 * spread over 3 clusters and 20 team namespaces per cluster.
 */
import type { KubeObject } from '@internal/fake-kube-apiserver';
import type { ServingPod } from '@internal/fake-prometheus';

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
  const labels = {
    'app.kubernetes.io/name': 'vllm',
    'app.kubernetes.io/instance': name,
    'backstage.io/kubernetes-id': name,
  };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      labels,
      annotations: {
        'ai-platform.io/endpoint': `inferenceendpoint:default/${name}`,
        'ai-platform.io/owner': `group:default/${namespace}`,
      },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'vllm', image: 'vllm/vllm-openai' }] },
      },
    },
  };
  const podName = `${name}-5d8f7c9b4-${String(index).padStart(5, '0')}`;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace,
      labels: { ...labels, 'pod-template-hash': '5d8f7c9b4' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${name}-5d8f7c9b4`,
          uid: `rs-${name}`,
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: `gpu-node-${index % 50}`,
      containers: [
        {
          name: 'vllm',
          image: 'vllm/vllm-openai:v0.10.1',
          command: ['vllm', 'serve'],
          args: ['bench/model', '--served-model-name', 'bench-model'],
          resources: { limits: { 'nvidia.com/gpu': '1' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      startTime: since,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: since },
        { type: 'Ready', status: 'True', lastTransitionTime: since },
      ],
    },
  };
  const serving: ServingPod = {
    cluster,
    namespace,
    name: podName,
    node: `gpu-node-${index % 50}`,
    startedAt: Date.parse(since) / 1000,
    instance: name,
    servedModelName: 'bench-model',
    gpus: 1,
    gpuResource: 'nvidia.com/gpu',
  };
  return { name, namespace, deployment, pod, serving };
}

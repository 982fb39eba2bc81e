import type { GpuSizing } from '@internal/plugin-ai-platform-common';

/** A Kubernetes object as the renderer returns it and server-side apply sends it. */
export type KubernetesManifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
};

/** How endpoints with maxReplicas > replicas scale. */
export type AutoscalingOptions = {
  /** `hpa` (autoscaling/v2 on a Pods metric, needs a metrics adapter) or `keda` (a ScaledObject with a Prometheus trigger). */
  type: 'hpa' | 'keda';
  /** Waiting requests per replica (vllm:num_requests_waiting) above which a replica is added. */
  targetRequestsWaiting: number;
  /** For `keda`: the Prometheus that scrapes vLLM. */
  prometheusServerAddress?: string;
};

/** The renderer's answer. */
export type RenderedEndpoint = {
  /** Deployment, Service, PodDisruptionBudget, then the autoscaler if any; all validated. */
  objects: KubernetesManifest[];
  namespace: string;
  /** The workload's name (the endpoint's backstage.io/kubernetes-id). */
  name: string;
  modelVersion: string;
  tensorParallelSize: number;
  /** GPUs the endpoint reserves: gpusPerReplica x max replicas. */
  gpus: number;
  sizing?: GpuSizing;
  /** Things worth knowing that do not stop the render. */
  warnings: string[];
};

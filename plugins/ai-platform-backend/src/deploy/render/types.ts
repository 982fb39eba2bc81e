import type {
  KubernetesManifest,
  RenderResponse,
} from '@internal/plugin-ai-platform-common';

export type { KubernetesManifest };

/** How endpoints with maxReplicas > replicas scale. */
export type AutoscalingOptions = {
  /** `hpa` (autoscaling/v2 on a Pods metric, needs a metrics adapter) or `keda` (a ScaledObject with a Prometheus trigger). */
  type: 'hpa' | 'keda';
  /** Waiting requests per replica (vllm:num_requests_waiting) above which a replica is added. */
  targetRequestsWaiting: number;
  /** For `keda`: the Prometheus that scrapes vLLM. */
  prometheusServerAddress?: string;
};

/**
 * A prometheus-operator ServiceMonitor for the endpoint's /metrics, so that
 * Prometheus scrapes the vLLM counters the cost collector and the
 * autoscaler read. Needs the monitoring.coreos.com CRDs in the cluster.
 */
export type ServiceMonitorOptions = {
  /** Scrape interval, e.g. `30s`. */
  interval: string;
};

/**
 * `aiPlatform.deploy.networkPolicy`: a NetworkPolicy per endpoint that admits
 * only these sources to its HTTP port.
 */
export type NetworkPolicyOptions = {
  /** Every pod of the endpoint's own namespace may connect. */
  allowSameNamespace: boolean;
  /** Pods of these namespaces may connect (e.g. the ingress gateway, Prometheus). */
  allowFromNamespaces: string[];
  /** Pods of the endpoint's namespace with these labels may connect. */
  allowFromPodLabels: Record<string, string>;
};

/** The renderer's answer: what `POST /render` returns, less where it goes. */
export type RenderedEndpoint = Omit<RenderResponse, 'endpointRef' | 'cluster'>;

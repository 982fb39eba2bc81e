import { InputError } from '@backstage/errors';
import type { AutoscalingOptions, KubernetesManifest } from './types';

/**
 * The autoscalers of an endpoint with maxReplicas > replicas, on vLLM's
 * waiting requests: an autoscaling/v2 HorizontalPodAutoscaler on a Pods
 * metric (needs a metrics adapter), or a KEDA ScaledObject with a
 * Prometheus trigger.
 */

export function hpa(options: {
  metadata: KubernetesManifest['metadata'];
  name: string;
  minReplicas: number;
  maxReplicas: number;
  autoscaling: AutoscalingOptions;
}): KubernetesManifest {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: options.metadata,
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: options.name,
      },
      minReplicas: options.minReplicas,
      maxReplicas: options.maxReplicas,
      metrics: [
        {
          type: 'Pods',
          pods: {
            metric: { name: 'vllm:num_requests_waiting' },
            target: {
              type: 'AverageValue',
              averageValue: String(options.autoscaling.targetRequestsWaiting),
            },
          },
        },
      ],
      // A new replica needs minutes to load weights: scale down slowly.
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 600,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }],
        },
      },
    },
  };
}

export function kedaScaledObject(options: {
  metadata: KubernetesManifest['metadata'];
  name: string;
  namespace: string;
  servedModelName: string;
  minReplicas: number;
  maxReplicas: number;
  autoscaling: AutoscalingOptions;
}): KubernetesManifest {
  if (!options.autoscaling.prometheusServerAddress) {
    throw new InputError(
      'aiPlatform.deploy.autoscaling.prometheusServerAddress is required when aiPlatform.deploy.autoscaling.type is keda',
    );
  }
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: options.metadata,
    spec: {
      scaleTargetRef: { name: options.name },
      minReplicaCount: options.minReplicas,
      maxReplicaCount: options.maxReplicas,
      cooldownPeriod: 600,
      triggers: [
        {
          type: 'prometheus',
          metadata: {
            serverAddress: options.autoscaling.prometheusServerAddress,
            query: `sum(vllm:num_requests_waiting{namespace="${options.namespace}",model_name="${options.servedModelName}"})`,
            threshold: String(options.autoscaling.targetRequestsWaiting),
          },
        },
      ],
    },
  };
}

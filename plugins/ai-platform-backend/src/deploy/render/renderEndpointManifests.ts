import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_OBJECT_ENDPOINT,
  ANNOTATION_OBJECT_OWNER,
  canonicalEntityRef,
  type GpuPoolEntityV1alpha1,
  gpuResourceName,
  type InferenceEndpointEntityV1alpha1,
  type ModelEntityV1alpha1,
  gpusNeeded,
} from '@internal/plugin-ai-platform-common';
import {
  endpointNetworkPolicy,
  endpointServiceAccount,
  VLLM_CONTAINER_SECURITY_CONTEXT,
  VLLM_POD_SECURITY_CONTEXT,
} from './leastPrivilege';
import { hpa, kedaScaledObject } from './autoscalers';
import { modelServingArgs } from './modelServingArgs';
import { resolveServing } from './resolveServing';
import { endpointPrometheusRule } from './prometheusRules';
import {
  deploymentStrategy,
  type RollingUpdateStrategy,
  SURGE_STRATEGY,
} from './rolloutStrategy';
import type {
  AutoscalingOptions,
  KubernetesManifest,
  NetworkPolicyOptions,
  RenderedEndpoint,
  ServiceMonitorOptions,
} from './types';
import { InvalidManifestError, validateManifest } from './validateManifest';

/** The vLLM image when the endpoint does not name one. */
export const DEFAULT_VLLM_IMAGE = 'vllm/vllm-openai:v0.10.1';
/** The port vLLM's OpenAI-compatible server listens on. */
export const VLLM_PORT = 8000;
/** The Secret keys the rendered pods read: one key per Secret, named like the variable. */
export const HF_TOKEN_SECRET_KEY = 'HF_TOKEN';
export const API_KEY_SECRET_KEY = 'VLLM_API_KEY';
/** Where the vllm image keeps its Hugging Face cache. */
const MODEL_CACHE_PATH = '/root/.cache/huggingface';

const DEFAULT_AUTOSCALING: AutoscalingOptions = {
  type: 'hpa',
  targetRequestsWaiting: 5,
};

/** What to render. */
export type RenderEndpointOptions = {
  endpoint: InferenceEndpointEntityV1alpha1;
  model: ModelEntityV1alpha1;
  pool: GpuPoolEntityV1alpha1;
  /** Render this version instead of the endpoint's spec.modelVersion (a promote). */
  modelVersion?: string;
  autoscaling?: AutoscalingOptions;
  /** Add a ServiceMonitor for the pods' /metrics (aiPlatform.deploy.serviceMonitor). */
  serviceMonitor?: ServiceMonitorOptions;
  /** Add a NetworkPolicy that admits only these sources (aiPlatform.deploy.networkPolicy). */
  networkPolicy?: NetworkPolicyOptions;
  /** Add a PrometheusRule with SLO burn-rate alerts (aiPlatform.deploy.prometheusRules). */
  prometheusRules?: boolean;
  /**
   * The Deployment's rolling update: by default SURGE_STRATEGY (a new pod
   * starts before an old one goes); DOWNTIME_STRATEGY when the caller
   * accepted downtime (see rolloutStrategy.ts).
   */
  strategy?: RollingUpdateStrategy;
};

/**
 * The annotations on every object the portal applies: which endpoint it
 * belongs to and who owns that endpoint, so that the deploy path can tell
 * an endpoint's own objects from another's.
 */
export function ownershipAnnotations(
  endpoint: InferenceEndpointEntityV1alpha1,
): Record<string, string> {
  const namespace = endpoint.metadata.namespace ?? 'default';
  return {
    [ANNOTATION_OBJECT_ENDPOINT]: stringifyEntityRef({
      kind: 'InferenceEndpoint',
      namespace,
      name: endpoint.metadata.name,
    }),
    [ANNOTATION_OBJECT_OWNER]: canonicalEntityRef(endpoint.spec.owner, {
      defaultKind: 'Group',
      defaultNamespace: namespace,
    }),
  };
}

function entityName(entity: { metadata: { name: string } }): string {
  return entity.metadata.name;
}

/**
 * Renders the Kubernetes objects that serve an InferenceEndpoint with vLLM on
 * its GpuPool: a Deployment, a Service on port 8000, a PodDisruptionBudget,
 * when maxReplicas > replicas an autoscaler (HPA or KEDA ScaledObject) on
 * `vllm:num_requests_waiting`, and when asked a ServiceMonitor and a
 * NetworkPolicy; the pods run as the endpoint's own ServiceAccount, without
 * an API token (see leastPrivilege.ts). Every object carries the endpoint's
 * entity ref and owner in annotations. Every object is validated against the
 * Kubernetes schemas before it is returned; the first invalid one is an
 * InputError naming the object and field.
 */
export function renderEndpointManifests(
  options: RenderEndpointOptions,
): RenderedEndpoint {
  const { endpoint, model, pool } = options;
  const autoscaling = options.autoscaling ?? DEFAULT_AUTOSCALING;
  const {
    endpointName,
    name,
    namespace,
    resources,
    runtime,
    modelVersion,
    version,
    maxModelLen,
    gpuMemoryUtilization,
    sizing,
    warnings,
  } = resolveServing(options);
  const tensorParallelSize =
    runtime.tensorParallelSize ??
    Math.min(sizing?.tensorParallelSize ?? 1, resources.gpusPerReplica);

  const extraArgs = runtime.extraArgs ?? [];
  const served = modelServingArgs({ model, version, extraArgs });
  const args = [
    served.source,
    '--served-model-name',
    entityName(model),
    '--port',
    String(VLLM_PORT),
    '--tensor-parallel-size',
    String(tensorParallelSize),
    ...(maxModelLen !== undefined
      ? ['--max-model-len', String(maxModelLen)]
      : []),
    '--gpu-memory-utilization',
    String(gpuMemoryUtilization),
    ...(runtime.maxNumSeqs !== undefined
      ? ['--max-num-seqs', String(runtime.maxNumSeqs)]
      : []),
    ...served.args,
    ...extraArgs,
  ];

  const selectorLabels = {
    'app.kubernetes.io/name': 'vllm',
    'app.kubernetes.io/instance': name,
  };
  const kueueQueue = pool.spec.kueue?.localQueue;
  const labels: Record<string, string> = {
    ...selectorLabels,
    'app.kubernetes.io/component': 'inference-server',
    'app.kubernetes.io/part-of': endpointName,
    'app.kubernetes.io/managed-by': 'backstage-ai-platform',
    [ANNOTATION_KUBERNETES_ID]: name,
    'ai-platform.io/model': entityName(model),
    'ai-platform.io/model-version': modelVersion,
    'ai-platform.io/gpu-pool': entityName(pool),
  };
  // Kueue admits the workload (Deployment and its pods) through this label.
  const workloadLabels: Record<string, string> = kueueQueue
    ? { ...labels, 'kueue.x-k8s.io/queue-name': kueueQueue }
    : labels;
  const annotations = ownershipAnnotations(endpoint);
  const metadata = (objectName: string) => ({
    name: objectName,
    namespace,
    labels,
    annotations,
  });

  const gpuResource = gpuResourceName(pool.spec.gpu);
  const gpuCount = String(resources.gpusPerReplica);
  const maxReplicas = Math.max(resources.replicas, resources.maxReplicas ?? 0);
  const autoscaled = maxReplicas > resources.replicas;
  const minReplicas = resources.minReplicas ?? resources.replicas;
  // vLLM returns 401 on /v1/* without the key; /health never needs it.
  const readyPath = runtime.apiKeySecret ? '/health' : '/v1/models';
  const probe = (path: string) => ({
    httpGet: { path, port: 'http' },
  });
  const env = [
    ...(runtime.hfTokenSecret
      ? [
          {
            name: 'HF_TOKEN',
            valueFrom: {
              secretKeyRef: {
                name: runtime.hfTokenSecret,
                key: HF_TOKEN_SECRET_KEY,
              },
            },
          },
        ]
      : []),
    ...(runtime.apiKeySecret
      ? [
          {
            name: 'VLLM_API_KEY',
            valueFrom: {
              secretKeyRef: {
                name: runtime.apiKeySecret,
                key: API_KEY_SECRET_KEY,
              },
            },
          },
        ]
      : []),
  ];
  // The weights land in the cache once per pod; leave room for a second copy during downloads.
  const cacheGiB = Math.ceil((sizing?.weightsGiB ?? 50) * 1.25 + 5);
  const shmGiB = Math.max(2, 2 * tensorParallelSize);

  const deployment: KubernetesManifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: workloadLabels, annotations },
    spec: {
      // With an autoscaler the replica count belongs to it: leaving the field
      // out of the applied object keeps our apply from fighting the scaler.
      ...(autoscaled ? {} : { replicas: resources.replicas }),
      selector: { matchLabels: selectorLabels },
      // Surge by default: the quota check reserves the surge pods' GPUs on
      // top of max replicas for as long as the rollout runs.
      strategy: deploymentStrategy(options.strategy ?? SURGE_STRATEGY),
      progressDeadlineSeconds: 1800,
      template: {
        metadata: {
          labels: workloadLabels,
          annotations: {
            [ANNOTATION_OBJECT_ENDPOINT]:
              annotations[ANNOTATION_OBJECT_ENDPOINT],
          },
        },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: VLLM_POD_SECURITY_CONTEXT,
          terminationGracePeriodSeconds: 60,
          ...(pool.spec.nodeSelector
            ? { nodeSelector: pool.spec.nodeSelector }
            : {}),
          ...(pool.spec.tolerations
            ? { tolerations: pool.spec.tolerations }
            : {}),
          containers: [
            {
              name: 'vllm',
              image: runtime.image ?? DEFAULT_VLLM_IMAGE,
              command: ['vllm', 'serve'],
              args,
              ports: [
                { name: 'http', containerPort: VLLM_PORT, protocol: 'TCP' },
              ],
              ...(env.length > 0 ? { env } : {}),
              securityContext: VLLM_CONTAINER_SECURITY_CONTEXT,
              resources: {
                requests: { [gpuResource]: gpuCount },
                limits: { [gpuResource]: gpuCount },
              },
              volumeMounts: [
                { name: 'dshm', mountPath: '/dev/shm' },
                { name: 'model-cache', mountPath: MODEL_CACHE_PATH },
              ],
              // Loading weights takes minutes: allow up to 30 before liveness applies.
              startupProbe: {
                ...probe(readyPath),
                periodSeconds: 10,
                failureThreshold: 180,
              },
              readinessProbe: {
                ...probe(readyPath),
                periodSeconds: 10,
                failureThreshold: 3,
              },
              livenessProbe: {
                ...probe('/health'),
                periodSeconds: 15,
                failureThreshold: 4,
              },
            },
          ],
          volumes: [
            {
              name: 'dshm',
              emptyDir: { medium: 'Memory', sizeLimit: `${shmGiB}Gi` },
            },
            { name: 'model-cache', emptyDir: { sizeLimit: `${cacheGiB}Gi` } },
          ],
        },
      },
    },
  };

  const service: KubernetesManifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels,
      ports: [
        { name: 'http', port: VLLM_PORT, targetPort: 'http', protocol: 'TCP' },
      ],
    },
  };

  const pdb: KubernetesManifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(name),
    spec: {
      // One pod at a time may be evicted; minAvailable would block node drains of a single replica.
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels },
    },
  };

  // The ServiceAccount first: pods that name a missing account are refused.
  const objects = [
    endpointServiceAccount(metadata(name)),
    deployment,
    service,
    pdb,
  ];
  if (autoscaled) {
    objects.push(
      autoscaling.type === 'keda'
        ? kedaScaledObject({
            metadata: metadata(name),
            name,
            namespace,
            servedModelName: entityName(model),
            minReplicas,
            maxReplicas,
            autoscaling,
          })
        : hpa({
            metadata: metadata(name),
            name,
            minReplicas,
            maxReplicas,
            autoscaling,
          }),
    );
  }

  if (options.serviceMonitor) {
    objects.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: metadata(name),
      spec: {
        // The Service carries the selector labels; vLLM serves /metrics on
        // its HTTP port, without the API key.
        selector: { matchLabels: selectorLabels },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [
          {
            port: 'http',
            path: '/metrics',
            interval: options.serviceMonitor.interval,
          },
        ],
      },
    });
  }

  if (options.networkPolicy) {
    objects.push(
      endpointNetworkPolicy({
        metadata: metadata(name),
        selectorLabels,
        port: VLLM_PORT,
        policy: options.networkPolicy,
      }),
    );
  }

  const sloRule = options.prometheusRules
    ? endpointPrometheusRule({
        metadata: metadata(`${name}-slo`),
        endpointRef: annotations[ANNOTATION_OBJECT_ENDPOINT],
        namespace,
        workload: name,
        slo: endpoint.spec.slo,
      })
    : undefined;
  if (sloRule) objects.push(sloRule);

  for (const object of objects) {
    try {
      validateManifest(object);
    } catch (error) {
      if (error instanceof InvalidManifestError) {
        throw new InputError(error.message);
      }
      throw error;
    }
  }

  if (sizing && !sizing.fits) {
    warnings.push(
      `The model does not fit the pool's GPUs: ${sizing.explanation.at(-1)}`,
    );
  } else if (
    sizing?.tensorParallelSize &&
    sizing.tensorParallelSize > resources.gpusPerReplica
  ) {
    warnings.push(
      `The sizing needs ${sizing.tensorParallelSize} GPUs per replica, the endpoint asks for ${resources.gpusPerReplica}.`,
    );
  }

  return {
    objects,
    namespace,
    name,
    modelVersion,
    tensorParallelSize,
    gpus: gpusNeeded(resources),
    sizing,
    warnings,
  };
}

import { InputError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_ID,
  gpuResourceName,
  gpusNeeded,
} from '@internal/plugin-ai-platform-common';
import type { LLMInferenceServiceRouterOptions } from '../../targets/clusterTargets';
import { LLM_INFERENCE_SERVICE } from '../../targets/clusterTargets';
import {
  endpointServiceAccount,
  VLLM_CONTAINER_SECURITY_CONTEXT,
  VLLM_POD_SECURITY_CONTEXT,
} from '../leastPrivilege';
import { modelServingArgs } from '../modelServingArgs';
import { resolveServing } from '../resolveServing';
import {
  API_KEY_SECRET_KEY,
  HF_TOKEN_SECRET_KEY,
  ownershipAnnotations,
  type RenderEndpointOptions,
} from '../renderEndpointManifests';
import type { KubernetesManifest, RenderedEndpoint } from '../types';
import { InvalidManifestError, validateManifest } from '../validateManifest';
import { KSERVE_RESERVED_POD_LABELS } from './llmWorkload';
import { validateLLMInferenceService } from './validateLLMInferenceService';

/** What to render: the endpoint as for a Deployment, plus the cluster's router. */
export type RenderLLMInferenceServiceOptions = RenderEndpointOptions & {
  /** `aiPlatform.deploy.clusters.<name>.llmInferenceService.router`. */
  router?: LLMInferenceServiceRouterOptions;
};

/** vLLM flags that KServe sets itself, or that make no sense once the storage initializer downloaded the model. */
const FLAGS_KSERVE_OWNS = [
  '--served-model-name',
  '--port',
  '--tensor-parallel-size',
  '--pipeline-parallel-size',
  '--revision',
  '--load-format',
];

/** Removes `flag value` and `flag=value` from args; the value, when there was one. */
function takeFlag(
  args: string[],
  flag: string,
): { rest: string[]; value?: string } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) {
      value = args[i + 1];
      i++;
    } else if (args[i].startsWith(`${flag}=`)) {
      value = args[i].slice(flag.length + 1);
    } else {
      rest.push(args[i]);
    }
  }
  return { rest, value };
}

/** The model URI KServe's storage initializer downloads: `hf://org/name[:revision]`, else the source as it is. */
function modelUri(source: string, revision: string | undefined): string {
  if (source.startsWith('hf://') && revision && !source.includes(':', 5)) {
    return `${source}:${revision}`;
  }
  if (source.startsWith('file://')) {
    throw new InputError(
      `The model source ${source} is a local path; KServe's storage initializer downloads hf://, s3://, gs://, pvc:// or oci:// URIs`,
    );
  }
  return source;
}

function routerSpec(router: LLMInferenceServiceRouterOptions) {
  return {
    route: {},
    gateway: router.gateway
      ? {
          refs: [
            {
              name: router.gateway.name,
              ...(router.gateway.namespace
                ? { namespace: router.gateway.namespace }
                : {}),
              ...(router.gateway.sectionName
                ? { sectionName: router.gateway.sectionName }
                : {}),
            },
          ],
        }
      : {},
    ...(router.scheduler
      ? {
          scheduler: router.inferencePool
            ? { pool: { ref: { name: router.inferencePool } } }
            : {},
        }
      : {}),
  };
}

/**
 * Renders an InferenceEndpoint as a KServe LLMInferenceService
 * (serving.kserve.io/v1alpha2, KServe v0.20.0) on its GpuPool, with the
 * endpoint's own ServiceAccount (no API token) before it: the model URI
 * and served name; `replicas`, or `scaling` (min and max, through KServe's
 * Workload Variant Autoscaler with the configured actuator) when
 * maxReplicas > replicas; tensor parallelism from the sizing (and pipeline
 * parallelism when the endpoint's extraArgs set it); the pod template's
 * `main` container with the pool's GPU resource, vLLM flags, and the API
 * key from its Secret; the model-hub token for KServe's storage
 * initializer; the pool's node selector and tolerations; the Kueue queue
 * label (KServe passes kueue.x-k8s.io labels on to the workload); and the
 * cluster's router. `spec.labels` and `spec.annotations` carry the
 * endpoint's `backstage.io/kubernetes-id` and ownership to the pods, so
 * that cost and quota find them as they find a Deployment's. Both objects
 * are validated (the LLMInferenceService against the CRD's schema).
 */
export function renderLLMInferenceService(
  options: RenderLLMInferenceServiceOptions,
): RenderedEndpoint {
  const { endpoint, model, pool } = options;
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
  const source = version.source ?? model.spec.source;
  if (!source) {
    throw new InputError(
      `Model ${model.metadata.name} version ${version.name} has no source: set spec.source or spec.versions[].source`,
    );
  }

  let extraArgs = runtime.extraArgs ?? [];
  const pipeline = takeFlag(extraArgs, '--pipeline-parallel-size');
  extraArgs = pipeline.rest;
  const pipelineParallelSize =
    pipeline.value !== undefined ? Number(pipeline.value) : undefined;
  if (
    pipelineParallelSize !== undefined &&
    (!Number.isInteger(pipelineParallelSize) || pipelineParallelSize < 1)
  ) {
    throw new InputError(
      `Endpoint ${endpointName} has spec.runtime.extraArgs --pipeline-parallel-size "${pipeline.value}"; it must be an integer >= 1`,
    );
  }
  const tensorParallelSize =
    runtime.tensorParallelSize ??
    Math.max(
      1,
      Math.min(
        sizing?.tensorParallelSize ?? 1,
        Math.floor(resources.gpusPerReplica / (pipelineParallelSize ?? 1)),
      ),
    );
  const served = modelServingArgs({ model, version, extraArgs });
  let vllmArgs = [
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
  for (const flag of FLAGS_KSERVE_OWNS) {
    const taken = takeFlag(vllmArgs, flag);
    if (taken.value !== undefined && runtime.extraArgs?.includes(flag)) {
      warnings.push(
        `${flag} in spec.runtime.extraArgs is left out: KServe sets it (or the storage initializer made it moot).`,
      );
    }
    vllmArgs = taken.rest;
  }

  const kueueQueue = pool.spec.kueue?.localQueue;
  const labels: Record<string, string> = {
    'app.kubernetes.io/part-of': endpointName,
    'app.kubernetes.io/managed-by': 'backstage-ai-platform',
    [ANNOTATION_KUBERNETES_ID]: name,
    'ai-platform.io/model': model.metadata.name,
    'ai-platform.io/model-version': modelVersion,
    'ai-platform.io/gpu-pool': pool.metadata.name,
  };
  // The pods' labels: ours, less those KServe selects its pods by.
  const podLabels = Object.fromEntries(
    Object.entries(labels).filter(
      ([k]) => !KSERVE_RESERVED_POD_LABELS.includes(k),
    ),
  );
  const annotations = ownershipAnnotations(endpoint);
  const gpuResource = gpuResourceName(pool.spec.gpu);
  const gpuCount = String(resources.gpusPerReplica);
  const maxReplicas = Math.max(resources.replicas, resources.maxReplicas ?? 0);
  const autoscaled = maxReplicas > resources.replicas;
  const minReplicas = resources.minReplicas ?? resources.replicas;
  const secretEnv = (envName: string, secret: string, key: string) => ({
    name: envName,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });

  const llmisvc: KubernetesManifest = {
    apiVersion: LLM_INFERENCE_SERVICE.apiVersion,
    kind: LLM_INFERENCE_SERVICE.kind,
    metadata: {
      name,
      namespace,
      // KServe passes kueue.x-k8s.io labels on to the workload and its pods.
      labels: kueueQueue
        ? { ...labels, 'kueue.x-k8s.io/queue-name': kueueQueue }
        : labels,
      annotations,
    },
    spec: {
      model: {
        uri: modelUri(source, version.revision),
        name: model.metadata.name,
      },
      ...(autoscaled
        ? {
            scaling: {
              minReplicas: Math.max(1, minReplicas),
              maxReplicas,
              wva:
                options.autoscaling?.type === 'keda'
                  ? { keda: {} }
                  : { hpa: {} },
            },
          }
        : { replicas: resources.replicas }),
      parallelism: {
        tensor: tensorParallelSize,
        ...(pipelineParallelSize ? { pipeline: pipelineParallelSize } : {}),
      },
      labels: podLabels,
      annotations,
      template: {
        serviceAccountName: name,
        automountServiceAccountToken: false,
        securityContext: VLLM_POD_SECURITY_CONTEXT,
        ...(pool.spec.nodeSelector
          ? { nodeSelector: pool.spec.nodeSelector }
          : {}),
        ...(pool.spec.tolerations
          ? { tolerations: pool.spec.tolerations }
          : {}),
        containers: [
          {
            // KServe's preset (kserve-config-llm-template) supplies the
            // command, probes and volumes; `args` are appended to vllm serve.
            name: 'main',
            ...(runtime.image ? { image: runtime.image } : {}),
            ...(vllmArgs.length > 0 ? { args: vllmArgs } : {}),
            ...(runtime.apiKeySecret
              ? {
                  env: [
                    secretEnv(
                      'VLLM_API_KEY',
                      runtime.apiKeySecret,
                      API_KEY_SECRET_KEY,
                    ),
                  ],
                }
              : {}),
            // KServe's preset runs its image as non-root; an endpoint's own
            // image (vllm/vllm-openai runs as root, see leastPrivilege.ts)
            // runs as the Deployment target runs it: root without
            // capabilities or privilege escalation.
            securityContext: runtime.image
              ? { ...VLLM_CONTAINER_SECURITY_CONTEXT, runAsNonRoot: false }
              : VLLM_CONTAINER_SECURITY_CONTEXT,
            resources: {
              requests: { [gpuResource]: gpuCount },
              limits: { [gpuResource]: gpuCount },
            },
          },
        ],
        ...(runtime.hfTokenSecret
          ? {
              // The storage initializer downloads hf:// models; the
              // Hugging Face client reads HF_TOKEN.
              initContainers: [
                {
                  name: 'storage-initializer',
                  env: [
                    secretEnv(
                      'HF_TOKEN',
                      runtime.hfTokenSecret,
                      HF_TOKEN_SECRET_KEY,
                    ),
                  ],
                },
              ],
            }
          : {}),
      },
      ...(options.router ? { router: routerSpec(options.router) } : {}),
    },
  };

  const serviceAccount = endpointServiceAccount({
    name,
    namespace,
    labels,
    annotations,
  });
  try {
    validateManifest(serviceAccount);
    validateLLMInferenceService(llmisvc);
  } catch (error) {
    if (error instanceof InvalidManifestError) {
      throw new InputError(error.message);
    }
    throw error;
  }

  if (options.networkPolicy || options.serviceMonitor) {
    warnings.push(
      `aiPlatform.deploy.${
        options.networkPolicy ? 'networkPolicy' : 'serviceMonitor'
      } is not rendered for an LLMInferenceService: KServe makes the workload's objects (and, with scaling, its own ServiceMonitor).`,
    );
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
  if (
    tensorParallelSize * (pipelineParallelSize ?? 1) >
    resources.gpusPerReplica
  ) {
    warnings.push(
      `Tensor x pipeline parallelism (${tensorParallelSize} x ${
        pipelineParallelSize ?? 1
      }) needs more GPUs than the ${
        resources.gpusPerReplica
      } each replica asks for.`,
    );
  }

  return {
    // The ServiceAccount first: KServe reads the account the template names.
    objects: [serviceAccount, llmisvc],
    namespace,
    name,
    modelVersion,
    tensorParallelSize,
    gpus: gpusNeeded(resources),
    sizing,
    warnings,
  };
}

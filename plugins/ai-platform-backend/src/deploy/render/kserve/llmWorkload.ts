import type { KubernetesManifest } from '../types';

/*
 * Names KServe's LLMInferenceService controller gives what it makes for a
 * service `name` (KServe v0.20.0, pkg/controller/v1alpha2/llmisvc:
 * mainDeploymentName, workloadServiceName, GetWorkloadLabelSelector), so
 * that the portal can find the workload, its pods and its events.
 */

/** The single-node workload Deployment: `<name>-kserve`. */
export function llmWorkloadDeploymentName(name: string): string {
  return `${name}-kserve`;
}

/** The label selector of the workload's pods, as `key=value,...`. */
export function llmWorkloadSelector(name: string): string {
  return [
    'app.kubernetes.io/part-of=llminferenceservice',
    `app.kubernetes.io/name=${name}`,
    'kserve.io/component=workload',
  ].join(',');
}

/**
 * Labels KServe sets on the workload's pods and selects them by: an
 * LLMInferenceService's `spec.labels` must not set them, or the
 * Deployment's selector would no longer match its pods.
 */
export const KSERVE_RESERVED_POD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/component',
  'kserve.io/component',
  'llm-d.ai/role',
];

type LLMSpec = {
  model?: unknown;
  parallelism?: unknown;
  labels?: unknown;
  annotations?: unknown;
  template?: {
    containers?: Array<{
      resources?: {
        limits?: Record<string, unknown>;
        requests?: Record<string, unknown>;
      };
    }>;
  };
};

function llmSpecOf(manifests: KubernetesManifest[]): LLMSpec | undefined {
  const llmisvc = manifests.find(m => m.kind === 'LLMInferenceService');
  return llmisvc ? ((llmisvc.spec ?? {}) as LLMSpec) : undefined;
}

/**
 * What of an LLMInferenceService among `manifests` shapes its pods, as
 * JSON: KServe rolls the workload out again only when it changes.
 */
export function llmPodTemplateOf(
  manifests: KubernetesManifest[],
): string | undefined {
  const spec = llmSpecOf(manifests);
  if (!spec) return undefined;
  const { model, parallelism, labels, annotations, template } = spec;
  return JSON.stringify({ model, parallelism, labels, annotations, template });
}

/** GPUs (of `resourceName`) one workload pod of the LLMInferenceService among `manifests` requests. */
export function llmGpusPerPodOf(
  manifests: KubernetesManifest[],
  resourceName: string,
): number {
  const containers = llmSpecOf(manifests)?.template?.containers ?? [];
  return containers.reduce((sum, c) => {
    const amount =
      c.resources?.limits?.[resourceName] ??
      c.resources?.requests?.[resourceName];
    return sum + (amount === undefined ? 0 : Number(amount) || 0);
  }, 0);
}

import { InputError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_ID,
  sizeModelForPool,
} from '@internal/plugin-ai-platform-common';
import type { RenderEndpointOptions } from './renderEndpointManifests';

/**
 * What every deploy target renders from: the endpoint checked for what the
 * portal needs to deploy it (a vllm endpoint with resources and a
 * namespace), the model version it serves, its workload name, and the
 * sizing of that version on the pool. Input errors name the field.
 */
export function resolveServing(options: RenderEndpointOptions) {
  const { endpoint, model, pool } = options;
  const spec = endpoint.spec;
  const endpointName = endpoint.metadata.name;
  if (spec.type !== 'vllm') {
    throw new InputError(
      `Endpoint ${endpointName} has spec.type "${spec.type}"; only vllm endpoints are deployed by the portal`,
    );
  }
  if (!spec.resources) {
    throw new InputError(
      `Endpoint ${endpointName} has no spec.resources: gpusPerReplica and replicas are needed to deploy it`,
    );
  }
  const modelVersion = options.modelVersion ?? spec.modelVersion;
  const version = model.spec.versions.find(v => v.name === modelVersion);
  if (!version) {
    throw new InputError(
      `Model ${
        model.metadata.name
      } has no version "${modelVersion}" (it has ${model.spec.versions
        .map(v => v.name)
        .join(', ')})`,
    );
  }
  if (!spec.namespace) {
    throw new InputError(
      `Endpoint ${endpointName} has no spec.namespace: the portal deploys only into a namespace the endpoint names (and its team owns)`,
    );
  }
  const runtime = spec.runtime ?? {};
  const maxModelLen = runtime.maxModelLen ?? model.spec.contextLength;
  const gpuMemoryUtilization = runtime.gpuMemoryUtilization ?? 0.9;
  const sized = sizeModelForPool({
    model,
    modelVersion,
    pool,
    maxModelLen,
    gpuMemoryUtilization,
    // What vLLM needs to start: the weights plus the KV cache of one sequence
    // of maxModelLen tokens. --max-num-seqs is a ceiling, not a reservation:
    // vLLM gives the KV cache whatever memory is left and batches as many
    // sequences as fit, so sizing for all of them would over-ask GPUs.
    concurrentSequences: 1,
  });
  return {
    endpointName,
    /** The workload's name: the endpoint's kubernetes-id, else its name. */
    name:
      endpoint.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ?? endpointName,
    namespace: spec.namespace,
    resources: spec.resources,
    runtime,
    modelVersion,
    version,
    maxModelLen,
    gpuMemoryUtilization,
    sizing: sized.ok ? sized.sizing : undefined,
    /** Render warnings so far (a version that could not be sized). */
    warnings: sized.ok ? [] : [`Not sized: ${sized.message}.`],
  };
}

import type { Entity } from '@backstage/catalog-model';
import {
  AI_PLATFORM_API_VERSION,
  DEFAULT_GPU_RESOURCE_NAME,
} from '../constants';
import type {
  GpuPoolEntityV1alpha1,
  GpuPoolGpu,
} from './GpuPoolEntityV1alpha1';
import type {
  InferenceEndpointEntityV1alpha1,
  InferenceEndpointResources,
} from './InferenceEndpointEntityV1alpha1';
import type { ModelEntityV1alpha1 } from './ModelEntityV1alpha1';

// The type guards and spec helpers of our kinds, apart from their JSON
// schemas and validators: this module imports nothing but constants (and
// types), so a frontend chunk that only needs `isGpuPoolEntity` does not
// carry the schemas and the validation code (the package has
// `sideEffects: false`, so bundlers leave the kind modules out).

/** Type guard for the Model kind. */
export function isModelEntity(entity: Entity): entity is ModelEntityV1alpha1 {
  return (
    entity.apiVersion === AI_PLATFORM_API_VERSION && entity.kind === 'Model'
  );
}

/** Type guard for the InferenceEndpoint kind. */
export function isInferenceEndpointEntity(
  entity: Entity,
): entity is InferenceEndpointEntityV1alpha1 {
  return (
    entity.apiVersion === AI_PLATFORM_API_VERSION &&
    entity.kind === 'InferenceEndpoint'
  );
}

/** Type guard for the GpuPool kind. */
export function isGpuPoolEntity(
  entity: Entity,
): entity is GpuPoolEntityV1alpha1 {
  return (
    entity.apiVersion === AI_PLATFORM_API_VERSION && entity.kind === 'GpuPool'
  );
}

/**
 * GPUs an endpoint needs on its pool: `gpusPerReplica x maxReplicas`, or
 * `x replicas` when no autoscaling is set. Quotas and capacity reserve this
 * worst case everywhere.
 */
export function gpusNeeded(resources: InferenceEndpointResources): number {
  const replicas = Math.max(resources.replicas, resources.maxReplicas ?? 0);
  return resources.gpusPerReplica * replicas;
}

/** GPUs per node of a pool (defaults to the pool's count). */
export function gpusPerNode(gpu: GpuPoolGpu): number {
  return gpu.perNode ?? gpu.count;
}

/** The extended resource a pool's workloads request (default `nvidia.com/gpu`). */
export function gpuResourceName(gpu: GpuPoolGpu): string {
  return gpu.resourceName ?? DEFAULT_GPU_RESOURCE_NAME;
}

/**
 * Whether a failed rollout of an endpoint is rolled back on its own:
 * `spec.rollout.autoRollback`, by default on for lifecycle `production`
 * and off otherwise.
 */
export function autoRollbackEnabled(
  endpoint: Pick<InferenceEndpointEntityV1alpha1, 'spec'>,
): boolean {
  return (
    endpoint.spec.rollout?.autoRollback ??
    endpoint.spec.lifecycle === 'production'
  );
}

import type { GpuPoolEntityV1alpha1 } from '../kinds/GpuPoolEntityV1alpha1';
import { gpusPerNode } from '../kinds/guards';
import type {
  ModelEntityV1alpha1,
  ModelVersion,
} from '../kinds/ModelEntityV1alpha1';
import { estimateGpuSizing, type GpuSizing } from './estimateGpuSizing';

/** What to size, in catalog terms. */
export type SizeModelForPoolOptions = {
  model: ModelEntityV1alpha1;
  /** A name from the model's spec.versions. */
  modelVersion: string;
  pool: GpuPoolEntityV1alpha1;
  /** --max-model-len; defaults to the model's spec.contextLength. */
  maxModelLen?: number;
  /** Full-length sequences that must fit at once. @default 1 */
  concurrentSequences?: number;
  /** --gpu-memory-utilization. @default 0.9 */
  gpuMemoryUtilization?: number;
};

/** The answer of {@link sizeModelForPool}: the sizing, or why there is none. */
export type ModelPoolSizing =
  | { ok: true; version: ModelVersion; sizing: GpuSizing }
  | { ok: false; version?: ModelVersion; field: string; message: string };

/**
 * Sizes a Model version on a GpuPool: looks up the version, its dtype or
 * quantization, the model's parameters and architecture and the pool's GPU
 * memory and GPUs per node, then runs {@link estimateGpuSizing}. Missing
 * inputs are answered with the field that lacks them.
 */
export function sizeModelForPool(
  options: SizeModelForPoolOptions,
): ModelPoolSizing {
  const { model, pool } = options;
  const version = model.spec.versions.find(
    v => v.name === options.modelVersion,
  );
  if (!version) {
    return {
      ok: false,
      field: 'modelVersion',
      message: `Model ${model.metadata.name} has no version "${
        options.modelVersion
      }"; it has ${model.spec.versions.map(v => v.name).join(', ')}`,
    };
  }
  if (model.spec.parameters === undefined) {
    return {
      ok: false,
      version,
      field: 'spec.parameters',
      message: `Model ${model.metadata.name} does not say its size (spec.parameters, in billions), so it cannot be sized`,
    };
  }
  const maxModelLen = options.maxModelLen ?? model.spec.contextLength;
  if (maxModelLen === undefined) {
    return {
      ok: false,
      version,
      field: 'maxModelLen',
      message: `Give maxModelLen: model ${model.metadata.name} has no spec.contextLength to default to`,
    };
  }
  const sizing = estimateGpuSizing({
    parametersBillions: model.spec.parameters,
    dtype: version.dtype,
    quantization: version.quantization,
    architecture: model.spec.architecture,
    maxModelLen,
    concurrentSequences: options.concurrentSequences,
    // An fp8-quantized checkpoint keeps its KV cache in 16 bits unless told otherwise.
    kvCacheBytes: 2,
    gpuMemoryUtilization: options.gpuMemoryUtilization,
    gpuMemoryGiB: pool.spec.gpu.memoryGiB,
    gpusPerNode: gpusPerNode(pool.spec.gpu),
  });
  return { ok: true, version, sizing };
}

import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  gpusPerNode,
  isGpuPoolEntity,
  isModelEntity,
  sizeModelForPool,
} from '@internal/plugin-ai-platform-common';
import { canonicalRef } from '../fleet/FleetSource';
import { READ_ONLY } from './common';

/**
 * `size-model-version-for-pool`: what `POST /sizing` answers (open to every
 * signed-in user, so visible to them too), with the inputs the arithmetic
 * used.
 */
export function registerSizeModelForPoolAction(options: {
  actionsRegistry: ActionsRegistryService;
  catalog: CatalogService;
}) {
  const { actionsRegistry, catalog } = options;

  actionsRegistry.register({
    name: 'size-model-version-for-pool',
    title: 'Size a model version for a GPU pool',
    description:
      "Estimates the GPU memory of serving a Model version with vLLM on a GpuPool's GPUs and the tensor-parallel size (GPUs per replica) that fits on one node: weights (parameters x bytes per parameter of the version's dtype or quantization), KV cache (2 x layers x KV heads x head dim x 2 bytes per token, for the concurrent sequences of maxModelLen tokens), a runtime overhead per GPU, against the GPU memory vLLM may use. Answers whether it fits and why, one sentence per step. The same estimate as the portal's sizing and the deployment check.",
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          model: z
            .string()
            .describe(
              'Model entity ref, e.g. model:default/llama-3-1-70b-instruct',
            ),
          version: z
            .string()
            .describe('Version name from the Model spec.versions, e.g. v1'),
          pool: z
            .string()
            .describe(
              'GpuPool entity ref, e.g. gpupool:default/h100-inference',
            ),
          maxModelLen: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(
              "--max-model-len in tokens (default: the model's spec.contextLength)",
            ),
          concurrentSequences: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(
              'Full-length sequences that must fit in the KV cache at once (default 1)',
            ),
          gpuMemoryUtilization: z
            .number()
            .gt(0)
            .max(1)
            .optional()
            .describe('--gpu-memory-utilization (default 0.9)'),
        }),
      output: z =>
        z.object({
          model: z.string(),
          version: z.string(),
          pool: z.string(),
          inputs: z
            .object({
              parametersBillions: z.number(),
              dtype: z.string().optional(),
              quantization: z.string().optional(),
              maxModelLen: z.number(),
              gpuProduct: z.string(),
              gpuMemoryGiB: z.number(),
              gpusPerNode: z.number(),
            })
            .describe('What the estimate used, from the Model and GpuPool'),
          fits: z.boolean(),
          tensorParallelSize: z
            .number()
            .optional()
            .describe(
              'GPUs per replica: the smallest power of two on one node that holds the model; absent when it does not fit',
            ),
          perGpu: z
            .object({
              weightsGiB: z.number(),
              kvCacheGiB: z.number(),
              overheadGiB: z.number(),
              totalGiB: z.number(),
              usableGiB: z.number(),
            })
            .optional()
            .describe('Memory of each GPU of one replica, when it fits'),
          weightsGiB: z.number().describe('Weights of the whole replica'),
          kvCacheGiB: z.number().describe('KV cache of the whole replica'),
          kvBytesPerToken: z.number(),
          maxConcurrentSequences: z
            .number()
            .optional()
            .describe(
              'Full-length sequences the leftover memory holds at this size',
            ),
          architectureSource: z.enum(['spec.architecture', 'fallback']),
          explanation: z
            .array(z.string())
            .describe('The arithmetic in words, one sentence per step'),
        }),
    },
    examples: [
      {
        title: 'Llama 3.1 70B on H100s with a 32k context',
        description: 'Fits with tensor parallelism 4.',
        input: {
          model: 'model:default/llama-3-1-70b-instruct',
          version: 'v1',
          pool: 'gpupool:default/h100-inference',
          maxModelLen: 32768,
        },
        output: {
          model: 'model:default/llama-3-1-70b-instruct',
          version: 'v1',
          pool: 'gpupool:default/h100-inference',
          inputs: {
            parametersBillions: 70.6,
            dtype: 'bfloat16',
            maxModelLen: 32768,
            gpuProduct: 'NVIDIA-H100-80GB-HBM3',
            gpuMemoryGiB: 80,
            gpusPerNode: 8,
          },
          fits: true,
          tensorParallelSize: 4,
          perGpu: {
            weightsGiB: 32.88,
            kvCacheGiB: 2.5,
            overheadGiB: 3.14,
            totalGiB: 38.52,
            usableGiB: 72,
          },
          weightsGiB: 131.5,
          kvCacheGiB: 10,
          kvBytesPerToken: 327680,
          maxConcurrentSequences: 14,
          architectureSource: 'spec.architecture',
          explanation: [
            'Weights: 70.6B parameters in bfloat16 (2 bytes each) take 131.5 GiB.',
            'KV cache: 80 layers x 8 KV heads x 128 head dim x 2 (K and V) x 2 bytes = 320 KiB per token; 1 sequence of 32768 tokens take 10 GiB.',
            'vLLM may use 90% of each 80 GiB GPU: 72 GiB.',
            'With tensor parallelism 4, each GPU holds 32.88 GiB of weights, 2.5 GiB of KV cache and about 3.14 GiB of runtime overhead: 38.52 of 72 GiB.',
            'So one replica uses 4 GPUs, and its KV cache room holds about 14 full-length sequences at once.',
          ],
        },
      },
      {
        title: 'Llama 3.1 70B on L4s at its full context',
        description: 'Does not fit, and says why.',
        input: {
          model: 'model:default/llama-3-1-70b-instruct',
          version: 'v1',
          pool: 'gpupool:default/l4-inference',
        },
        output: {
          model: 'model:default/llama-3-1-70b-instruct',
          version: 'v1',
          pool: 'gpupool:default/l4-inference',
          inputs: {
            parametersBillions: 70.6,
            dtype: 'bfloat16',
            maxModelLen: 131072,
            gpuProduct: 'NVIDIA-L4',
            gpuMemoryGiB: 24,
            gpusPerNode: 4,
          },
          fits: false,
          weightsGiB: 131.5,
          kvCacheGiB: 40,
          kvBytesPerToken: 327680,
          architectureSource: 'spec.architecture',
          explanation: [
            'Weights: 70.6B parameters in bfloat16 (2 bytes each) take 131.5 GiB.',
            'KV cache: 80 layers x 8 KV heads x 128 head dim x 2 (K and V) x 2 bytes = 320 KiB per token; 1 sequence of 131072 tokens take 40 GiB.',
            'vLLM may use 90% of each 24 GiB GPU: 21.6 GiB.',
            'It does not fit: even 4 GPUs of one node give 86.4 GiB, and the model needs about 177.5 GiB. Use a pool with larger GPUs or more GPUs per node, a quantized version, or a shorter maxModelLen.',
          ],
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const modelRef = canonicalRef(input.model, 'Model');
      const poolRef = canonicalRef(input.pool, 'GpuPool');
      const [model, pool] = await Promise.all([
        catalog.getEntityByRef(modelRef, { credentials }),
        catalog.getEntityByRef(poolRef, { credentials }),
      ]);
      if (!model || !isModelEntity(model)) {
        throw new NotFoundError(`${modelRef} is not in the catalog`);
      }
      if (!pool || !isGpuPoolEntity(pool)) {
        throw new NotFoundError(`${poolRef} is not in the catalog`);
      }
      const sized = sizeModelForPool({
        model,
        modelVersion: input.version,
        pool,
        maxModelLen: input.maxModelLen,
        concurrentSequences: input.concurrentSequences,
        gpuMemoryUtilization: input.gpuMemoryUtilization,
      });
      if (!sized.ok) {
        throw new InputError(`${sized.field}: ${sized.message}`);
      }
      const { sizing, version } = sized;
      return {
        output: {
          model: modelRef,
          version: version.name,
          pool: poolRef,
          inputs: {
            parametersBillions: model.spec.parameters!,
            dtype: version.dtype,
            quantization: version.quantization,
            maxModelLen: input.maxModelLen ?? model.spec.contextLength!,
            gpuProduct: pool.spec.gpu.product,
            gpuMemoryGiB: pool.spec.gpu.memoryGiB,
            gpusPerNode: gpusPerNode(pool.spec.gpu),
          },
          fits: sizing.fits,
          tensorParallelSize: sizing.tensorParallelSize,
          perGpu: sizing.perGpu,
          weightsGiB: sizing.weightsGiB,
          kvCacheGiB: sizing.kvCacheGiB,
          kvBytesPerToken: sizing.kvBytesPerToken,
          maxConcurrentSequences: sizing.maxConcurrentSequences,
          architectureSource: sizing.architectureSource,
          explanation: sizing.explanation,
        },
      };
    },
  });
}

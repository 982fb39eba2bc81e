import type { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { AiPlatformClient } from '@internal/plugin-ai-platform-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { describeError } from './describeError';
import { examples } from './createModelSizeAction.examples';
import { initiatorToken } from './initiatorToken';

/**
 * `ai-platform:model:size`: estimates the GPU memory of serving a model
 * version on a pool (weights, KV cache for maxModelLen, overhead) and the
 * tensor-parallel size, through `POST /api/ai-platform/sizing` as the user
 * who runs the template. Fails with the explanation when the model does not
 * fit, unless `allowNoFit` is set.
 */
export function createModelSizeAction(options: {
  client: AiPlatformClient;
  auth: AuthService;
}) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'ai-platform:model:size',
    description:
      'Sizes a Model version on a GpuPool: GPU memory per GPU (weights, KV cache, overhead) and the tensor-parallel size, with a plain explanation',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        model: z =>
          z
            .string()
            .min(1)
            .describe('Model entity ref, e.g. model:default/llama-3-1-8b'),
        modelVersion: z =>
          z.string().min(1).describe("One of the model's spec.versions[].name"),
        pool: z =>
          z
            .string()
            .min(1)
            .describe('GpuPool entity ref, e.g. gpupool:default/l4-inference'),
        maxModelLen: z =>
          z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(
              "vLLM --max-model-len in tokens; defaults to the model's spec.contextLength",
            ),
        concurrentSequences: z =>
          z
            .number()
            .int()
            .min(1)
            .optional()
            .describe(
              'Full-length sequences that must fit in the KV cache at once (default 1)',
            ),
        gpuMemoryUtilization: z =>
          z
            .number()
            .gt(0)
            .max(1)
            .optional()
            .describe('vLLM --gpu-memory-utilization (default 0.9)'),
        allowNoFit: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Do not fail when the model does not fit; output fits: false and the explanation instead',
            ),
      },
      output: {
        fits: z =>
          z
            .boolean()
            .describe('Whether one replica fits on one node of the pool'),
        tensorParallelSize: z =>
          z
            .number()
            .optional()
            .describe('Smallest power-of-two tensor-parallel size that fits'),
        gpusPerReplica: z =>
          z
            .number()
            .optional()
            .describe('GPUs one replica needs (the tensor-parallel size)'),
        perGpu: z =>
          z
            .object({
              weightsGiB: z.number(),
              kvCacheGiB: z.number(),
              overheadGiB: z.number(),
              totalGiB: z.number(),
              usableGiB: z.number(),
            })
            .optional()
            .describe(
              'Per GPU of one replica, GiB: weights, KV cache, runtime overhead, their total, and what vLLM may use',
            ),
        weightsGiB: z =>
          z.number().describe('Weights of the whole replica, GiB'),
        kvCacheGiB: z =>
          z.number().describe('KV cache of the whole replica, GiB'),
        maxConcurrentSequences: z =>
          z
            .number()
            .optional()
            .describe('Full-length sequences the leftover memory holds'),
        explanation: z =>
          z
            .string()
            .describe('The estimate in plain language, one sentence per step'),
      },
    },
    async handler(ctx) {
      const { allowNoFit, ...request } = ctx.input;
      const token = await initiatorToken({ ctx, auth });
      let sizing;
      try {
        ({ sizing } = await client.size(request, { token }));
      } catch (error) {
        throw new InputError(
          `Cannot size ${request.model} ${request.modelVersion} on ${
            request.pool
          }: ${describeError(error)}`,
        );
      }
      const explanation = sizing.explanation.join(' ');
      for (const line of sizing.explanation) {
        ctx.logger.info(line);
      }
      if (!sizing.fits && !allowNoFit) {
        throw new InputError(
          `${request.model} ${request.modelVersion} does not fit on ${request.pool}. ${explanation}`,
        );
      }
      ctx.output('fits', sizing.fits);
      if (sizing.tensorParallelSize !== undefined) {
        ctx.output('tensorParallelSize', sizing.tensorParallelSize);
        ctx.output('gpusPerReplica', sizing.tensorParallelSize);
      }
      if (sizing.perGpu) {
        ctx.output('perGpu', sizing.perGpu);
      }
      ctx.output('weightsGiB', sizing.weightsGiB);
      ctx.output('kvCacheGiB', sizing.kvCacheGiB);
      if (sizing.maxConcurrentSequences !== undefined) {
        ctx.output('maxConcurrentSequences', sizing.maxConcurrentSequences);
      }
      ctx.output('explanation', explanation);
    },
  });
}

import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { estimateGpuSizing } from '@internal/plugin-ai-platform-common';
import type { AiPlatformClient } from '@internal/plugin-ai-platform-node';
import yaml from 'yaml';
import { createModelSizeAction } from './createModelSizeAction';
import { examples } from './createModelSizeAction.examples';

const l4 = { gpuMemoryGiB: 24, gpusPerNode: 4 };
const llama8b = { layers: 32, kvHeads: 8, headDim: 128 };

function setup(size: jest.Mock) {
  const client = { size } as unknown as AiPlatformClient;
  const action = createModelSizeAction({ client, auth: mockServices.auth() });
  return { action };
}

function contextFor(input: Record<string, unknown>) {
  return createMockActionContext({ input: input as any });
}

describe('ai-platform:model:size', () => {
  it('outputs the tensor-parallel size, the numbers per GPU and the explanation', async () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 8.03,
      architecture: llama8b,
      maxModelLen: 8192,
      ...l4,
    });
    const size = jest.fn(async (request: any) => ({ ...request, sizing }));
    const { action } = setup(size);
    const ctx = contextFor({
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      pool: 'gpupool:default/l4-inference',
      maxModelLen: 8192,
    });
    await action.handler(ctx);

    expect(size).toHaveBeenCalledWith(
      {
        model: 'model:default/llama-3-1-8b-instruct',
        modelVersion: 'v2',
        pool: 'gpupool:default/l4-inference',
        maxModelLen: 8192,
      },
      {
        // A token on behalf of the user who runs the task, for ai-platform.
        token: mockCredentials.service.token({
          onBehalfOf: await ctx.getInitiatorCredentials(),
          targetPluginId: 'ai-platform',
        }),
      },
    );
    expect(ctx.output).toHaveBeenCalledWith('fits', true);
    expect(ctx.output).toHaveBeenCalledWith('tensorParallelSize', 1);
    expect(ctx.output).toHaveBeenCalledWith('gpusPerReplica', 1);
    expect(ctx.output).toHaveBeenCalledWith('perGpu', sizing.perGpu);
    expect(ctx.output).toHaveBeenCalledWith(
      'explanation',
      expect.stringContaining('With tensor parallelism 1'),
    );
  });

  it('fails with the explanation when the model does not fit', async () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 70.6,
      architecture: { layers: 80, kvHeads: 8, headDim: 128 },
      maxModelLen: 8192,
      ...l4,
    });
    const { action } = setup(jest.fn(async () => ({ sizing })));
    const input = {
      model: 'model:default/llama-3-1-70b-instruct',
      modelVersion: 'v1',
      pool: 'gpupool:default/l4-inference',
    };
    await expect(action.handler(contextFor(input))).rejects.toThrow(
      /model:default\/llama-3-1-70b-instruct v1 does not fit on gpupool:default\/l4-inference\. .*It does not fit: even 4 GPUs of one node give 86.4 GiB/,
    );

    const ctx = contextFor({ ...input, allowNoFit: true });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('fits', false);
    expect(ctx.output).not.toHaveBeenCalledWith(
      'tensorParallelSize',
      expect.anything(),
    );
  });

  it("fails with the server's message when the model cannot be sized", async () => {
    const answer = new Response(
      JSON.stringify({
        error: {
          name: 'InputError',
          message:
            'spec.parameters: Model m does not say its size (spec.parameters, in billions), so it cannot be sized',
        },
        request: { method: 'POST', url: '/sizing' },
        response: { statusCode: 400 },
      }),
      { status: 400, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(answer);
    const { action } = setup(jest.fn().mockRejectedValue(error));
    await expect(
      action.handler(
        contextFor({
          model: 'model:default/m',
          modelVersion: 'v1',
          pool: 'gpupool:default/l4-inference',
        }),
      ),
    ).rejects.toThrow(
      'Cannot size model:default/m v1 on gpupool:default/l4-inference: spec.parameters: Model m does not say its size (spec.parameters, in billions), so it cannot be sized (HTTP 400)',
    );
  });

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the example: %s',
    async (_description, example) => {
      const sizing = estimateGpuSizing({
        parametersBillions: 8.03,
        architecture: llama8b,
        maxModelLen: 8192,
        concurrentSequences: 4,
        ...l4,
      });
      const size = jest.fn(async () => ({ sizing }));
      const { action } = setup(size);
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = contextFor(step.input);
      await action.handler(ctx);
      expect(size).toHaveBeenCalledWith(
        expect.objectContaining({ model: step.input.model }),
        expect.anything(),
      );
      expect(ctx.output).toHaveBeenCalledWith('fits', true);
    },
  );
});

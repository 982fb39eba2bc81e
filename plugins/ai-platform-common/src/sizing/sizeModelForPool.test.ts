import type { GpuPoolEntityV1alpha1 } from '../kinds/GpuPoolEntityV1alpha1';
import type { ModelEntityV1alpha1 } from '../kinds/ModelEntityV1alpha1';
import { sizeModelForPool } from './sizeModelForPool';

const model: ModelEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'llama-3-1-70b-instruct' },
  spec: {
    type: 'llm',
    owner: 'group:default/applied-ml',
    lifecycle: 'production',
    parameters: 70.6,
    contextLength: 131072,
    architecture: { layers: 80, kvHeads: 8, headDim: 128 },
    versions: [
      { name: 'v1', stage: 'production', dtype: 'bfloat16' },
      { name: 'v1-fp8', stage: 'staging', quantization: 'fp8' },
    ],
  },
};

const h100: GpuPoolEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'GpuPool',
  metadata: { name: 'h100' },
  spec: {
    type: 'shared',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    cluster: 'gpu-us-east',
    gpu: {
      product: 'NVIDIA-H100-80GB-HBM3',
      memoryGiB: 80,
      count: 32,
      perNode: 8,
    },
  },
};

describe('sizeModelForPool', () => {
  it('sizes a version with its own dtype or quantization on the pool GPUs', () => {
    const bf16 = sizeModelForPool({
      model,
      modelVersion: 'v1',
      pool: h100,
      maxModelLen: 32768,
    });
    const fp8 = sizeModelForPool({
      model,
      modelVersion: 'v1-fp8',
      pool: h100,
      maxModelLen: 32768,
    });
    expect(bf16.ok && bf16.sizing.tensorParallelSize).toBe(4);
    expect(fp8.ok && fp8.sizing.tensorParallelSize).toBe(2);
  });

  it('defaults maxModelLen to the context length', () => {
    const sized = sizeModelForPool({ model, modelVersion: 'v1', pool: h100 });
    expect(sized.ok && sized.sizing.explanation[1]).toContain('131072 tokens');
  });

  it('names what is missing', () => {
    expect(sizeModelForPool({ model, modelVersion: 'v9', pool: h100 })).toEqual(
      {
        ok: false,
        field: 'modelVersion',
        message:
          'Model llama-3-1-70b-instruct has no version "v9"; it has v1, v1-fp8',
      },
    );
    const unsized = {
      ...model,
      spec: { ...model.spec, parameters: undefined },
    };
    expect(
      sizeModelForPool({ model: unsized, modelVersion: 'v1', pool: h100 }),
    ).toMatchObject({
      ok: false,
      field: 'spec.parameters',
    });
    const noContext = {
      ...model,
      spec: { ...model.spec, contextLength: undefined },
    };
    expect(
      sizeModelForPool({ model: noContext, modelVersion: 'v1', pool: h100 }),
    ).toMatchObject({
      ok: false,
      field: 'maxModelLen',
    });
  });
});

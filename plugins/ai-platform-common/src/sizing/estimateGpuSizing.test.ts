import { estimateGpuSizing } from './estimateGpuSizing';

const GB = 1e9;
const GiB = 1024 ** 3;
const llama8b = { layers: 32, kvHeads: 8, headDim: 128, hiddenSize: 4096 };
const llama70b = { layers: 80, kvHeads: 8, headDim: 128, hiddenSize: 8192 };

/**
 * Published figures. Hugging Face, "Llama 3.1 - 405B, 70B & 8B with
 * multilinguality and long context" (July 2024), section "Inference memory
 * requirements": weights of 8B are 16 GB in FP16, 8 GB in FP8, 4 GB in INT4;
 * of 70B 140 / 70 / 35 GB; the FP16 KV cache of 128k tokens is 15.62 GB for
 * 8B and 39.06 GB for 70B (computed with 128,000 tokens and 1024^3 bytes per
 * GB). Mistral 7B v0.3: the Hugging Face repository
 * mistralai/Mistral-7B-v0.3 ships its 7.25 B parameters as BF16 safetensors
 * in three shards (model-0000{1,2,3}-of-00003.safetensors, 4.95 + 5.00 +
 * 4.55 GB), 14.5 GB in all, the size its "Files and versions" tab lists.
 */
describe('estimateGpuSizing against published memory figures', () => {
  it.each([
    ['Llama 3.1 8B', 8.03, 'bfloat16', 16],
    ['Llama 3.1 8B', 8.03, 'fp8', 8],
    ['Llama 3.1 8B', 8.03, 'int4', 4],
    ['Llama 3.1 70B', 70.6, 'bfloat16', 140],
    ['Llama 3.1 70B', 70.6, 'fp8', 70],
    ['Mistral 7B v0.3', 7.25, 'bfloat16', 14.5],
  ] as const)(
    '%s in %s weighs about %d GB',
    (_name, params, format, publishedGB) => {
      const sizing = estimateGpuSizing({
        parametersBillions: params,
        ...(format === 'bfloat16'
          ? { dtype: format }
          : { quantization: format }),
        maxModelLen: 1024,
        gpuMemoryGiB: 80,
        gpusPerNode: 8,
      });
      const estimatedGB = (sizing.weightsGiB * GiB) / GB;
      expect(Math.abs(estimatedGB - publishedGB) / publishedGB).toBeLessThan(
        0.03,
      );
    },
  );

  it.each([
    ['Llama 3.1 8B', llama8b, 15.62],
    ['Llama 3.1 70B', llama70b, 39.06],
  ])(
    '%s needs %d GiB of FP16 KV cache for 128,000 tokens',
    (_name, architecture, published) => {
      const sizing = estimateGpuSizing({
        parametersBillions: 8,
        architecture,
        maxModelLen: 128_000,
        gpuMemoryGiB: 80,
        gpusPerNode: 8,
      });
      expect(sizing.kvCacheGiB).toBeCloseTo(published, 1);
    },
  );
});

describe('estimateGpuSizing', () => {
  it('fits an 8B model on one L4 at 8k context, and explains why', () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 8.03,
      dtype: 'bfloat16',
      architecture: llama8b,
      maxModelLen: 8192,
      gpuMemoryGiB: 24,
      gpusPerNode: 4,
    });
    expect(sizing).toMatchObject({
      fits: true,
      tensorParallelSize: 1,
      architectureSource: 'spec.architecture',
      kvBytesPerToken: 131072,
    });
    expect(sizing.perGpu!.totalGiB).toBeLessThanOrEqual(
      sizing.perGpu!.usableGiB,
    );
    expect(sizing.maxConcurrentSequences).toBeGreaterThanOrEqual(1);
    expect(sizing.explanation.join(' ')).toContain('With tensor parallelism 1');
  });

  it('picks tensor parallelism 4 for a 70B model on H100s at 32k context', () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 70.6,
      dtype: 'bfloat16',
      architecture: llama70b,
      maxModelLen: 32768,
      concurrentSequences: 8,
      gpuMemoryGiB: 80,
      gpusPerNode: 8,
    });
    expect(sizing.fits).toBe(true);
    expect(sizing.tensorParallelSize).toBe(4);
  });

  it('refuses a 70B model on a pool of 24 GiB GPUs, four per node, with a clear message', () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 70.6,
      dtype: 'bfloat16',
      architecture: llama70b,
      maxModelLen: 8192,
      gpuMemoryGiB: 24,
      gpusPerNode: 4,
    });
    expect(sizing.fits).toBe(false);
    expect(sizing.tensorParallelSize).toBeUndefined();
    expect(sizing.explanation[sizing.explanation.length - 1]).toMatch(
      /^It does not fit: even 4 GPUs of one node give 86.4 GiB/,
    );
  });

  it('falls back to a typical shape without spec.architecture, and says so', () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 7,
      dtype: 'float16',
      maxModelLen: 4096,
      gpuMemoryGiB: 24,
      gpusPerNode: 1,
    });
    expect(sizing.architectureSource).toBe('fallback');
    expect(sizing.kvBytesPerToken).toBe(2 * 40 * 8 * 128 * 2);
    expect(sizing.explanation[1]).toContain(
      'a typical shape for its size was assumed',
    );
  });
});

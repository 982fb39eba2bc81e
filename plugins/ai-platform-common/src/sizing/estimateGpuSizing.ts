import type {
  ModelArchitecture,
  ModelDtype,
  ModelQuantization,
} from '../kinds/ModelEntityV1alpha1';

const GiB = 1024 ** 3;

/** Bytes per weight for each dtype or quantization (4-bit formats with scales). */
const BYTES_PER_PARAMETER: Record<ModelDtype | ModelQuantization, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  fp8: 1,
  int8: 1,
  int4: 0.5,
  awq: 0.53,
  gptq: 0.53,
  bitsandbytes: 0.53,
  gguf: 0.56,
};

/**
 * The fallback transformer shape when a Model has no spec.architecture: most
 * current open LLMs use grouped-query attention with 8 KV heads of dimension
 * 128; the layer count grows with size. This errs on the large side for small
 * models, so the estimate stays conservative.
 */
export function fallbackArchitecture(
  parametersBillions: number,
): ModelArchitecture {
  let layers = 80;
  if (parametersBillions <= 1) layers = 24;
  else if (parametersBillions <= 4) layers = 28;
  else if (parametersBillions <= 14) layers = 40;
  else if (parametersBillions <= 35) layers = 64;
  return { layers, kvHeads: 8, headDim: 128 };
}

/** What to size: the model, the serving settings and the pool's GPUs. */
export type GpuSizingInput = {
  /** Parameters in billions (Model spec.parameters). */
  parametersBillions: number;
  dtype?: ModelDtype;
  quantization?: ModelQuantization;
  architecture?: ModelArchitecture;
  /** --max-model-len, in tokens. */
  maxModelLen: number;
  /** Sequences of maxModelLen tokens that must fit in the KV cache at once. @default 1 */
  concurrentSequences?: number;
  /** Bytes per KV-cache element (2 for fp16/bf16, 1 for an fp8 KV cache). @default 2 */
  kvCacheBytes?: number;
  /** --gpu-memory-utilization. @default 0.9 */
  gpuMemoryUtilization?: number;
  /** Memory of one GPU (or MIG slice) of the pool, GiB. */
  gpuMemoryGiB: number;
  /** GPUs per node of the pool: a replica cannot span nodes. */
  gpusPerNode: number;
};

/** The numbers behind a sizing, per GPU of one replica, in GiB. */
export type GpuSizingBreakdown = {
  weightsGiB: number;
  kvCacheGiB: number;
  overheadGiB: number;
  totalGiB: number;
  usableGiB: number;
};

/** The answer: a tensor-parallel size that fits, or why none does. */
export type GpuSizing = {
  fits: boolean;
  /** Smallest power of two of GPUs on one node that holds the model; also GPUs per replica. */
  tensorParallelSize?: number;
  perGpu?: GpuSizingBreakdown;
  /** Whole-replica totals, GiB. */
  weightsGiB: number;
  kvCacheGiB: number;
  /** KV-cache bytes per token (all layers, K and V). */
  kvBytesPerToken: number;
  /** Sequences of maxModelLen that the leftover memory holds at this size. */
  maxConcurrentSequences?: number;
  architectureSource: 'spec.architecture' | 'fallback';
  /** Plain-language explanation, one sentence per step. */
  explanation: string[];
};

/**
 * Estimates the GPU memory of serving a model with vLLM: weights
 * (parameters x bytes per parameter), KV cache (2 x layers x KV heads x head
 * dim x bytes per element, per token, for the concurrent sequences of
 * maxModelLen) and a runtime overhead per GPU (CUDA context, activations and
 * CUDA graphs: 1.5 GiB plus 5% of the weights on that GPU), against the
 * GPU memory vLLM may use (memory x gpuMemoryUtilization). Picks the
 * smallest power-of-two tensor-parallel size that fits on one node, or says
 * why none does.
 */
export function estimateGpuSizing(input: GpuSizingInput): GpuSizing {
  const utilization = input.gpuMemoryUtilization ?? 0.9;
  const sequences = input.concurrentSequences ?? 1;
  const kvBytes = input.kvCacheBytes ?? 2;
  const format = input.quantization ?? input.dtype ?? 'bfloat16';
  const bytesPerParameter = BYTES_PER_PARAMETER[format];
  const architectureSource = input.architecture
    ? 'spec.architecture'
    : 'fallback';
  const arch =
    input.architecture ?? fallbackArchitecture(input.parametersBillions);

  const weightsBytes = input.parametersBillions * 1e9 * bytesPerParameter;
  const kvBytesPerToken =
    2 * arch.layers * arch.kvHeads * arch.headDim * kvBytes;
  const kvCacheBytes = kvBytesPerToken * input.maxModelLen * sequences;
  const usableGiB = input.gpuMemoryGiB * utilization;
  const round = (n: number) => Math.round(n * 100) / 100;

  const explanation = [
    `Weights: ${
      input.parametersBillions
    }B parameters in ${format} (${bytesPerParameter} bytes each) take ${round(
      weightsBytes / GiB,
    )} GiB.`,
    `KV cache: ${arch.layers} layers x ${arch.kvHeads} KV heads x ${
      arch.headDim
    } head dim x 2 (K and V) x ${kvBytes} bytes = ${round(
      kvBytesPerToken / 1024,
    )} KiB per token; ${sequences} sequence${sequences === 1 ? '' : 's'} of ${
      input.maxModelLen
    } tokens take ${round(kvCacheBytes / GiB)} GiB${
      architectureSource === 'fallback'
        ? ' (the model has no spec.architecture, so a typical shape for its size was assumed)'
        : ''
    }.`,
    `vLLM may use ${Math.round(utilization * 100)}% of each ${
      input.gpuMemoryGiB
    } GiB GPU: ${round(usableGiB)} GiB.`,
  ];

  for (let tp = 1; tp <= input.gpusPerNode; tp *= 2) {
    const weightsGiB = weightsBytes / tp / GiB;
    const kvCacheGiB = kvCacheBytes / tp / GiB;
    const overheadGiB = 1.5 + 0.05 * weightsGiB;
    const totalGiB = weightsGiB + kvCacheGiB + overheadGiB;
    if (totalGiB <= usableGiB) {
      const leftover = usableGiB - weightsGiB - overheadGiB;
      const perSequenceGiB = (kvBytesPerToken * input.maxModelLen) / tp / GiB;
      const maxConcurrentSequences = Math.floor(leftover / perSequenceGiB);
      explanation.push(
        `With tensor parallelism ${tp}, each GPU holds ${round(
          weightsGiB,
        )} GiB of weights, ${round(
          kvCacheGiB,
        )} GiB of KV cache and about ${round(
          overheadGiB,
        )} GiB of runtime overhead: ${round(totalGiB)} of ${round(
          usableGiB,
        )} GiB.`,
        `So one replica uses ${tp} GPU${
          tp === 1 ? '' : 's'
        }, and its KV cache room holds about ${maxConcurrentSequences} full-length sequences at once.`,
      );
      return {
        fits: true,
        tensorParallelSize: tp,
        perGpu: {
          weightsGiB: round(weightsGiB),
          kvCacheGiB: round(kvCacheGiB),
          overheadGiB: round(overheadGiB),
          totalGiB: round(totalGiB),
          usableGiB: round(usableGiB),
        },
        weightsGiB: round(weightsBytes / GiB),
        kvCacheGiB: round(kvCacheBytes / GiB),
        kvBytesPerToken,
        maxConcurrentSequences,
        architectureSource,
        explanation,
      };
    }
  }
  const largest = 2 ** Math.floor(Math.log2(input.gpusPerNode));
  const needed = (weightsBytes + kvCacheBytes) / GiB;
  explanation.push(
    `It does not fit: even ${largest} GPUs of one node give ${round(
      usableGiB * largest,
    )} GiB, and the model needs about ${round(
      needed + largest * 1.5,
    )} GiB. Use a pool with larger GPUs or more GPUs per node, a quantized version, or a shorter maxModelLen.`,
  );
  return {
    fits: false,
    weightsGiB: round(weightsBytes / GiB),
    kvCacheGiB: round(kvCacheBytes / GiB),
    kvBytesPerToken,
    architectureSource,
    explanation,
  };
}

/**
 * The split of an endpoint's token cost between prompt tokens (prefill) and
 * generated tokens (decode), and the figures derived from it. The rule
 * (docs/cost.md, "Prompt and generation tokens"):
 *
 * - Per endpoint and collector interval, the prompt share of its cost is
 *   the measured prefill time over prefill plus decode time, where vLLM's
 *   `vllm:request_prefill_time_seconds` and `vllm:request_decode_time_seconds`
 *   histograms were read for its pods (`measured`);
 * - otherwise, where its token counts are known, prompt tokens over prompt
 *   tokens plus generated tokens x the generation weight (`weighted`);
 * - an interval with neither (no traffic) is not split: over a window, the
 *   cost of such intervals follows the split of the window's other intervals.
 */

/** What a split rests on. */
export type SplitBasis = 'measured' | 'weighted';

/**
 * Default weight of one generated token against one prompt token when no
 * time is measured. Public per-token price lists charge 3 to 5 times more
 * for output than for input tokens; 4 is their middle.
 */
export const DEFAULT_GENERATION_WEIGHT = 4;

/** One endpoint's interval, as the collector reads it. */
export type SplitInput = {
  promptTokens?: number;
  generationTokens?: number;
  /** Increase of vllm:request_prefill_time_seconds_sum over the interval. */
  prefillSeconds?: number;
  /** Increase of vllm:request_decode_time_seconds_sum over the interval. */
  decodeSeconds?: number;
};

/** The share (0..1) of an interval's cost allotted to prompt tokens; undefined when nothing says. */
export function promptShare(
  input: SplitInput,
  generationWeight: number = DEFAULT_GENERATION_WEIGHT,
): { share: number; basis: SplitBasis } | undefined {
  const { prefillSeconds: prefill, decodeSeconds: decode } = input;
  if (
    prefill !== undefined &&
    decode !== undefined &&
    prefill >= 0 &&
    decode >= 0 &&
    prefill + decode > 0
  ) {
    return { share: prefill / (prefill + decode), basis: 'measured' };
  }
  if (
    input.promptTokens === undefined &&
    input.generationTokens === undefined
  ) {
    return undefined;
  }
  const prompt = Math.max(0, input.promptTokens ?? 0);
  const weighted = Math.max(0, input.generationTokens ?? 0) * generationWeight;
  if (prompt + weighted <= 0) return undefined;
  return { share: prompt / (prompt + weighted), basis: 'weighted' };
}

/** Checks the configured generation weight. */
export function checkGenerationWeight(weight: number | undefined): number {
  if (weight === undefined) return DEFAULT_GENERATION_WEIGHT;
  if (!Number.isFinite(weight) || weight <= 0) {
    throw new Error(
      `aiPlatform.cost.tokenSplit.generationWeight must be a positive number; got ${weight}`,
    );
  }
  return weight;
}

/** The sums of a set of rollup rows the split figures rest on. */
export type SplitSums = {
  /** Cost of the GPU-hours with known token counts. */
  tokenCost: number;
  tokenGpuHours: number;
  promptTokens: number;
  generationTokens: number;
  /** Cost x prompt share, summed over the intervals that were split. */
  promptTokenCost: number;
  /** Cost of the intervals that were split. */
  splitCost: number;
  /** GPU-hours (with known tokens) whose split was measured. */
  splitMeasuredGpuHours: number;
  requests: number;
  /** Cost of the GPU-hours whose requests were counted. */
  requestCost: number;
  cost: number;
};

/** The figures of the split, as CostFigures carries them. */
export type SplitFigures = {
  promptTokenCost?: number;
  generationTokenCost?: number;
  costPerMillionPromptTokens?: number;
  costPerMillionGenerationTokens?: number;
  splitMeasuredShare?: number;
  requests?: number;
  costPerRequest?: number;
  requestCoverage?: number;
};

/**
 * The split of the token cost of a window: the prompt share of the split
 * intervals' cost applied to all of the token cost (so that prompt plus
 * generation cost is the token cost), per 1M tokens of each kind, and the
 * cost per request where requests were counted.
 */
export function splitFigures(s: SplitSums): SplitFigures {
  const out: SplitFigures = {};
  if (s.splitCost > 0 && s.tokenCost > 0) {
    const share = Math.min(1, Math.max(0, s.promptTokenCost / s.splitCost));
    const prompt = s.tokenCost * share;
    const generation = s.tokenCost - prompt;
    out.promptTokenCost = prompt;
    out.generationTokenCost = generation;
    if (s.promptTokens > 0) {
      out.costPerMillionPromptTokens = (prompt / s.promptTokens) * 1e6;
    }
    if (s.generationTokens > 0) {
      out.costPerMillionGenerationTokens =
        (generation / s.generationTokens) * 1e6;
    }
    out.splitMeasuredShare =
      s.tokenGpuHours > 0
        ? Math.min(1, s.splitMeasuredGpuHours / s.tokenGpuHours)
        : 0;
  }
  if (s.requests > 0) {
    out.requests = s.requests;
    out.costPerRequest = s.requestCost / s.requests;
    out.requestCoverage = s.cost > 0 ? Math.min(1, s.requestCost / s.cost) : 0;
  }
  return out;
}

/** The split columns of an export row (one endpoint's day). */
export function exportSplit(s: SplitSums) {
  const f = splitFigures(s);
  return {
    promptTokenCost: f.promptTokenCost,
    generationTokenCost: f.generationTokenCost,
    costPerMillionPromptTokens: f.costPerMillionPromptTokens,
    costPerMillionGenerationTokens: f.costPerMillionGenerationTokens,
    splitMeasuredGpuHours:
      f.promptTokenCost !== undefined ? s.splitMeasuredGpuHours : undefined,
    requests: f.requests,
    costPerRequest: f.costPerRequest,
  };
}

import type { CostFigures } from '@internal/plugin-ai-platform-common';
import {
  formatCurrency,
  formatShare,
} from '@internal/plugin-ai-platform-react';

/**
 * What the split of a token cost between prompt and generated tokens rests
 * on (docs/cost.md, "Prompt and generation tokens"): vLLM's measured
 * prefill and decode time, token counts weighted by the configured ratio,
 * or both in parts.
 */
export function splitBasisText(share: number | undefined): string {
  if (share === undefined) return 'not split';
  if (share >= 0.9995) return 'measured prefill/decode time';
  if (share <= 0.0005) return 'token counts x the generation weight';
  return `${formatShare(
    share,
  )} measured prefill/decode time, the rest token counts x the generation weight`;
}

/** A cost per 1M tokens of one kind, or why there is none. */
export function perMillionText(
  figures: CostFigures,
  value: number | undefined,
): string {
  if (value !== undefined) return formatCurrency(value, figures.currency);
  if (figures.costPerMillionTokens === undefined) return 'no token counts';
  if (figures.splitMeasuredShare === undefined) {
    return 'not split (usage recorded before the split)';
  }
  return 'no tokens of this kind';
}

/** The cost per request and what it covers, or why there is none. */
export function perRequestText(figures: CostFigures): string {
  if (figures.costPerRequest === undefined) {
    return "no request counts (needs vLLM's request counter in Prometheus)";
  }
  const cost = formatCurrency(figures.costPerRequest, figures.currency);
  const coverage = figures.requestCoverage ?? 0;
  return coverage >= 0.9995
    ? cost
    : `${cost} (requests counted for ${formatShare(coverage)} of the cost)`;
}

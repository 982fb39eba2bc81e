import { dayOf, isoSeconds } from './periods';
import { csvTable } from '../lib/csv';
import type { UsageExportRow } from './types';

/** The columns of `toCsv`, in order. */
export const CSV_COLUMNS = [
  'day',
  'period_start',
  'period_end',
  'endpoint_ref',
  'team_ref',
  'model_ref',
  'pool_ref',
  'cluster',
  'currency',
  'gpu_hours',
  'cost',
  'utilization_known_gpu_hours',
  'idle_gpu_hours',
  'idle_cost',
  'token_known_gpu_hours',
  'token_cost',
  'prompt_tokens',
  'generation_tokens',
  'tokens',
  'cost_per_million_tokens',
  'sample_count',
  'prompt_token_cost',
  'generation_token_cost',
  'cost_per_million_prompt_tokens',
  'cost_per_million_generation_tokens',
  'split_measured_gpu_hours',
  'requests',
  'cost_per_request',
] as const;

/**
 * Usage export rows as CSV, one line per endpoint per UTC day. The token
 * split columns (after sample_count, so that readers by position keep
 * working) follow docs/cost.md, "Prompt and generation tokens"; empty where
 * nothing of the day was split or no request was counted.
 */
export function toCsv(rows: UsageExportRow[]): string {
  return csvTable(
    [...CSV_COLUMNS],
    rows.map(r => [
      r.day || dayOf(r.periodStart),
      isoSeconds(r.periodStart),
      isoSeconds(r.periodEnd),
      r.endpointRef,
      r.teamRef,
      r.modelRef,
      r.poolRef,
      r.cluster,
      r.currency,
      r.gpuHours,
      r.cost,
      r.utilizationKnownGpuHours,
      r.idleGpuHours,
      r.idleCost,
      r.tokenKnownGpuHours,
      r.tokenCost,
      r.promptTokens,
      r.generationTokens,
      r.tokens,
      r.costPerMillionTokens,
      r.sampleCount,
      r.promptTokenCost,
      r.generationTokenCost,
      r.costPerMillionPromptTokens,
      r.costPerMillionGenerationTokens,
      r.splitMeasuredGpuHours,
      r.requests,
      r.costPerRequest,
    ]),
  );
}

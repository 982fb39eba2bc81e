import type { UsageExportRow } from '../types';

/** Epoch seconds of a UTC date-time written without the Z. */
export const t = (iso: string) => Date.parse(`${iso}Z`) / 1000;

/** One export row (an H100 endpoint's day), with overrides. */
export const exportRow = (
  extra: Partial<UsageExportRow> = {},
): UsageExportRow => ({
  day: '2026-11-01',
  periodStart: t('2026-11-01T00:00'),
  periodEnd: t('2026-11-02T00:00'),
  endpointRef: 'inferenceendpoint:default/chat',
  teamRef: 'group:default/team-a',
  modelRef: 'model:default/llama',
  poolRef: 'gpupool:default/h100',
  cluster: 'c1',
  currency: 'USD',
  gpuHours: 48,
  cost: 196.8,
  utilizationKnownGpuHours: 24,
  idleGpuHours: 6,
  idleCost: 24.6,
  tokenKnownGpuHours: 48,
  tokenCost: 196.8,
  promptTokens: 1_000_000,
  generationTokens: 200_000,
  tokens: 1_200_000,
  costPerMillionTokens: 164,
  sampleCount: 576,
  // A quarter of the token cost to prompt tokens, three quarters measured.
  promptTokenCost: 49.2,
  generationTokenCost: 147.6,
  costPerMillionPromptTokens: 49.2,
  costPerMillionGenerationTokens: 738,
  splitMeasuredGpuHours: 36,
  requests: 4000,
  costPerRequest: 0.0492,
  ...extra,
});

import { InputError } from '@backstage/errors';
import type { CostFigures } from '@internal/plugin-ai-platform-common';
import type { z as zod } from 'zod/v3';
import { ISO_INSTANT, windowOf } from '../service/costRoutes';

/** The zod the actions registry hands to the schema functions. */
export type Zod = typeof zod;

/** Every ai-platform action only reads; calling one twice answers the same. */
export const READ_ONLY = {
  readOnly: true,
  idempotent: true,
  destructive: false,
};

/** The optional window of the cost actions, as the cost routes take it. */
export const costWindowInput = (z: Zod) => ({
  from: z
    .string()
    .optional()
    .describe(
      'ISO date or date-time with Z or an offset, e.g. 2026-10-01 (default: 30 days before to)',
    ),
  to: z
    .string()
    .optional()
    .describe(
      'ISO date or date-time with Z or an offset, exclusive (default: the end of the current hour)',
    ),
});

/**
 * A cost window in epoch seconds, read like the cost routes read theirs:
 * `to` defaults to the end of the current hour, `from` to 30 days before.
 */
export function costWindow(
  input: { from?: string; to?: string },
  now: () => Date,
): { from: number; to: number } {
  const seconds = (iso: string, field: string) => {
    const t = Date.parse(iso);
    if (!ISO_INSTANT.test(iso) || Number.isNaN(t)) {
      throw new InputError(
        `${field} must be an ISO date or a date-time with Z or an offset, e.g. 2026-11-01 or 2026-11-01T00:00:00Z`,
      );
    }
    return Math.floor(t / 1000);
  };
  const window = windowOf(
    {
      from: input.from ? seconds(input.from, 'from') : undefined,
      to: input.to ? seconds(input.to, 'to') : undefined,
    },
    now,
  );
  if (window.from >= window.to) {
    throw new InputError('from must be before to');
  }
  return window;
}

/** Cost figures of one currency, as the actions answer them. */
export const costFiguresSchema = (z: Zod) =>
  z.object({
    currency: z.string(),
    cost: z.number().describe('GPU-hours x the pool price per GPU-hour'),
    gpuHours: z.number(),
    idleCost: z
      .number()
      .describe('Cost of the idle GPU-hours, where utilisation is known'),
    tokens: z.number(),
    costPerMillionTokens: z.number().optional(),
    costPerMillionPromptTokens: z
      .number()
      .optional()
      .describe(
        'Cost per 1M prompt tokens: the prompt share of the token cost (by measured prefill/decode time, else weighted token counts; docs/cost.md)',
      ),
    costPerMillionGenerationTokens: z
      .number()
      .optional()
      .describe('Cost per 1M generated tokens: the rest of the token cost'),
    splitMeasuredShare: z
      .number()
      .optional()
      .describe(
        'Share (0..1) of the token cost split by measured prefill/decode time rather than weighted token counts',
      ),
    costPerRequest: z
      .number()
      .optional()
      .describe('Cost per request, where vLLM counted requests'),
  });

export function costFigures(figures: CostFigures) {
  return {
    currency: figures.currency,
    cost: figures.cost,
    gpuHours: figures.gpuHours,
    idleCost: figures.idleCost,
    tokens: figures.tokens,
    costPerMillionTokens: figures.costPerMillionTokens,
    costPerMillionPromptTokens: figures.costPerMillionPromptTokens,
    costPerMillionGenerationTokens: figures.costPerMillionGenerationTokens,
    splitMeasuredShare: figures.splitMeasuredShare,
    costPerRequest: figures.costPerRequest,
  };
}

/** What the cost figures rest on (allocation always; the rest where known). */
export const costBasisSchema = (z: Zod) =>
  z.object({
    utilization: z.enum(['none', 'partial', 'full']),
    tokens: z.enum(['none', 'partial', 'full']),
  });

export const isoOf = (seconds: number) =>
  new Date(seconds * 1000).toISOString();

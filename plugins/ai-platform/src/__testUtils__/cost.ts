import type {
  CostFigures,
  CostGroupRow,
  CostSummary,
} from '@internal/plugin-ai-platform-common';

/** Cost figures with zeros where not given. */
export function figures(partial: Partial<CostFigures> = {}): CostFigures {
  return {
    currency: 'USD',
    cost: 0,
    gpuHours: 0,
    idleCost: 0,
    idleGpuHours: 0,
    utilizationCoverage: 0,
    promptTokens: 0,
    generationTokens: 0,
    tokens: 0,
    tokenCoverage: 0,
    ...partial,
  };
}

/** A group row of a cost summary. */
export function groupRow(
  key: string,
  partial: Partial<CostFigures> = {},
): CostGroupRow {
  return { key, ...figures(partial) };
}

/** A cost summary whose totals are the sum of the groups' cost. */
export function summaryOf(
  groups: CostGroupRow[],
  partial: Partial<CostSummary> = {},
): CostSummary {
  return {
    from: Date.parse('2026-10-24T18:00:00Z') / 1000,
    to: Date.parse('2026-11-23T18:00:00Z') / 1000,
    groupBy: 'team',
    totals: [
      figures({
        cost: groups.reduce((s, g) => s + g.cost, 0),
        gpuHours: groups.reduce((s, g) => s + g.gpuHours, 0),
      }),
    ],
    groups,
    basis: { allocation: true, utilization: 'partial', tokens: 'partial' },
    ...partial,
  };
}

import { applyForecast, type ForecastPlan } from './forecast';
import {
  type Bucket,
  type CostAmount,
  type Dim,
  addAgg,
  byCostDesc,
  coverage,
  emptyAgg,
  figures,
  gpuHoursBasis,
  sumBy,
} from './aggregates';
import { DAY, dayOf, monthOf } from './periods';
import { exportSplit } from './tokenSplit';
import type {
  CostBasis,
  CostGranularity,
  CostGroupBy,
  CostGroupRow,
  CostSeriesPoint,
  CostSummary,
  ForecastRow,
  MonthOverMonthRow,
  UsageExportRow,
} from './types';

/**
 * The API's answers assembled from summed rollup rows (no database): the
 * summary with its groups and series, the top of each currency, month over
 * month, the forecast rows and the export rows.
 */

/** The cost summary of a window's buckets, grouped by `column`. */
export function summarise(options: {
  from: number;
  to: number;
  groupBy: CostGroupBy;
  column: Dim;
  granularity?: CostGranularity;
  buckets: Bucket[];
}): CostSummary {
  const { from, to, column, granularity, buckets } = options;
  const all = emptyAgg();
  for (const b of buckets) addAgg(all, b);
  const totals = [...sumBy(buckets, b => b.currency).values()]
    .map(e => figures(e.first.currency, e.agg))
    .sort(byCostDesc);
  const groups: CostGroupRow[] = [
    ...sumBy(buckets, b => `${b.dims[column]}\u0000${b.currency}`).values(),
  ]
    .map(e => ({
      key: e.first.dims[column]!,
      ...figures(e.first.currency, e.agg),
    }))
    .sort(byCostDesc);

  let series: CostSeriesPoint[] | undefined;
  if (granularity) {
    const label = (start: number) =>
      granularity === 'day' ? dayOf(start) : monthOf(start);
    series = [
      ...sumBy(
        buckets,
        b => `${label(b.label!)}\u0000${b.dims[column]}\u0000${b.currency}`,
      ).values(),
    ]
      .map(e => ({
        bucket: label(e.first.label!),
        key: e.first.dims[column]!,
        currency: e.first.currency,
        cost: e.agg.cost,
        gpuHours: e.agg.gpuHours,
      }))
      .sort(
        (a, b) =>
          a.bucket.localeCompare(b.bucket) ||
          a.key.localeCompare(b.key) ||
          a.currency.localeCompare(b.currency),
      );
  }

  const basis: CostBasis = {
    allocation: true,
    utilization: coverage(all.utilGpuHours, all.gpuHours),
    tokens: coverage(all.tokenGpuHours, all.gpuHours),
    gpuHours: gpuHoursBasis(all),
  };
  return {
    from,
    to,
    groupBy: options.groupBy,
    ...(granularity ? { granularity } : {}),
    totals,
    groups,
    ...(series ? { series } : {}),
    basis,
  };
}

/** The first `limit` groups of each currency (costs in different currencies do not compare). */
export function topPerCurrency(
  groups: CostGroupRow[],
  limit: number,
): CostGroupRow[] {
  const max = Math.max(0, Math.floor(limit));
  const taken = new Map<string, number>();
  return groups.filter(g => {
    const n = taken.get(g.currency) ?? 0;
    taken.set(g.currency, n + 1);
    return n < max;
  });
}

/** One month's costs against the month before's, per `key\0currency`. */
export function compareMonths(
  now: Map<string, CostAmount>,
  before: Map<string, CostAmount>,
  grouped: boolean,
): MonthOverMonthRow[] {
  const ids = new Set([...now.keys(), ...before.keys()]);
  return [...ids]
    .map(id => {
      const base = (now.get(id) ?? before.get(id))!;
      const cost = now.get(id)?.cost ?? 0;
      const previousCost = before.get(id)?.cost ?? 0;
      const change = cost - previousCost;
      return {
        ...(grouped ? { key: base.key } : {}),
        currency: base.currency,
        cost,
        previousCost,
        change,
        changePercent:
          previousCost > 0 ? (change / previousCost) * 100 : undefined,
      };
    })
    .sort(byCostDesc);
}

/**
 * The forecast rows of a month from its costs to date, of its complete days
 * and of the mean window (forecast.ts), per `key\0currency`; highest forecast
 * first.
 */
export function forecastRows(
  plan: ForecastPlan,
  costs: {
    monthToDate: Map<string, CostAmount>;
    complete: Map<string, CostAmount>;
    mean: Map<string, CostAmount>;
  },
  grouped: boolean,
): ForecastRow[] {
  const { monthToDate: mtd, complete, mean } = costs;
  const ids = new Set([...mtd.keys(), ...complete.keys(), ...mean.keys()]);
  return [...ids]
    .map(id => {
      const base = (mtd.get(id) ?? complete.get(id) ?? mean.get(id))!;
      const completeDaysCost = complete.get(id)?.cost ?? 0;
      const meanWindowCost = mean.get(id)?.cost ?? 0;
      const { meanDailyCost, forecast } = applyForecast(plan, {
        completeDaysCost,
        meanWindowCost,
        monthToDate: mtd.get(id)?.cost ?? 0,
      });
      return {
        ...(grouped ? { key: base.key } : {}),
        currency: base.currency,
        monthToDate: mtd.get(id)?.cost ?? 0,
        completeDaysCost,
        meanWindowCost,
        meanDailyCost,
        forecast,
      };
    })
    .sort((a, b) =>
      byCostDesc({ ...a, cost: a.forecast }, { ...b, cost: b.forecast }),
    );
}

/**
 * The export rows of a window's buckets read by day over every dimension:
 * one per endpoint (pool, team, model, cluster, currency) per UTC day, its
 * period cut to the window.
 */
export function exportRowsOf(
  buckets: Bucket[],
  from: number,
  to: number,
): UsageExportRow[] {
  return buckets
    .map(b => {
      const tokens = b.promptTokens + b.generationTokens;
      return {
        day: dayOf(b.label!),
        periodStart: Math.max(b.label!, from),
        periodEnd: Math.min(b.label! + DAY, to),
        endpointRef: b.dims.endpoint_ref!,
        teamRef: b.dims.team_ref!,
        modelRef: b.dims.model_ref!,
        poolRef: b.dims.pool_ref!,
        cluster: b.dims.cluster!,
        currency: b.currency,
        gpuHours: b.gpuHours,
        cost: b.cost,
        utilizationKnownGpuHours: b.utilGpuHours,
        idleGpuHours: b.idleGpuHours,
        idleCost: b.idleCost,
        tokenKnownGpuHours: b.tokenGpuHours,
        tokenCost: b.tokenCost,
        promptTokens: b.promptTokens,
        generationTokens: b.generationTokens,
        tokens,
        costPerMillionTokens:
          tokens > 0 ? (b.tokenCost / tokens) * 1e6 : undefined,
        sampleCount: b.sampleCount,
        ...exportSplit(b),
      };
    })
    .sort(
      (a, b) =>
        a.periodStart - b.periodStart ||
        a.endpointRef.localeCompare(b.endpointRef) ||
        a.poolRef.localeCompare(b.poolRef) ||
        a.teamRef.localeCompare(b.teamRef) ||
        a.modelRef.localeCompare(b.modelRef) ||
        a.cluster.localeCompare(b.cluster) ||
        a.currency.localeCompare(b.currency),
    );
}

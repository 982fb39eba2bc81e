import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import {
  AGG_COLUMNS,
  ALL_DIMS,
  type Bucket,
  type CostAmount,
  type Dim,
  type PartRows,
  costsBy,
  groupColumn,
  mergeParts,
} from './aggregates';
import {
  compareMonths,
  exportRowsOf,
  forecastRows,
  summarise,
  topPerCurrency,
} from './costReports';
import { hourWindow, partLabel, splitWindow } from './costWindows';
import { planForecast } from './forecast';
import { HOUR, ceilTo, monthBounds, previousMonth } from './periods';
import type {
  CostGranularity,
  CostGroupBy,
  CostGroupRow,
  CostQueries,
  CostSummary,
  MonthForecast,
  MonthOverMonth,
  UsageExportRow,
} from './types';

/** The sums of rollup rows, in the order of AGG_COLUMNS, named as the columns. */
const ROLLUP_SUMS = AGG_COLUMNS.map(c => `SUM(${c}) AS ${c}`).join(', ');

/** The rows of a knex.raw SELECT on either engine. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result)) return result as Array<Record<string, unknown>>;
  return (result as { rows: Array<Record<string, unknown>> }).rows;
}

/**
 * The cost queries, on the plugin's database (SQLite or Postgres): they read
 * the rollups that DatabaseUsageStore writes, never the raw samples, and
 * leave the arithmetic to aggregates.ts and costReports.ts.
 */
export class DatabaseCostQueries implements CostQueries {
  static create(options: { knex: Knex }): DatabaseCostQueries {
    return new DatabaseCostQueries(options.knex);
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Sums rollup rows of [from, to) (whole hours) by the given dimensions and
   * currency, and by day or month when asked: whole months from
   * usage_monthly (not when by day), whole days from usage_daily, the hours
   * of partial days at the edges from usage_hourly; a partial month may be
   * read as its monthly row less the days and hours outside the window
   * (see splitWindow).
   */
  private async read(options: {
    from: number;
    to: number;
    dims: Dim[];
    by?: CostGranularity;
  }): Promise<Bucket[]> {
    const { dims, by } = options;
    const parts = splitWindow(options.from, options.to, {
      months: by !== 'day',
    });
    // The parts are independent: on Postgres they run side by side.
    const results = await Promise.all(
      parts.map(async (part): Promise<PartRows> => {
        const { fixed, grouped } = partLabel(part, by);
        const keys = [
          ...dims,
          'currency',
          ...(grouped ? ['bucket_start'] : []),
        ];
        const rows = rowsOf(
          await this.knex.raw(
            `SELECT ${keys.join(', ')}, ${ROLLUP_SUMS} FROM ${part.table} ` +
              `WHERE bucket_start >= ? AND bucket_start < ? ` +
              `GROUP BY ${keys.join(', ')}`,
            [part.from, part.to],
          ),
        );
        return { rows, fixed, grouped, sign: part.subtract ? -1 : 1 };
      }),
    );
    return mergeParts(results, dims);
  }

  async costSummary(options: {
    from: number;
    to: number;
    groupBy: CostGroupBy;
    granularity?: CostGranularity;
  }): Promise<CostSummary> {
    const { from, to } = hourWindow(options.from, options.to);
    const column = groupColumn(options.groupBy);
    const { granularity } = options;
    if (granularity && granularity !== 'day' && granularity !== 'month') {
      throw new InputError(
        `Invalid granularity '${granularity}', expected day or month`,
      );
    }
    const buckets = await this.read({
      from,
      to,
      dims: [column],
      by: granularity,
    });
    return summarise({
      from,
      to,
      groupBy: options.groupBy,
      column,
      granularity,
      buckets,
    });
  }

  async topSpenders(options: {
    from: number;
    to: number;
    groupBy: CostGroupBy;
    limit: number;
  }): Promise<CostGroupRow[]> {
    const { groups } = await this.costSummary({
      from: options.from,
      to: options.to,
      groupBy: options.groupBy,
    });
    return topPerCurrency(groups, options.limit);
  }

  /**
   * Cost per currency (and group) of [from, to) (whole hours), keyed
   * `key\0currency`.
   */
  async costs(options: {
    from: number;
    to: number;
    groupBy?: CostGroupBy;
  }): Promise<Map<string, CostAmount>> {
    const column = options.groupBy ? groupColumn(options.groupBy) : undefined;
    return this.costsOf(options.from, options.to, column);
  }

  private async costsOf(
    from: number,
    to: number,
    column?: Dim,
  ): Promise<Map<string, CostAmount>> {
    const buckets = await this.read({ from, to, dims: column ? [column] : [] });
    return costsBy(buckets, column);
  }

  async monthOverMonth(options: {
    month: string;
    groupBy?: CostGroupBy;
  }): Promise<MonthOverMonth> {
    const current = monthBounds(options.month);
    const prevMonth = previousMonth(options.month);
    const prev = monthBounds(prevMonth);
    const compare = async (column?: Dim) =>
      compareMonths(
        await this.costsOf(current.start, current.end, column),
        await this.costsOf(prev.start, prev.end, column),
        column !== undefined,
      );
    return {
      month: options.month,
      previousMonth: prevMonth,
      totals: await compare(),
      ...(options.groupBy
        ? { groups: await compare(groupColumn(options.groupBy)) }
        : {}),
    };
  }

  async forecastMonth(options: {
    now: number;
    groupBy?: CostGroupBy;
  }): Promise<MonthForecast> {
    if (!Number.isFinite(options.now)) {
      throw new InputError('now must be epoch seconds');
    }
    const plan = planForecast(options.now);
    const rows = async (column?: Dim) =>
      forecastRows(
        plan,
        {
          monthToDate: await this.costsOf(
            plan.monthStart,
            ceilTo(plan.now, HOUR),
            column,
          ),
          complete: await this.costsOf(
            plan.monthStart,
            plan.todayStart,
            column,
          ),
          mean: await this.costsOf(
            plan.meanWindow.from,
            plan.meanWindow.to,
            column,
          ),
        },
        column !== undefined,
      );
    return {
      month: plan.month,
      now: plan.now,
      daysInMonth: plan.daysInMonth,
      completeDays: plan.completeDays,
      remainingDays: plan.remainingDays,
      meanWindow: plan.meanWindow,
      method: plan.method,
      totals: await rows(),
      ...(options.groupBy
        ? { groups: await rows(groupColumn(options.groupBy)) }
        : {}),
    };
  }

  async exportRows(options: {
    from: number;
    to: number;
  }): Promise<UsageExportRow[]> {
    const { from, to } = hourWindow(options.from, options.to);
    const buckets = await this.read({ from, to, dims: ALL_DIMS, by: 'day' });
    return exportRowsOf(buckets, from, to);
  }
}

import { DAY, dayOf, floorTo, monthBounds, monthOf } from './periods';
import type { ForecastBasis } from './types';

/** The days and windows a month forecast rests on, with the month's bounds. */
export type ForecastPlan = ForecastBasis & {
  monthStart: number;
  monthEnd: number;
  /** Midnight (UTC) that starts today. */
  todayStart: number;
};

/** The most complete days the mean daily cost is taken over. */
export const MEAN_DAYS = 7;

/**
 * Plans the forecast of the UTC month containing `now`:
 *
 * forecast = cost of the complete days of the month so far
 *          + mean daily cost of the last 7 complete days (or of the complete
 *            days of the month so far, when fewer than 7)
 *          x remaining days (days in the month - complete days; today counts
 *            as not complete),
 * and never less than the month-to-date cost (which includes today's
 * spend so far): a month cannot end below what it has already cost.
 *
 * On the first day of a month no day of it is complete yet; the mean is then
 * taken over the last 7 complete days, which are those of the month before.
 */
export function planForecast(now: number): ForecastPlan {
  const month = monthOf(now);
  const {
    start: monthStart,
    end: monthEnd,
    days: daysInMonth,
  } = monthBounds(month);
  const todayStart = floorTo(now, DAY);
  const completeDays = (todayStart - monthStart) / DAY;
  const remainingDays = daysInMonth - completeDays;
  const meanDays =
    completeDays === 0 ? MEAN_DAYS : Math.min(MEAN_DAYS, completeDays);
  const meanTo = todayStart;
  const meanFrom = meanTo - meanDays * DAY;
  const meanWindow = {
    from: meanFrom,
    to: meanTo,
    days: meanDays,
    firstDay: dayOf(meanFrom),
    lastDay: dayOf(meanTo - DAY),
  };
  const range = `${meanWindow.firstDay}..${meanWindow.lastDay}`;
  const remaining = `${remainingDays} remaining days (${daysInMonth} days in ${month} - ${completeDays} complete; today, ${dayOf(
    todayStart,
  )}, counts as not complete)`;
  let method: string;
  if (completeDays === 0) {
    method =
      `forecast = 0 (no day of ${month} is complete yet)` +
      ` + mean daily cost of the last ${MEAN_DAYS} complete days (${range}, before ${month})` +
      ` x ${remaining}`;
  } else {
    const actual = `actual cost of the ${completeDays} complete days of ${month} (${dayOf(
      monthStart,
    )}..${dayOf(todayStart - DAY)})`;
    const mean =
      completeDays >= MEAN_DAYS
        ? `mean daily cost of the last ${MEAN_DAYS} complete days (${range})`
        : `mean daily cost of the ${completeDays} complete days of ${month} so far (${range}; fewer than ${MEAN_DAYS})`;
    method = `forecast = ${actual} + ${mean} x ${remaining}`;
  }
  method += '; never less than the month-to-date cost';
  return {
    month,
    now,
    monthStart,
    monthEnd,
    todayStart,
    daysInMonth,
    completeDays,
    remainingDays,
    meanWindow,
    method,
  };
}

/** Applies a plan to the costs of its windows. */
export function applyForecast(
  plan: ForecastPlan,
  costs: {
    completeDaysCost: number;
    meanWindowCost: number;
    /** Cost of the month so far, today included. */
    monthToDate?: number;
  },
): { meanDailyCost: number; forecast: number } {
  const meanDailyCost = costs.meanWindowCost / plan.meanWindow.days;
  return {
    meanDailyCost,
    forecast: Math.max(
      costs.completeDaysCost + meanDailyCost * plan.remainingDays,
      costs.monthToDate ?? 0,
    ),
  };
}

import { InputError } from '@backstage/errors';
import {
  DAY,
  HOUR,
  ceilMonth,
  ceilTo,
  floorMonth,
  floorTo,
  nextMonth,
} from './periods';

/**
 * Window planning for the cost queries (no database): which rollup each part
 * of a window is read from.
 */

export type RollupTable = 'usage_hourly' | 'usage_daily' | 'usage_monthly';

/**
 * A part of a window and the rollup it is read from; `subtract` parts are
 * taken away from a month read whole.
 */
export type WindowPart = {
  table: RollupTable;
  from: number;
  to: number;
  subtract?: true;
};

/**
 * A query window [from, to) in epoch seconds, widened to whole hours (the
 * finest rollup); from must be before to.
 */
export function hourWindow(
  from: number,
  to: number,
): { from: number; to: number } {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new InputError('from must be before to (epoch seconds)');
  }
  return { from: floorTo(from, HOUR), to: ceilTo(to, HOUR) };
}

/**
 * Hours at the edges, whole days between. Every hourly part lies within one
 * UTC day.
 */
function dayParts(from: number, to: number): WindowPart[] {
  if (from >= to) return [];
  const dayFrom = ceilTo(from, DAY);
  const dayTo = floorTo(to, DAY);
  if (dayFrom > dayTo) return [{ table: 'usage_hourly', from, to }];
  const parts: WindowPart[] = [];
  if (from < dayFrom) parts.push({ table: 'usage_hourly', from, to: dayFrom });
  if (dayFrom < dayTo) {
    parts.push({ table: 'usage_daily', from: dayFrom, to: dayTo });
  }
  if (dayTo < to) parts.push({ table: 'usage_hourly', from: dayTo, to });
  return parts;
}

/** Rollup rows per series (endpoint and so on) that the parts read. */
export function rowsRead(parts: WindowPart[]): number {
  let rows = 0;
  for (const p of parts) {
    if (p.table === 'usage_hourly') rows += (p.to - p.from) / HOUR;
    else if (p.table === 'usage_daily') rows += (p.to - p.from) / DAY;
    else rows += 1;
  }
  return rows;
}

/**
 * [from, to) within one UTC month: its days and hours, or, when that reads
 * fewer rows, the month's row less the days and hours of the month outside
 * the window (e.g. a month to date: the month, less nothing or little).
 */
function monthPiece(from: number, to: number): WindowPart[] {
  if (from >= to) return [];
  const direct = dayParts(from, to);
  const monthStart = floorMonth(from);
  const monthEnd = nextMonth(from);
  const complement: WindowPart[] = [
    { table: 'usage_monthly', from: monthStart, to: monthEnd },
    ...[...dayParts(monthStart, from), ...dayParts(to, monthEnd)].map(p => ({
      ...p,
      subtract: true as const,
    })),
  ];
  return rowsRead(complement) < rowsRead(direct) ? complement : direct;
}

/**
 * The parts of a window [from, to) (whole hours) and the rollup each is read
 * from: whole months from usage_monthly (unless `months` is false), whole
 * days from usage_daily, the remaining hours from usage_hourly; a part of a
 * month may be read as the month less the rest of it, when that reads fewer
 * rows. Every daily part lies within one UTC month, every hourly part within
 * one UTC day.
 */
export function splitWindow(
  from: number,
  to: number,
  options: { months?: boolean } = {},
): WindowPart[] {
  if (from >= to) return [];
  if (options.months === false) return dayParts(from, to);
  const monthFrom = ceilMonth(from);
  const monthTo = floorMonth(to);
  if (monthFrom > monthTo) return monthPiece(from, to);
  return [
    ...monthPiece(from, monthFrom),
    ...(monthFrom < monthTo
      ? [{ table: 'usage_monthly' as const, from: monthFrom, to: monthTo }]
      : []),
    ...monthPiece(monthTo, to),
  ];
}

/**
 * The day or month a part's rows are labelled with when a query is read by
 * day or by month: `grouped` when the part's table has the asked buckets
 * (its rows carry their bucket_start), else the one `fixed` day or month the
 * part lies in. Neither when the query is not by day or month.
 */
export function partLabel(
  part: WindowPart,
  by: 'day' | 'month' | undefined,
): { fixed?: number; grouped: boolean } {
  if (by === 'day') {
    return part.table === 'usage_hourly'
      ? { fixed: floorTo(part.from, DAY), grouped: false }
      : { grouped: true };
  }
  if (by === 'month') {
    return part.table === 'usage_monthly'
      ? { grouped: true }
      : { fixed: floorMonth(part.from), grouped: false };
  }
  return { grouped: false };
}

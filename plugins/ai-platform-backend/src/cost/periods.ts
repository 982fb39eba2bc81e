import { InputError } from '@backstage/errors';
import {
  isMonth,
  monthOf as monthOfDate,
  monthRange,
  previousMonth as previousMonthOf,
} from '@internal/plugin-ai-platform-common';

// The month helpers are -common's (shared with the frontend); these take and
// give epoch seconds, as the cost store counts time, and throw InputError.
export { isMonth };

/** Seconds in an hour. */
export const HOUR = 3600;
/** Seconds in a (UTC) day. */
export const DAY = 86_400;

/** Largest multiple of step at or below t. */
export function floorTo(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/** Smallest multiple of step at or above t. */
export function ceilTo(t: number, step: number): number {
  return Math.ceil(t / step) * step;
}

/** Start (UTC midnight of the 1st) of the month containing t, epoch seconds. */
export function floorMonth(t: number): number {
  const d = new Date(t * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

/** Start of the month after the one containing t. */
export function nextMonth(t: number): number {
  const d = new Date(t * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
}

/** The first month start at or after t. */
export function ceilMonth(t: number): number {
  const start = floorMonth(t);
  return start === t ? t : nextMonth(t);
}

/** 'YYYY-MM-DD' (UTC) of an epoch second. */
export function dayOf(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** 'YYYY-MM' (UTC) of an epoch second. */
export function monthOf(t: number): string {
  return monthOfDate(new Date(t * 1000));
}

/** ISO 8601 UTC without milliseconds, e.g. '2026-11-01T00:00:00Z'. */
export function isoSeconds(t: number): string {
  return `${new Date(t * 1000).toISOString().slice(0, 19)}Z`;
}

/** The bounds [start, end) of a UTC month 'YYYY-MM', epoch seconds, and its length in days. */
export function monthBounds(month: string): {
  start: number;
  end: number;
  days: number;
} {
  if (!isMonth(month)) {
    throw new InputError(`Invalid month '${month}', expected YYYY-MM`);
  }
  const range = monthRange(month);
  const start = range.start.getTime() / 1000;
  const end = range.end.getTime() / 1000;
  return { start, end, days: (end - start) / DAY };
}

/** The month before 'YYYY-MM'. */
export function previousMonth(month: string): string {
  if (!isMonth(month)) {
    throw new InputError(`Invalid month '${month}', expected YYYY-MM`);
  }
  return previousMonthOf(month);
}

import { InputError } from '@backstage/errors';

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
  return new Date(t * 1000).toISOString().slice(0, 7);
}

/** ISO 8601 UTC without milliseconds, e.g. '2026-11-01T00:00:00Z'. */
export function isoSeconds(t: number): string {
  return `${new Date(t * 1000).toISOString().slice(0, 19)}Z`;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether the text is a month 'YYYY-MM'. */
export function isMonth(month: string): boolean {
  return MONTH.test(month);
}

/** The bounds [start, end) of a UTC month 'YYYY-MM', epoch seconds, and its length in days. */
export function monthBounds(month: string): {
  start: number;
  end: number;
  days: number;
} {
  const m = MONTH.exec(month);
  if (!m) {
    throw new InputError(`Invalid month '${month}', expected YYYY-MM`);
  }
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  const start = Date.UTC(year, index, 1) / 1000;
  const end = Date.UTC(year, index + 1, 1) / 1000;
  return { start, end, days: (end - start) / DAY };
}

/** The month before 'YYYY-MM'. */
export function previousMonth(month: string): string {
  const { start } = monthBounds(month);
  return monthOf(start - DAY);
}

import type {
  CostGranularity,
  CostGroupBy,
} from '@internal/plugin-ai-platform-common';
import type { CostWindow } from '@internal/plugin-ai-platform-react';

/** The windows the cost page offers. */
export type CostWindowKind = '30d' | 'quarter' | 'year' | 'custom';

/** Groupings the cost page offers. */
export const COST_GROUPINGS: CostGroupBy[] = [
  'team',
  'model',
  'pool',
  'cluster',
];

const DAY_MS = 86_400_000;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A 'YYYY-MM-DD' date plus some days. */
export function addDays(day: string, days: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** A 'YYYY-MM' month in words, e.g. `October 2026`. */
export function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/**
 * The API window of a window choice, in UTC: the last 30 days is the
 * backend's default (no bounds, so the figures and exports match its own
 * default exactly); this quarter and this year run from their first day to
 * now; a custom window from its first day to the day after its last (the API's
 * `to` is exclusive).
 */
export function windowOf(
  kind: CostWindowKind,
  now: Date,
  custom: { from?: string; to?: string } = {},
): CostWindow {
  const year = now.getUTCFullYear();
  switch (kind) {
    case 'quarter': {
      const firstMonth = Math.floor(now.getUTCMonth() / 3) * 3 + 1;
      return { from: `${year}-${String(firstMonth).padStart(2, '0')}-01` };
    }
    case 'year':
      return { from: `${year}-01-01` };
    case 'custom':
      return {
        from: custom.from,
        to: custom.to ? addDays(custom.to, 1) : undefined,
      };
    default:
      return {};
  }
}

/** Days per bucket: days for windows up to a quarter, months beyond. */
export function granularityOf(window: CostWindow, now: Date): CostGranularity {
  const from = window.from
    ? Date.parse(window.from)
    : now.getTime() - 30 * DAY_MS;
  const to = window.to ? Date.parse(window.to) : now.getTime();
  return to - from <= 92 * DAY_MS ? 'day' : 'month';
}

/** Why a custom window is not usable yet, if it is not. */
export function customWindowProblem(custom: {
  from?: string;
  to?: string;
}): string | undefined {
  if (!custom.from || !custom.to) return 'Pick the first and last day.';
  if (custom.from > custom.to)
    return 'The first day must not be after the last.';
  return undefined;
}

/** The window in words, from the backend's answer (epoch seconds, [from, to)). */
export function describeWindow(from: number, to: number): string {
  const fmt = (s: number) =>
    new Date(s * 1000).toLocaleString('en-US', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      timeZoneName: 'short',
    });
  return `${fmt(from)} – ${fmt(to)}`;
}

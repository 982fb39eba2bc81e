import type {
  SloObjectiveKind,
  SloObjectiveReport,
  SloStatus,
  SloWindowCounts,
} from '@internal/plugin-ai-platform-common';

/** The SLO window when spec.slo.windowDays is not set. */
export const DEFAULT_WINDOW_DAYS = 28;

/** Share of requests a p95 latency target lets be slower than the target. */
export const LATENCY_BAD_SHARE = 0.05;

/**
 * The SRE workbook's multi-window, multi-burn-rate alerts (chapter 5,
 * "Alerting on SLOs", for a 30-day window): page when the budget burns at
 * 14.4x over 1 h (confirmed over 5 m), or at 6x over 6 h (confirmed over 30 m).
 */
export const FAST_BURN = { long: '1h', short: '5m', factor: 14.4 } as const;
export const SLOW_BURN = { long: '6h', short: '30m', factor: 6 } as const;

/**
 * The largest histogram bucket boundary not above the target (both in
 * seconds), or undefined when every boundary is above it. Counting the
 * requests under that boundary never counts a request slower than the
 * target as good.
 */
export function snapToBoundary(
  boundaries: number[],
  targetSeconds: number,
): number | undefined {
  let best: number | undefined;
  for (const b of boundaries) {
    if (!Number.isFinite(b) || b > targetSeconds + 1e-12) continue;
    if (best === undefined || b > best) best = b;
  }
  return best;
}

/** Share of requests allowed to be bad: 1 − availability/100, or 5 % for a p95. */
export function allowedBadShare(
  kind: SloObjectiveKind,
  target: number,
): number {
  return kind === 'availability' ? (100 - target) / 100 : LATENCY_BAD_SHARE;
}

/**
 * How fast a window spends the budget: its bad share over the allowed bad
 * share (1 spends exactly the budget over the SLO window). Undefined
 * without requests.
 */
export function burnRate(
  counts: SloWindowCounts | undefined,
  badShare: number,
): number | undefined {
  if (!counts || counts.total <= 0 || badShare <= 0) return undefined;
  return counts.bad / counts.total / badShare;
}

/**
 * One objective's figures from its counts over the SLO window, 1 h and 6 h:
 * allowed bad requests = allowedBadShare × requests; budget left =
 * 1 − bad / allowed; compliance = good share; burn rates as
 * {@link burnRate}.
 */
export function objectiveReport(options: {
  kind: SloObjectiveKind;
  target: number;
  metric: string;
  boundaryMs?: number;
  window?: SloWindowCounts;
  lastHour?: SloWindowCounts;
  last6h?: SloWindowCounts;
}): SloObjectiveReport {
  const share = allowedBadShare(options.kind, options.target);
  const window = options.window ?? { total: 0, bad: 0 };
  const total = Math.max(0, window.total);
  const bad = Math.min(Math.max(0, window.bad), total);
  const allowedBad = share * total;
  const noBoundary =
    options.kind !== 'availability' && options.boundaryMs === undefined;
  let budgetLeft: number | undefined;
  if (total > 0 && !noBoundary) {
    // A 100 % target allows no failure: any bad request spends all of it.
    if (allowedBad > 0) budgetLeft = 1 - bad / allowedBad;
    else budgetLeft = bad === 0 ? 1 : 0;
  }
  const burnRate1h = noBoundary ? undefined : burnRate(options.lastHour, share);
  const burnRate6h = noBoundary ? undefined : burnRate(options.last6h, share);
  let status: SloStatus;
  if (noBoundary) status = 'no-boundary';
  else if (budgetLeft === undefined) status = 'no-data';
  else if (budgetLeft <= 0) status = 'breached';
  else if (
    (burnRate1h ?? 0) >= FAST_BURN.factor ||
    (burnRate6h ?? 0) >= SLOW_BURN.factor
  )
    status = 'burning';
  else status = 'ok';
  return {
    kind: options.kind,
    target: options.target,
    ...(options.boundaryMs !== undefined
      ? { boundaryMs: options.boundaryMs }
      : {}),
    metric: options.metric,
    allowedBadShare: share,
    window: { total, bad, allowedBad },
    ...(budgetLeft !== undefined ? { budgetLeft } : {}),
    ...(total > 0 && !noBoundary ? { compliance: 1 - bad / total } : {}),
    ...(burnRate1h !== undefined ? { burnRate1h } : {}),
    ...(burnRate6h !== undefined ? { burnRate6h } : {}),
    status,
  };
}

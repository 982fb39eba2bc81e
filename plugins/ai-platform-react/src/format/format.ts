/*
 * Number formatting shared by the ai-platform pages. Amounts are shown as the
 * backend computed them, rounded for display only (never recomputed).
 */

const LOCALE = 'en-US';

/**
 * An amount of money in its ISO 4217 currency, to the cent; amounts below one
 * unit (prices per 1M tokens) keep up to four decimals.
 */
export function formatCurrency(amount: number, currency: string): string {
  const small = Math.abs(amount) > 0 && Math.abs(amount) < 1;
  return new Intl.NumberFormat(LOCALE, {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: small ? 4 : 2,
  }).format(amount);
}

/** A whole-ish number with thousands separators, e.g. `1,234.5`. */
export function formatNumber(value: number, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits }).format(value);
}

/** GPU-hours, e.g. `1,234.5 GPU-h`. */
export function formatGpuHours(value: number): string {
  return `${formatNumber(value)} GPU-h`;
}

/** A token count in short form, e.g. `1.2B`, `34.5M`, `980`. */
export function formatTokens(value: number): string {
  return new Intl.NumberFormat(LOCALE, {
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

/** A share 0..1 as a percentage, e.g. `42%`. */
export function formatShare(share: number): string {
  return `${formatNumber(share * 100, 0)}%`;
}

/** A signed percentage change, e.g. `+12.3%` or `-4.0%`. */
export function formatChangePercent(percent: number): string {
  const sign = percent > 0 ? '+' : '';
  return `${sign}${percent.toFixed(1)}%`;
}

/**
 * An eval score: up to four significant digits below 1 (accuracies), two
 * decimals above (latencies, perplexities).
 */
export function formatScore(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(4)));
}

/** A signed score difference, e.g. `+0.0123`. */
export function formatScoreDelta(value: number): string {
  const text = formatScore(value);
  return value > 0 ? `+${text}` : text;
}

/** An ISO 8601 time as a short local date and time. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(LOCALE, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

import { dayOf, isoSeconds } from './periods';
import type { UsageExportRow } from './types';

/** A CSV cell: text, a number, or empty. */
export type CsvCell = string | number | undefined | null;

/**
 * Text that a spreadsheet would read as a formula (or as a command through
 * DDE) starts with one of these; such cells get a leading apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Numbers without float noise: 12 significant digits, no trailing zeros. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(12)));
}

/** One cell, quoted when needed (RFC 4180) and neutralised against formula injection. */
export function csvCell(value: CsvCell): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return formatNumber(value);
  let text = value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || text !== text.trim()) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

/** A CSV document: header line, then one line per row, CRLF line ends (RFC 4180). */
export function csvTable(header: string[], rows: CsvCell[][]): string {
  const lines = [header, ...rows].map(r => r.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The columns of `toCsv`, in order. */
export const CSV_COLUMNS = [
  'day',
  'period_start',
  'period_end',
  'endpoint_ref',
  'team_ref',
  'model_ref',
  'pool_ref',
  'cluster',
  'currency',
  'gpu_hours',
  'cost',
  'utilization_known_gpu_hours',
  'idle_gpu_hours',
  'idle_cost',
  'token_known_gpu_hours',
  'token_cost',
  'prompt_tokens',
  'generation_tokens',
  'tokens',
  'cost_per_million_tokens',
  'sample_count',
] as const;

/** Usage export rows as CSV, one line per endpoint per UTC day. */
export function toCsv(rows: UsageExportRow[]): string {
  return csvTable(
    [...CSV_COLUMNS],
    rows.map(r => [
      r.day || dayOf(r.periodStart),
      isoSeconds(r.periodStart),
      isoSeconds(r.periodEnd),
      r.endpointRef,
      r.teamRef,
      r.modelRef,
      r.poolRef,
      r.cluster,
      r.currency,
      r.gpuHours,
      r.cost,
      r.utilizationKnownGpuHours,
      r.idleGpuHours,
      r.idleCost,
      r.tokenKnownGpuHours,
      r.tokenCost,
      r.promptTokens,
      r.generationTokens,
      r.tokens,
      r.costPerMillionTokens,
      r.sampleCount,
    ]),
  );
}

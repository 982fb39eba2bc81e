/**
 * The one CSV writer of the plugin's exports (cost, FOCUS, audit): RFC 4180
 * quoting and CRLF line ends, numbers without float noise, and cells that a
 * spreadsheet would run as a formula neutralised.
 */

/** A CSV cell: text, a number, or empty. */
export type CsvCell = string | number | undefined | null;

/**
 * Text that a spreadsheet would read as a formula (or as a command through
 * DDE) starts with one of these: `=`, `+`, `-`, `@`, tab, carriage return,
 * or the full-width forms of the first four (U+FF1D, U+FF0B, U+FF0D,
 * U+FF20), which some spreadsheets also accept. Such cells get a leading
 * apostrophe (OWASP, "CSV Injection").
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

/** One line of cells with its CRLF line end, for writers that stream. */
export function csvLine(cells: CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A CSV document: header line, then one line per row, CRLF line ends (RFC 4180). */
export function csvTable(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map(csvLine).join('');
}

/** A calendar month as the API writes it: 'YYYY-MM', in UTC. */
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether the text is a month 'YYYY-MM'. */
export function isMonth(month: string): boolean {
  return MONTH.test(month);
}

/**
 * 'YYYY-MM' (UTC) of a time. The backend counts time in epoch seconds:
 * `monthOf(new Date(seconds * 1000))`.
 */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The first instant (UTC midnight of the 1st) of a month 'YYYY-MM' and of the month after it; throws for what is not a month. */
export function monthRange(month: string): { start: Date; end: Date } {
  const m = MONTH.exec(month);
  if (!m) {
    throw new Error(`Invalid month '${month}', expected YYYY-MM`);
  }
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return {
    start: new Date(Date.UTC(year, index, 1)),
    end: new Date(Date.UTC(year, index + 1, 1)),
  };
}

/** The month before 'YYYY-MM'; throws for what is not a month. */
export function previousMonth(month: string): string {
  const { start } = monthRange(month);
  return monthOf(new Date(start.getTime() - 1));
}

import { InputError } from '@backstage/errors';
import { isMonth } from './periods';
import type { BudgetStatus, BudgetVsActualRow, TeamBudget } from './types';

/**
 * Budget arithmetic (no database): what a budget may be, and how a team's
 * budget compares with what it spent and is forecast to spend.
 */

/** The month of a budget query, or an InputError. */
export function checkBudgetMonth(month: string): void {
  if (!isMonth(month)) {
    throw new InputError(`Invalid month '${month}', expected YYYY-MM`);
  }
}

/** Refuses a budget that is not a team's non-negative amount in a currency for a month. */
export function checkBudget(options: {
  teamRef: string;
  month: string;
  amount: number;
  currency: string;
  setBy: string;
}): void {
  checkBudgetMonth(options.month);
  if (!Number.isFinite(options.amount) || options.amount < 0) {
    throw new InputError('Budget amount must be a non-negative number');
  }
  if (!/^[A-Z]{3}$/.test(options.currency)) {
    throw new InputError(
      `Invalid currency '${options.currency}', expected an ISO 4217 code such as USD`,
    );
  }
  if (!options.teamRef || !options.setBy) {
    throw new InputError('Budget needs a team and who set it');
  }
}

/** A team's spend in one currency in the budget's month: actual and forecast. */
export type TeamSpend = {
  teamRef: string;
  currency: string;
  actual: number;
  forecast: number;
};

/**
 * Each budget against its team's spend in the budget's currency: over when
 * spent beyond it, at risk when forecast beyond it, else under; spend in
 * other currencies is listed beside it, not counted against it.
 */
export function compareBudgets(
  budgets: TeamBudget[],
  spend: TeamSpend[],
): BudgetVsActualRow[] {
  // Per team and currency: [actual, forecast].
  const figuresOf = new Map<string, { actual: number; forecast: number }>();
  for (const s of spend) {
    figuresOf.set(`${s.teamRef}\u0000${s.currency}`, {
      actual: s.actual,
      forecast: s.forecast,
    });
  }
  return budgets.map(b => {
    const mine = figuresOf.get(`${b.teamRef}\u0000${b.currency}`) ?? {
      actual: 0,
      forecast: 0,
    };
    const otherCurrencies = [...figuresOf.entries()]
      .filter(([id]) => {
        const [team, currency] = id.split('\u0000');
        return team === b.teamRef && currency !== b.currency;
      })
      .map(([id, v]) => ({
        currency: id.split('\u0000')[1],
        actual: v.actual,
      }))
      .sort((x, y) => x.currency.localeCompare(y.currency));
    let status: BudgetStatus = 'under';
    if (mine.actual > b.amount) status = 'over';
    else if (mine.forecast > b.amount) status = 'at-risk';
    return {
      teamRef: b.teamRef,
      month: b.month,
      currency: b.currency,
      budget: b.amount,
      actual: mine.actual,
      forecast: mine.forecast,
      percentUsed: b.amount > 0 ? (mine.actual / b.amount) * 100 : undefined,
      forecastPercent:
        b.amount > 0 ? (mine.forecast / b.amount) * 100 : undefined,
      status,
      setBy: b.setBy,
      setAt: b.setAt,
      otherCurrencies,
    };
  });
}

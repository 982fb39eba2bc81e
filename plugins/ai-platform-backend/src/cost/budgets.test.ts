import { InputError } from '@backstage/errors';
import { checkBudget, checkBudgetMonth, compareBudgets } from './budgets';
import type { TeamBudget } from './types';

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

const budget = (extra: Partial<TeamBudget> = {}): TeamBudget => ({
  teamRef: TEAM_A,
  month: '2026-11',
  amount: 500,
  currency: 'USD',
  setBy: 'user:default/alice',
  setAt: '2026-11-01T00:00:00.000Z',
  ...extra,
});

describe('checkBudget', () => {
  const good = {
    teamRef: TEAM_A,
    month: '2026-11',
    amount: 0,
    currency: 'USD',
    setBy: 'user:default/alice',
  };

  it('accepts a team, a month, a non-negative amount and an ISO 4217 code', () => {
    expect(() => checkBudget(good)).not.toThrow();
  });

  it.each([
    [{ month: '2026-1' }, "Invalid month '2026-1', expected YYYY-MM"],
    [{ month: '2026-13' }, "Invalid month '2026-13', expected YYYY-MM"],
    [{ amount: -1 }, 'Budget amount must be a non-negative number'],
    [{ amount: Number.NaN }, 'Budget amount must be a non-negative number'],
    [
      { amount: Number.POSITIVE_INFINITY },
      'Budget amount must be a non-negative number',
    ],
    [
      { currency: 'usd' },
      "Invalid currency 'usd', expected an ISO 4217 code such as USD",
    ],
    [{ teamRef: '' }, 'Budget needs a team and who set it'],
    [{ setBy: '' }, 'Budget needs a team and who set it'],
  ])('refuses %p', (bad, message) => {
    expect(() => checkBudget({ ...good, ...bad })).toThrow(
      new InputError(message),
    );
  });

  it('refuses a month that is not YYYY-MM on its own too', () => {
    expect(() => checkBudgetMonth('November')).toThrow(InputError);
    expect(() => checkBudgetMonth('2026-11')).not.toThrow();
  });
});

describe('compareBudgets', () => {
  it('is over when spent beyond the budget, at risk when forecast beyond it, else under', () => {
    const rows = compareBudgets(
      [
        budget({ amount: 500 }),
        budget({ teamRef: TEAM_B, amount: 100 }),
        budget({ teamRef: 'group:default/team-c', amount: 10 }),
      ],
      [
        { teamRef: TEAM_A, currency: 'USD', actual: 220, forecast: 684 },
        { teamRef: TEAM_B, currency: 'USD', actual: 20, forecast: 60 },
        {
          teamRef: 'group:default/team-c',
          currency: 'USD',
          actual: 11,
          forecast: 11,
        },
      ],
    );
    expect(rows.map(r => [r.teamRef, r.status])).toEqual([
      [TEAM_A, 'at-risk'],
      [TEAM_B, 'under'],
      ['group:default/team-c', 'over'],
    ]);
    expect(rows[0]).toMatchObject({
      budget: 500,
      actual: 220,
      forecast: 684,
      percentUsed: 44,
      forecastPercent: 136.8,
      setBy: 'user:default/alice',
      otherCurrencies: [],
    });
  });

  it('counts only the budget currency against it and lists the others beside it', () => {
    const [row] = compareBudgets(
      [budget()],
      [
        { teamRef: TEAM_A, currency: 'USD', actual: 100, forecast: 200 },
        { teamRef: TEAM_A, currency: 'GBP', actual: 5000, forecast: 9000 },
        { teamRef: TEAM_A, currency: 'EUR', actual: 3, forecast: 3 },
        { teamRef: TEAM_B, currency: 'CHF', actual: 1, forecast: 1 },
      ],
    );
    expect(row).toMatchObject({ actual: 100, status: 'under' });
    expect(row.otherCurrencies).toEqual([
      { currency: 'EUR', actual: 3 },
      { currency: 'GBP', actual: 5000 },
    ]);
  });

  it('shows nothing spent as zero, and no percentages of a zero budget', () => {
    const [nothing, zero] = compareBudgets(
      [budget(), budget({ teamRef: TEAM_B, amount: 0 })],
      [{ teamRef: TEAM_B, currency: 'USD', actual: 0, forecast: 1 }],
    );
    expect(nothing).toMatchObject({
      actual: 0,
      forecast: 0,
      percentUsed: 0,
      status: 'under',
    });
    expect(zero).toMatchObject({
      percentUsed: undefined,
      forecastPercent: undefined,
      status: 'at-risk',
    });
  });
});

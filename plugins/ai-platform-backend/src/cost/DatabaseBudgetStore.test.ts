import { InputError } from '@backstage/errors';
import {
  TEAM_A,
  TEAM_B,
  describeOnEachDatabase,
  expectClose,
  t,
  withDays,
} from './__testUtils__/costFixture';

jest.setTimeout(120_000);

describeOnEachDatabase('DatabaseBudgetStore', (databases, databaseId) => {
  it('sets, replaces and lists budgets, and compares them with actuals', async () => {
    const { budgets } = await withDays(databases, databaseId);
    const first = await budgets.setBudget({
      teamRef: TEAM_A,
      month: '2026-11',
      amount: 1000,
      currency: 'USD',
      setBy: 'user:default/alice',
    });
    expect(first.previous).toBeUndefined();
    expect(first.budget).toEqual({
      teamRef: TEAM_A,
      month: '2026-11',
      amount: 1000,
      currency: 'USD',
      setBy: 'user:default/alice',
      setAt: '2026-11-10T12:01:00.000Z',
    });
    const second = await budgets.setBudget({
      teamRef: TEAM_A,
      month: '2026-11',
      amount: 500,
      currency: 'USD',
      setBy: 'user:default/bob',
    });
    expect(second.previous).toEqual(first.budget);
    expect(second.budget).toMatchObject({
      amount: 500,
      setBy: 'user:default/bob',
    });
    await budgets.setBudget({
      teamRef: TEAM_B,
      month: '2026-11',
      amount: 100,
      currency: 'USD',
      setBy: 'user:default/alice',
    });
    await budgets.setBudget({
      teamRef: 'group:default/team-c',
      month: '2026-11',
      amount: 50,
      currency: 'EUR',
      setBy: 'user:default/alice',
    });
    await budgets.setBudget({
      teamRef: TEAM_A,
      month: '2026-10',
      amount: 20,
      currency: 'USD',
      setBy: 'user:default/alice',
    });
    expect(
      (await budgets.listBudgets({ month: '2026-11' })).map(b => [
        b.teamRef,
        b.amount,
      ]),
    ).toEqual([
      [TEAM_A, 500],
      [TEAM_B, 100],
      ['group:default/team-c', 50],
    ]);

    const now = t('2026-11-10T15:30');
    const rows = await budgets.budgetVsActual({ month: '2026-11', now });
    // team A: actual 220, forecast 684 > 500 -> at-risk, 44 % used;
    // 3 EUR not counted against the USD budget.
    expectClose(rows[0], {
      teamRef: TEAM_A,
      currency: 'USD',
      budget: 500,
      actual: 220,
      forecast: 684,
      percentUsed: 44,
      forecastPercent: 136.8,
      status: 'at-risk',
    });
    expect(rows[0].otherCurrencies).toEqual([{ currency: 'EUR', actual: 3 }]);
    // team B: 20 of 100, forecast 60 -> under.
    expectClose(rows[1], {
      teamRef: TEAM_B,
      actual: 20,
      forecast: 60,
      percentUsed: 20,
      status: 'under',
    });
    // team C: nothing spent.
    expectClose(rows[2], {
      teamRef: 'group:default/team-c',
      currency: 'EUR',
      actual: 0,
      forecast: 0,
      percentUsed: 0,
      status: 'under',
    });
    // October is over: actual = forecast = 7 x 4 = 28 > 20 -> 140 %.
    const october = await budgets.budgetVsActual({ month: '2026-10', now });
    expect(october).toHaveLength(1);
    expectClose(october[0], {
      teamRef: TEAM_A,
      budget: 20,
      actual: 28,
      forecast: 28,
      percentUsed: 140,
      status: 'over',
    });
    expect(await budgets.budgetVsActual({ month: '2026-12', now })).toEqual([]);

    for (const bad of [
      { month: '2026-1' },
      { amount: -1 },
      { amount: Number.POSITIVE_INFINITY },
      { currency: 'usd' },
    ]) {
      await expect(
        budgets.setBudget({
          teamRef: TEAM_A,
          month: '2026-11',
          amount: 1,
          currency: 'USD',
          setBy: 'x',
          ...bad,
        }),
      ).rejects.toThrow(InputError);
    }
  });
});

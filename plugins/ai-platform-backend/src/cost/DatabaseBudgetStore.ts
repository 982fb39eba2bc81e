import type { Knex } from 'knex';
import {
  type TeamSpend,
  checkBudget,
  checkBudgetMonth,
  compareBudgets,
} from './budgets';
import type { DatabaseCostQueries } from './DatabaseCostQueries';
import { monthBounds, monthOf } from './periods';
import type { BudgetStore, BudgetVsActualRow, TeamBudget } from './types';

type BudgetRow = {
  team_ref: string;
  month: string;
  amount: number | string;
  currency: string;
  set_by: string;
  set_at: string;
};

function rowToBudget(row: BudgetRow): TeamBudget {
  return {
    teamRef: row.team_ref,
    month: row.month,
    amount: Number(row.amount),
    currency: row.currency,
    setBy: row.set_by,
    setAt: row.set_at,
  };
}

/** What a budget comparison reads of the costs. */
export type BudgetActuals = Pick<
  DatabaseCostQueries,
  'forecastMonth' | 'costs'
>;

/**
 * Team budgets per month on the plugin's database (SQLite or Postgres), and
 * each against what its team spent (the cost queries) and is forecast to
 * spend; the comparison itself is budgets.ts.
 */
export class DatabaseBudgetStore implements BudgetStore {
  static create(options: {
    knex: Knex;
    costs: BudgetActuals;
    now?: () => Date;
  }): DatabaseBudgetStore {
    return new DatabaseBudgetStore(
      options.knex,
      options.costs,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly knex: Knex,
    private readonly costs: BudgetActuals,
    private readonly now: () => Date,
  ) {}

  async setBudget(options: {
    teamRef: string;
    month: string;
    amount: number;
    currency: string;
    setBy: string;
  }): Promise<{ previous?: TeamBudget; budget: TeamBudget }> {
    checkBudget(options);
    const row: BudgetRow = {
      team_ref: options.teamRef,
      month: options.month,
      amount: options.amount,
      currency: options.currency,
      set_by: options.setBy,
      set_at: this.now().toISOString(),
    };
    const isPg = this.knex.client.config.client === 'pg';
    return this.knex.transaction(async tx => {
      const query = tx<BudgetRow>('team_budgets')
        .where({ team_ref: row.team_ref, month: row.month })
        .first();
      // SQLite serialises writers by itself and knex warns on FOR UPDATE there.
      const old = await (isPg ? query.forUpdate() : query);
      await tx('team_budgets')
        .insert(row)
        .onConflict(['team_ref', 'month'])
        .merge(['amount', 'currency', 'set_by', 'set_at']);
      return {
        ...(old ? { previous: rowToBudget(old) } : {}),
        budget: rowToBudget(row),
      };
    });
  }

  async listBudgets(options: { month: string }): Promise<TeamBudget[]> {
    checkBudgetMonth(options.month);
    const rows = await this.knex<BudgetRow>('team_budgets')
      .where('month', options.month)
      .orderBy('team_ref');
    return rows.map(rowToBudget);
  }

  async budgetVsActual(options: {
    month: string;
    now: number;
  }): Promise<BudgetVsActualRow[]> {
    const budgets = await this.listBudgets({ month: options.month });
    if (!budgets.length) return [];
    const current = monthOf(options.now);
    const spend: TeamSpend[] = [];
    if (options.month === current) {
      // This month: spent so far, and the forecast of the whole month.
      const f = await this.costs.forecastMonth({
        now: options.now,
        groupBy: 'team',
      });
      for (const g of f.groups ?? []) {
        spend.push({
          teamRef: g.key!,
          currency: g.currency,
          actual: g.monthToDate,
          forecast: g.forecast,
        });
      }
    } else if (options.month < current) {
      // A past month: what it cost is what it was forecast to cost.
      const bounds = monthBounds(options.month);
      const costs = await this.costs.costs({
        from: bounds.start,
        to: bounds.end,
        groupBy: 'team',
      });
      for (const c of costs.values()) {
        spend.push({
          teamRef: c.key!,
          currency: c.currency,
          actual: c.cost,
          forecast: c.cost,
        });
      }
    }
    return compareBudgets(budgets, spend);
  }
}

import type { BudgetStore, CostQueries, CostStore } from './types';

/**
 * The cost queries and the budgets as the one `costStore` the router takes
 * (service/createRouter.ts): a thin facade that only delegates.
 */
export function costStoreOf(
  costs: CostQueries,
  budgets: BudgetStore,
): CostStore {
  return {
    costSummary: options => costs.costSummary(options),
    topSpenders: options => costs.topSpenders(options),
    monthOverMonth: options => costs.monthOverMonth(options),
    forecastMonth: options => costs.forecastMonth(options),
    exportRows: options => costs.exportRows(options),
    setBudget: options => budgets.setBudget(options),
    listBudgets: options => budgets.listBudgets(options),
    budgetVsActual: options => budgets.budgetVsActual(options),
  };
}

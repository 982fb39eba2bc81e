/** Dimensions cost can be grouped by. */
export type CostGroupBy = 'team' | 'endpoint' | 'model' | 'pool' | 'cluster';

/** Time buckets of a cost series. */
export type CostGranularity = 'day' | 'month';

/** How much of the GPU-hours a figure rests on: none, some, or all of them. */
export type CostCoverage = 'none' | 'partial' | 'full';

/**
 * What the numbers rest on. Cost always rests on allocation (GPUs held x
 * time x pool price); idle figures rest on the GPU-hours whose utilisation
 * is known, token figures on the GPU-hours whose token counts are known.
 */
export type CostBasis = {
  allocation: true;
  utilization: CostCoverage;
  tokens: CostCoverage;
  /** Shares (0..1) of the GPU-hours by what they rest on; absent from older servers. */
  gpuHours?: GpuHoursBasis;
};

/**
 * What the GPU-hours rest on, as shares (0..1) of them: the pods the
 * collector listed in the clusters, an unreachable cluster's last known
 * state, the demo's generated history, or (before the collector read
 * clusters) the catalog's replicas.
 */
export type GpuHoursBasis = {
  clusterState: number;
  lastKnownState: number;
  demo: number;
  catalog: number;
};

/** Usage and cost of a set of rollup rows, in one currency. */
export type CostFigures = {
  /** ISO 4217 currency; figures are never converted between currencies. */
  currency: string;
  /** Sum of GPU-hours x price per GPU-hour. */
  cost: number;
  /** Sum of gpus x intervalSeconds / 3600. */
  gpuHours: number;
  /** Cost of the idle GPU-hours (only where utilisation is known). */
  idleCost: number;
  /** GPU-hours x (1 - utilisation), only where utilisation is known. */
  idleGpuHours: number;
  /** Share (0..1) of the GPU-hours whose utilisation is known. */
  utilizationCoverage: number;
  promptTokens: number;
  generationTokens: number;
  /** promptTokens + generationTokens. */
  tokens: number;
  /** Share (0..1) of the GPU-hours whose token counts are known. */
  tokenCoverage: number;
  /**
   * Cost of the GPU-hours with known token counts / tokens x 1e6; undefined
   * when there are no tokens.
   */
  costPerMillionTokens?: number;
  /**
   * The part of the token cost (the cost of the GPU-hours with known token
   * counts) allotted to prompt tokens (prefill), by the rule of docs/cost.md
   * ("Prompt and generation tokens"); undefined when no interval could be
   * split. generationTokenCost is the rest of the token cost.
   */
  promptTokenCost?: number;
  generationTokenCost?: number;
  /** promptTokenCost / promptTokens x 1e6; undefined without prompt tokens or a split. */
  costPerMillionPromptTokens?: number;
  /** generationTokenCost / generationTokens x 1e6; undefined without generated tokens or a split. */
  costPerMillionGenerationTokens?: number;
  /**
   * Share (0..1) of the GPU-hours with known token counts whose split rests
   * on measured prefill and decode time (vLLM's histograms); the rest is
   * split by token counts weighted with aiPlatform.cost.tokenSplit.generationWeight.
   */
  splitMeasuredShare?: number;
  /** Requests served (vLLM's request success counter), where counted. */
  requests?: number;
  /** Cost of the GPU-hours whose requests are counted / requests; undefined without requests. */
  costPerRequest?: number;
  /** Share (0..1) of the cost whose request counts are known. */
  requestCoverage?: number;
};

/** Figures of one group (team, endpoint, model, pool or cluster). */
export type CostGroupRow = CostFigures & {
  /** The entity ref (or cluster name) of the group. */
  key: string;
};

/** One point of a stacked cost chart. */
export type CostSeriesPoint = {
  /** 'YYYY-MM-DD' (granularity day) or 'YYYY-MM' (granularity month), UTC. */
  bucket: string;
  key: string;
  currency: string;
  cost: number;
  gpuHours: number;
};

/** Answer of `costSummary`. */
export type CostSummary = {
  /** The window answered, epoch seconds, [from, to) widened to whole hours. */
  from: number;
  to: number;
  groupBy: CostGroupBy;
  granularity?: CostGranularity;
  /** One entry per currency, highest cost first. */
  totals: CostFigures[];
  /** One entry per group and currency, highest cost first. */
  groups: CostGroupRow[];
  /** Present when a granularity was asked for; ordered by bucket, key. */
  series?: CostSeriesPoint[];
  basis: CostBasis;
};

/** Cost of a month against the month before, in one currency. */
export type MonthOverMonthRow = {
  /** The group, when grouped. */
  key?: string;
  currency: string;
  cost: number;
  previousCost: number;
  /** cost - previousCost. */
  change: number;
  /** change / previousCost x 100; undefined when previousCost is 0. */
  changePercent?: number;
};

/** Answer of `monthOverMonth`. */
export type MonthOverMonth = {
  month: string;
  previousMonth: string;
  totals: MonthOverMonthRow[];
  groups?: MonthOverMonthRow[];
};

/** The forecast of one currency (and group). */
export type ForecastRow = {
  key?: string;
  currency: string;
  /** Actual cost of the month so far, today's hours included. */
  monthToDate: number;
  /** Actual cost of the complete days of the month (today excluded). */
  completeDaysCost: number;
  /** Cost of the days the mean is taken over. */
  meanWindowCost: number;
  /** meanWindowCost / meanWindow.days. */
  meanDailyCost: number;
  /** completeDaysCost + meanDailyCost x remainingDays. */
  forecast: number;
};

/** What a month forecast rests on: the days, the mean window and the method. */
export type ForecastBasis = {
  /** The current UTC month, 'YYYY-MM'. */
  month: string;
  now: number;
  daysInMonth: number;
  /** Days of the month that ended before today (UTC); today counts as not complete. */
  completeDays: number;
  /** daysInMonth - completeDays (today included). */
  remainingDays: number;
  /** The complete days the mean daily cost is taken over, [from, to) epoch seconds. */
  meanWindow: {
    from: number;
    to: number;
    days: number;
    firstDay: string;
    lastDay: string;
  };
  /** The method, in words, with the days used. */
  method: string;
};

/** Answer of `forecastMonth`. */
export type MonthForecast = ForecastBasis & {
  totals: ForecastRow[];
  groups?: ForecastRow[];
};

/** A team's budget for one month. */
export type TeamBudget = {
  teamRef: string;
  /** 'YYYY-MM' (UTC). */
  month: string;
  amount: number;
  currency: string;
  setBy: string;
  /** ISO 8601 UTC. */
  setAt: string;
};

/** 'over' when actual > budget, 'at-risk' when forecast > budget, else 'under'. */
export type BudgetStatus = 'under' | 'at-risk' | 'over';

/** A team's budget against its cost in the budget's currency. */
export type BudgetVsActualRow = {
  teamRef: string;
  month: string;
  currency: string;
  budget: number;
  /** Month-to-date cost (the whole month for a past month). */
  actual: number;
  /** Forecast of the month (= actual for a past month). */
  forecast: number;
  /** actual / budget x 100; undefined when the budget is 0. */
  percentUsed?: number;
  /** forecast / budget x 100; undefined when the budget is 0. */
  forecastPercent?: number;
  status: BudgetStatus;
  setBy: string;
  setAt: string;
  /** Cost of the team in other currencies, not counted against the budget. */
  otherCurrencies: Array<{ currency: string; actual: number }>;
};

/** Answer of `GET /cost/top`: the biggest spenders of a window. */
export type CostTopSpenders = {
  from: number;
  to: number;
  groupBy: CostGroupBy;
  items: CostGroupRow[];
};

/** Answer of `GET /cost/budgets`. */
export type BudgetsResponse = { month: string; items: BudgetVsActualRow[] };

/** Answer of `PUT /cost/budgets`: the budget before and after. */
export type BudgetChange = { previous?: TeamBudget; budget: TeamBudget };

/** Formats of `GET /cost/export`. */
export type CostExportFormat = 'csv' | 'focus';

/**
 * One raw usage sample: what one endpoint held during one collector interval.
 * Written by the scheduled collector (and by the seed), rolled up hourly and
 * daily; queries read the rollups, never the raw samples.
 */
export type UsageSample = {
  /** Start of the interval, epoch seconds (UTC). */
  sampledAt: number;
  /** Length of the interval in seconds (e.g. 300 for a 5-minute collector). */
  intervalSeconds: number;
  /** InferenceEndpoint entity ref, e.g. `inferenceendpoint:default/chat-assistant-prod`. */
  endpointRef: string;
  /** Owning team (Group entity ref). */
  teamRef: string;
  /** Model entity ref served. */
  modelRef: string;
  /** Model version served. */
  modelVersion?: string;
  /** GpuPool entity ref. */
  poolRef: string;
  /** Cluster name (the pool's spec.cluster). */
  cluster: string;
  /** GPUs (or MIG slices) allocated during the interval; may be fractional as an average. */
  gpus: number;
  /** Mean GPU utilisation 0..1 during the interval (DCGM_FI_DEV_GPU_UTIL / 100), when known. */
  gpuUtilization?: number;
  /** Prompt tokens processed during the interval (vllm:prompt_tokens_total increase), when known. */
  promptTokens?: number;
  /** Generated tokens during the interval (vllm:generation_tokens_total increase), when known. */
  generationTokens?: number;
  /** Price of one GPU-hour on the pool at sample time (spec.costPerGpuHour.amount). */
  pricePerGpuHour: number;
  /** ISO 4217 currency of the price, e.g. USD. */
  currency: string;
};

/** Dimensions cost can be grouped by. */
export type CostGroupBy = 'team' | 'endpoint' | 'model' | 'pool' | 'cluster';

/** Time buckets of a cost series. */
export type CostGranularity = 'day' | 'month';

/** Ingest and rollup of raw usage samples. */
export interface UsageIngest {
  /** Inserts raw samples in multi-row batches (COPY-like speed on Postgres). */
  insertSamples(samples: UsageSample[]): Promise<void>;
  /**
   * Recomputes the hourly and daily rollups of every hour touched by samples
   * in [fromSeconds, toSeconds). Idempotent: running it twice gives the same rows.
   */
  rollup(options: { fromSeconds: number; toSeconds: number }): Promise<void>;
  /** Deletes raw samples older than the given time; rollups are kept. */
  pruneSamples(options: { beforeSeconds: number }): Promise<number>;
}

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

/** One row per endpoint (and pool, price currency) per UTC day, for CSV and FOCUS. */
export type UsageExportRow = {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  /** Start of the period covered, epoch seconds: the day's midnight, or the window's start on a partial first day. */
  periodStart: number;
  /** End of the period covered: the next midnight, or the window's end on a partial last day. */
  periodEnd: number;
  endpointRef: string;
  teamRef: string;
  modelRef: string;
  poolRef: string;
  cluster: string;
  currency: string;
  gpuHours: number;
  cost: number;
  utilizationKnownGpuHours: number;
  idleGpuHours: number;
  idleCost: number;
  tokenKnownGpuHours: number;
  tokenCost: number;
  promptTokens: number;
  generationTokens: number;
  tokens: number;
  costPerMillionTokens?: number;
  sampleCount: number;
};

/** Usage ingest plus the cost queries (which read rollups only). */
export interface CostStore extends UsageIngest {
  costSummary(options: {
    from: number;
    to: number;
    groupBy: CostGroupBy;
    granularity?: CostGranularity;
  }): Promise<CostSummary>;
  topSpenders(options: {
    from: number;
    to: number;
    groupBy: CostGroupBy;
    limit: number;
  }): Promise<CostGroupRow[]>;
  monthOverMonth(options: {
    month: string;
    groupBy?: CostGroupBy;
  }): Promise<MonthOverMonth>;
  forecastMonth(options: {
    now: number;
    groupBy?: CostGroupBy;
  }): Promise<MonthForecast>;
  setBudget(options: {
    teamRef: string;
    month: string;
    amount: number;
    currency: string;
    setBy: string;
  }): Promise<{ previous?: TeamBudget; budget: TeamBudget }>;
  listBudgets(options: { month: string }): Promise<TeamBudget[]>;
  budgetVsActual(options: {
    month: string;
    now: number;
  }): Promise<BudgetVsActualRow[]>;
  exportRows(options: { from: number; to: number }): Promise<UsageExportRow[]>;
}

import type {
  CostGroupBy,
  CostGranularity,
  CostGroupRow,
  CostSummary,
  MonthOverMonth,
  MonthForecast,
  TeamBudget,
  BudgetVsActualRow,
} from '@internal/plugin-ai-platform-common';

/** The API shapes, shared with the clients through -common. */
export type {
  CostGroupBy,
  CostGranularity,
  CostCoverage,
  CostBasis,
  GpuHoursBasis,
  CostFigures,
  CostGroupRow,
  CostSeriesPoint,
  CostSummary,
  MonthOverMonthRow,
  MonthOverMonth,
  ForecastRow,
  ForecastBasis,
  MonthForecast,
  TeamBudget,
  BudgetStatus,
  BudgetVsActualRow,
} from '@internal/plugin-ai-platform-common';
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
  /**
   * What `gpus` rests on: the pods listed in the cluster (`cluster-state`),
   * an unreachable cluster's last listed pods (`last-known-state`), or the
   * demo's generated history (`demo`). Absent on samples of the catalog's
   * replicas, written before the collector read clusters.
   */
  gpusBasis?: 'cluster-state' | 'last-known-state' | 'demo';
  /** `prometheus` when the token counts and utilisation were read from it. */
  metricsBasis?: 'prometheus';
  /**
   * Share (0..1) of the sample's cost allotted to prompt tokens (see
   * tokenSplit.ts); absent when the interval could not be split.
   */
  promptShare?: number;
  /** What promptShare rests on: measured prefill/decode time, or weighted token counts. */
  splitBasis?: 'measured' | 'weighted';
  /** Requests served during the interval (vllm:request_success_total increase), when known. */
  requests?: number;
};

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
  /** The split of tokenCost (tokenSplit.ts); undefined when nothing was split. */
  promptTokenCost?: number;
  generationTokenCost?: number;
  costPerMillionPromptTokens?: number;
  costPerMillionGenerationTokens?: number;
  /** GPU-hours with known tokens whose split rests on measured prefill/decode time. */
  splitMeasuredGpuHours?: number;
  /** Requests served, where counted. */
  requests?: number;
  costPerRequest?: number;
};

/** The cost queries (they read rollups only). */
export interface CostQueries {
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
  exportRows(options: { from: number; to: number }): Promise<UsageExportRow[]>;
}

/** Team budgets, and each against what its team spent and is forecast to spend. */
export interface BudgetStore {
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
}

/** What the cost routes use: the cost queries and the budgets. */
export type CostStore = CostQueries & BudgetStore;

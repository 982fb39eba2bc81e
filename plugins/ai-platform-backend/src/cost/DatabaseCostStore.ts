import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import { applyForecast, planForecast } from './forecast';
import { exportSplit, splitFigures } from './tokenSplit';
import {
  DAY,
  HOUR,
  ceilMonth,
  ceilTo,
  dayOf,
  floorMonth,
  floorTo,
  isMonth,
  monthBounds,
  monthOf,
  nextMonth,
  previousMonth,
} from './periods';
import type {
  BudgetStatus,
  BudgetVsActualRow,
  CostBasis,
  CostCoverage,
  GpuHoursBasis,
  CostFigures,
  CostGranularity,
  CostGroupBy,
  CostGroupRow,
  CostSeriesPoint,
  CostStore,
  CostSummary,
  ForecastRow,
  MonthForecast,
  MonthOverMonth,
  MonthOverMonthRow,
  TeamBudget,
  UsageExportRow,
  UsageSample,
} from './types';

/** The dimensions of a rollup row (besides currency and time). */
type Dim = 'endpoint_ref' | 'team_ref' | 'model_ref' | 'pool_ref' | 'cluster';

const GROUP_COLUMN: Record<CostGroupBy, Dim> = {
  team: 'team_ref',
  endpoint: 'endpoint_ref',
  model: 'model_ref',
  pool: 'pool_ref',
  cluster: 'cluster',
};

const ALL_DIMS: Dim[] = [
  'endpoint_ref',
  'team_ref',
  'model_ref',
  'pool_ref',
  'cluster',
];

/** The sums a rollup row carries. */
type Agg = {
  gpuHours: number;
  cost: number;
  utilGpuHours: number;
  idleGpuHours: number;
  idleCost: number;
  tokenGpuHours: number;
  tokenCost: number;
  promptTokens: number;
  generationTokens: number;
  sampleCount: number;
  /** GPU-hours read from the cluster state. */
  clusterGpuHours: number;
  /** GPU-hours from an unreachable cluster's last known state. */
  lastKnownGpuHours: number;
  /** GPU-hours of the demo's generated history. */
  demoGpuHours: number;
  /** The sums the prompt/generation split rests on (tokenSplit.ts). */
  promptTokenCost: number;
  splitCost: number;
  splitMeasuredGpuHours: number;
  requests: number;
  requestCost: number;
};

/** Summed rollup rows of one combination of dimensions (and day). */
type Bucket = Agg & {
  dims: Partial<Record<Dim, string>>;
  currency: string;
  /** Start of the day or month (UTC), when read by day or by month. */
  label?: number;
};

const emptyAgg = (): Agg => ({
  gpuHours: 0,
  cost: 0,
  utilGpuHours: 0,
  idleGpuHours: 0,
  idleCost: 0,
  tokenGpuHours: 0,
  tokenCost: 0,
  promptTokens: 0,
  generationTokens: 0,
  sampleCount: 0,
  clusterGpuHours: 0,
  lastKnownGpuHours: 0,
  demoGpuHours: 0,
  promptTokenCost: 0,
  splitCost: 0,
  splitMeasuredGpuHours: 0,
  requests: 0,
  requestCost: 0,
});

const AGG_KEYS = Object.keys(emptyAgg()) as Array<keyof Agg>;

/** into += sign x from. */
function addAgg(into: Agg, from: Agg, sign = 1): void {
  for (const k of AGG_KEYS) into[k] += sign * from[k];
}

/** The sums as SQL, in the order of AGG_COLUMNS. */
const AGG_COLUMNS = [
  'gpu_hours',
  'cost',
  'util_gpu_hours',
  'idle_gpu_hours',
  'idle_cost',
  'token_gpu_hours',
  'token_cost',
  'prompt_tokens',
  'generation_tokens',
  'sample_count',
  'cluster_gpu_hours',
  'last_known_gpu_hours',
  'demo_gpu_hours',
  'prompt_token_cost',
  'split_cost',
  'split_measured_gpu_hours',
  'requests',
  'request_cost',
] as const;

type AggRow = Record<(typeof AGG_COLUMNS)[number], number | string | null>;

function rowToAgg(row: AggRow): Agg {
  const n = (v: number | string | null) => (v === null ? 0 : Number(v));
  return {
    gpuHours: n(row.gpu_hours),
    cost: n(row.cost),
    utilGpuHours: n(row.util_gpu_hours),
    idleGpuHours: n(row.idle_gpu_hours),
    idleCost: n(row.idle_cost),
    tokenGpuHours: n(row.token_gpu_hours),
    tokenCost: n(row.token_cost),
    promptTokens: n(row.prompt_tokens),
    generationTokens: n(row.generation_tokens),
    sampleCount: n(row.sample_count),
    clusterGpuHours: n(row.cluster_gpu_hours),
    lastKnownGpuHours: n(row.last_known_gpu_hours),
    demoGpuHours: n(row.demo_gpu_hours),
    promptTokenCost: n(row.prompt_token_cost),
    splitCost: n(row.split_cost),
    splitMeasuredGpuHours: n(row.split_measured_gpu_hours),
    requests: n(row.requests),
    requestCost: n(row.request_cost),
  };
}

/** Relative slack when deciding that a coverage is full. */
const FULL = 1 - 1e-9;

function coverage(part: number, whole: number): CostCoverage {
  if (whole <= 0 || part <= 0) return 'none';
  return part >= whole * FULL ? 'full' : 'partial';
}

function share(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.min(1, part / whole);
}

/** Shares of the GPU-hours by what they rest on (the rest: catalog replicas, before the collector read clusters). */
function gpuHoursBasis(a: Agg): GpuHoursBasis {
  const clusterState = share(a.clusterGpuHours, a.gpuHours);
  const lastKnownState = share(a.lastKnownGpuHours, a.gpuHours);
  const demo = share(a.demoGpuHours, a.gpuHours);
  return {
    clusterState,
    lastKnownState,
    demo,
    catalog:
      a.gpuHours > 0
        ? Math.max(0, 1 - clusterState - lastKnownState - demo)
        : 0,
  };
}

function figures(currency: string, a: Agg): CostFigures {
  const tokens = a.promptTokens + a.generationTokens;
  return {
    currency,
    cost: a.cost,
    gpuHours: a.gpuHours,
    idleCost: a.idleCost,
    idleGpuHours: a.idleGpuHours,
    utilizationCoverage: share(a.utilGpuHours, a.gpuHours),
    promptTokens: a.promptTokens,
    generationTokens: a.generationTokens,
    tokens,
    tokenCoverage: share(a.tokenGpuHours, a.gpuHours),
    costPerMillionTokens: tokens > 0 ? (a.tokenCost / tokens) * 1e6 : undefined,
    ...splitFigures(a),
  };
}

const byCostDesc = (
  a: { cost: number; currency: string; key?: string },
  b: typeof a,
) =>
  b.cost - a.cost ||
  a.currency.localeCompare(b.currency) ||
  (a.key ?? '').localeCompare(b.key ?? '');

/** Sums buckets by a key function. */
function sumBy<K extends string>(
  buckets: Bucket[],
  keyOf: (b: Bucket) => K,
): Map<K, { first: Bucket; agg: Agg }> {
  const out = new Map<K, { first: Bucket; agg: Agg }>();
  for (const b of buckets) {
    const k = keyOf(b);
    let e = out.get(k);
    if (!e) {
      e = { first: b, agg: emptyAgg() };
      out.set(k, e);
    }
    addAgg(e.agg, b);
  }
  return out;
}

type RollupTable = 'usage_hourly' | 'usage_daily' | 'usage_monthly';

/**
 * A part of a window and the rollup it is read from; `subtract` parts are
 * taken away from a month read whole.
 */
export type WindowPart = {
  table: RollupTable;
  from: number;
  to: number;
  subtract?: true;
};

/**
 * Hours at the edges, whole days between. Every hourly part lies within one
 * UTC day.
 */
function dayParts(from: number, to: number): WindowPart[] {
  if (from >= to) return [];
  const dayFrom = ceilTo(from, DAY);
  const dayTo = floorTo(to, DAY);
  if (dayFrom > dayTo) return [{ table: 'usage_hourly', from, to }];
  const parts: WindowPart[] = [];
  if (from < dayFrom) parts.push({ table: 'usage_hourly', from, to: dayFrom });
  if (dayFrom < dayTo) {
    parts.push({ table: 'usage_daily', from: dayFrom, to: dayTo });
  }
  if (dayTo < to) parts.push({ table: 'usage_hourly', from: dayTo, to });
  return parts;
}

/** Rollup rows per series (endpoint and so on) that the parts read. */
function rowsRead(parts: WindowPart[]): number {
  let rows = 0;
  for (const p of parts) {
    if (p.table === 'usage_hourly') rows += (p.to - p.from) / HOUR;
    else if (p.table === 'usage_daily') rows += (p.to - p.from) / DAY;
    else rows += 1;
  }
  return rows;
}

/**
 * [from, to) within one UTC month: its days and hours, or, when that reads
 * fewer rows, the month's row less the days and hours of the month outside
 * the window (e.g. a month to date: the month, less nothing or little).
 */
function monthPiece(from: number, to: number): WindowPart[] {
  if (from >= to) return [];
  const direct = dayParts(from, to);
  const monthStart = floorMonth(from);
  const monthEnd = nextMonth(from);
  const complement: WindowPart[] = [
    { table: 'usage_monthly', from: monthStart, to: monthEnd },
    ...[...dayParts(monthStart, from), ...dayParts(to, monthEnd)].map(p => ({
      ...p,
      subtract: true as const,
    })),
  ];
  return rowsRead(complement) < rowsRead(direct) ? complement : direct;
}

/**
 * The parts of a window [from, to) (whole hours) and the rollup each is read
 * from: whole months from usage_monthly (unless `months` is false), whole
 * days from usage_daily, the remaining hours from usage_hourly; a part of a
 * month may be read as the month less the rest of it, when that reads fewer
 * rows. Every daily part lies within one UTC month, every hourly part within
 * one UTC day.
 */
export function splitWindow(
  from: number,
  to: number,
  options: { months?: boolean } = {},
): WindowPart[] {
  if (from >= to) return [];
  if (options.months === false) return dayParts(from, to);
  const monthFrom = ceilMonth(from);
  const monthTo = floorMonth(to);
  if (monthFrom > monthTo) return monthPiece(from, to);
  return [
    ...monthPiece(from, monthFrom),
    ...(monthFrom < monthTo
      ? [{ table: 'usage_monthly' as const, from: monthFrom, to: monthTo }]
      : []),
    ...monthPiece(monthTo, to),
  ];
}

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

/** The columns of usage_samples written by insertSamples, in order. */
const SAMPLE_COLUMNS = [
  'sampled_at',
  'interval_seconds',
  'endpoint_ref',
  'team_ref',
  'model_ref',
  'model_version',
  'pool_ref',
  'cluster',
  'gpus',
  'gpu_utilization',
  'prompt_tokens',
  'generation_tokens',
  'price_per_gpu_hour',
  'currency',
  'gpus_basis',
  'metrics_basis',
  'prompt_share',
  'split_basis',
  'requests',
] as const;

/** The text columns of usage_samples and their index in SAMPLE_COLUMNS. */
const TEXT_COLUMNS = [
  'endpoint_ref',
  'team_ref',
  'model_ref',
  'model_version',
  'pool_ref',
  'cluster',
  'currency',
  'gpus_basis',
  'metrics_basis',
  'split_basis',
] as const;
const TEXT_INDEXES = TEXT_COLUMNS.map(c => SAMPLE_COLUMNS.indexOf(c));

/** The number columns of usage_samples, their Postgres type and index in SAMPLE_COLUMNS. */
const NUMBER_COLUMNS = [
  'sampled_at',
  'interval_seconds',
  'gpus',
  'gpu_utilization',
  'prompt_tokens',
  'generation_tokens',
  'price_per_gpu_hour',
  'prompt_share',
  'requests',
] as const;
const NUMBER_PG_TYPES = [
  'bigint',
  'integer',
  'double precision',
  'double precision',
  'bigint',
  'bigint',
  'double precision',
  'double precision',
  'bigint',
] as const;
const NUMBER_INDEXES = NUMBER_COLUMNS.map(c => SAMPLE_COLUMNS.indexOf(c));

/**
 * A Postgres array literal of numbers. String(n) is the shortest text that
 * reads back as the same double; the integers are safe integers.
 */
function pgNumberArray(values: Array<number | null>): string {
  return `{${values.map(v => (v === null ? 'NULL' : String(v))).join(',')}}`;
}

/** A Postgres array literal of text, every element quoted. */
function pgTextArray(values: Array<string | null>): string {
  return `{${values
    .map(v => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`))
    .join(',')}}`;
}

type SampleValues = [
  number,
  number,
  string,
  string,
  string,
  string | null,
  string,
  string,
  number,
  number | null,
  number | null,
  number | null,
  number,
  string,
  string | null,
  string | null,
  number | null,
  string | null,
  number | null,
];

function checkSample(s: UsageSample, index: number): SampleValues {
  const fail = (what: string): never => {
    throw new InputError(`Usage sample ${index}: ${what}`);
  };
  const text = (v: unknown, name: string) =>
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= 255 &&
    !v.includes('\u0000')
      ? v
      : fail(`${name} must be a non-empty string of at most 255 characters`);
  const count = (v: number | undefined, name: string) => {
    if (v === undefined || v === null) return null;
    return Number.isSafeInteger(v) && v >= 0
      ? v
      : fail(`${name} must be a non-negative integer`);
  };
  if (!Number.isSafeInteger(s.sampledAt) || s.sampledAt < 0) {
    fail('sampledAt must be whole epoch seconds');
  }
  if (
    !Number.isSafeInteger(s.intervalSeconds) ||
    s.intervalSeconds <= 0 ||
    s.intervalSeconds > 2_147_483_647
  ) {
    fail('intervalSeconds must be a positive integer');
  }
  if (!Number.isFinite(s.gpus) || s.gpus < 0) {
    fail('gpus must be a non-negative number');
  }
  if (
    s.gpuUtilization !== undefined &&
    s.gpuUtilization !== null &&
    !(
      Number.isFinite(s.gpuUtilization) &&
      s.gpuUtilization >= 0 &&
      s.gpuUtilization <= 1
    )
  ) {
    fail('gpuUtilization must be between 0 and 1');
  }
  if (!Number.isFinite(s.pricePerGpuHour) || s.pricePerGpuHour < 0) {
    fail('pricePerGpuHour must be a non-negative number');
  }
  if (typeof s.currency !== 'string' || !/^[A-Za-z]{3,16}$/.test(s.currency)) {
    fail('currency must be an ISO 4217 code');
  }
  if (
    s.gpusBasis !== undefined &&
    !['cluster-state', 'last-known-state', 'demo'].includes(s.gpusBasis)
  ) {
    fail('gpusBasis must be cluster-state, last-known-state or demo');
  }
  if (s.metricsBasis !== undefined && s.metricsBasis !== 'prometheus') {
    fail('metricsBasis must be prometheus');
  }
  const hasShare = s.promptShare !== undefined && s.promptShare !== null;
  if (
    hasShare &&
    !(
      Number.isFinite(s.promptShare) &&
      s.promptShare! >= 0 &&
      s.promptShare! <= 1
    )
  ) {
    fail('promptShare must be between 0 and 1');
  }
  if (
    hasShare
      ? s.splitBasis !== 'measured' && s.splitBasis !== 'weighted'
      : s.splitBasis !== undefined && s.splitBasis !== null
  ) {
    fail('splitBasis must be measured or weighted, and only with promptShare');
  }
  return [
    s.sampledAt,
    s.intervalSeconds,
    text(s.endpointRef, 'endpointRef'),
    text(s.teamRef, 'teamRef'),
    text(s.modelRef, 'modelRef'),
    s.modelVersion === undefined || s.modelVersion === null
      ? null
      : text(s.modelVersion, 'modelVersion'),
    text(s.poolRef, 'poolRef'),
    text(s.cluster, 'cluster'),
    s.gpus,
    s.gpuUtilization ?? null,
    count(s.promptTokens, 'promptTokens'),
    count(s.generationTokens, 'generationTokens'),
    s.pricePerGpuHour,
    s.currency,
    s.gpusBasis ?? null,
    s.metricsBasis ?? null,
    hasShare ? s.promptShare! : null,
    hasShare ? s.splitBasis! : null,
    count(s.requests, 'requests'),
  ];
}

/** A statement and its bindings. */
type Statement = { sql: string; bindings: Knex.RawBinding[] };

const UNNEST_SQL =
  `INSERT INTO usage_samples (${[...NUMBER_COLUMNS, ...TEXT_COLUMNS].join(
    ', ',
  )}) ` +
  `SELECT ${NUMBER_COLUMNS.map(c => `s.${c}`).join(', ')}, ` +
  `${TEXT_COLUMNS.map(c => `d.${c}`).join(', ')} ` +
  `FROM unnest(${NUMBER_PG_TYPES.map(type => `?::${type}[]`).join(
    ', ',
  )}, ?::integer[]) ` +
  `AS s(${NUMBER_COLUMNS.join(', ')}, dim) ` +
  `JOIN unnest(${TEXT_COLUMNS.map(() => '?::text[]').join(
    ', ',
  )}) WITH ORDINALITY ` +
  `AS d(${TEXT_COLUMNS.join(', ')}, n) ON d.n = s.dim`;

/**
 * Postgres: `INSERT ... SELECT FROM unnest(...)`, one array parameter per
 * column whatever the number of rows. The text columns repeat per endpoint,
 * so they travel once per distinct combination (a dictionary joined by
 * ordinal) and each row carries its number: the server parses numbers only,
 * which is about twice as fast as parsing text arrays.
 */
function unnestStatement(batch: SampleValues[]): Statement {
  const dictionary = new Map<string, number>();
  const texts: Array<Array<string | null>> = TEXT_COLUMNS.map(() => []);
  const numbers: Array<Array<number | null>> = NUMBER_COLUMNS.map(() => []);
  const dims: number[] = [];
  for (const row of batch) {
    // Strings are non-empty and free of NUL: an empty part is a null.
    let key = '';
    for (const c of TEXT_INDEXES) key += `${row[c] ?? ''}\u0000`;
    let n = dictionary.get(key);
    if (n === undefined) {
      n = dictionary.size + 1;
      dictionary.set(key, n);
      for (let j = 0; j < TEXT_INDEXES.length; j++) {
        texts[j].push(row[TEXT_INDEXES[j]] as string | null);
      }
    }
    dims.push(n);
    for (let j = 0; j < NUMBER_INDEXES.length; j++) {
      numbers[j].push(row[NUMBER_INDEXES[j]] as number | null);
    }
  }
  return {
    sql: UNNEST_SQL,
    bindings: [
      ...numbers.map(pgNumberArray),
      pgNumberArray(dims),
      ...texts.map(pgTextArray),
    ],
  };
}

const VALUES_ROW = `(${SAMPLE_COLUMNS.map(() => '?').join(', ')})`;

/**
 * Other engines: multi-row VALUES (knex's own multi-row insert on SQLite is
 * a UNION ALL, which SQLite limits to 500 rows).
 */
function valuesStatement(batch: SampleValues[]): Statement {
  return {
    sql:
      `INSERT INTO usage_samples (${SAMPLE_COLUMNS.join(', ')}) ` +
      `VALUES ${batch.map(() => VALUES_ROW).join(', ')}`,
    bindings: batch.flat(),
  };
}

/** GPU-hours of a sample, in SQL. */
const GPU_HOURS = '(gpus * interval_seconds / 3600.0)';
const UTIL_KNOWN = 'gpu_utilization IS NOT NULL';
const TOKENS_KNOWN =
  '(prompt_tokens IS NOT NULL OR generation_tokens IS NOT NULL)';
const SPLIT = `${TOKENS_KNOWN} AND prompt_share IS NOT NULL`;

/** The rollup columns written by a rollup, in order. */
const ROLLUP_COLUMNS = [
  'bucket_start',
  ...ALL_DIMS,
  'currency',
  ...AGG_COLUMNS,
].join(', ');

/** The sums of raw samples, in the order of AGG_COLUMNS. */
const SAMPLE_SUMS = [
  `SUM(${GPU_HOURS})`,
  `SUM(${GPU_HOURS} * price_per_gpu_hour)`,
  `SUM(CASE WHEN ${UTIL_KNOWN} THEN ${GPU_HOURS} ELSE 0 END)`,
  `SUM(CASE WHEN ${UTIL_KNOWN} THEN ${GPU_HOURS} * (1 - gpu_utilization) ELSE 0 END)`,
  `SUM(CASE WHEN ${UTIL_KNOWN} THEN ${GPU_HOURS} * (1 - gpu_utilization) * price_per_gpu_hour ELSE 0 END)`,
  `SUM(CASE WHEN ${TOKENS_KNOWN} THEN ${GPU_HOURS} ELSE 0 END)`,
  `SUM(CASE WHEN ${TOKENS_KNOWN} THEN ${GPU_HOURS} * price_per_gpu_hour ELSE 0 END)`,
  'COALESCE(SUM(prompt_tokens), 0)',
  'COALESCE(SUM(generation_tokens), 0)',
  'COUNT(*)',
  `SUM(CASE WHEN gpus_basis = 'cluster-state' THEN ${GPU_HOURS} ELSE 0 END)`,
  `SUM(CASE WHEN gpus_basis = 'last-known-state' THEN ${GPU_HOURS} ELSE 0 END)`,
  `SUM(CASE WHEN gpus_basis = 'demo' THEN ${GPU_HOURS} ELSE 0 END)`,
  `SUM(CASE WHEN ${SPLIT} THEN ${GPU_HOURS} * price_per_gpu_hour * prompt_share ELSE 0 END)`,
  `SUM(CASE WHEN ${SPLIT} THEN ${GPU_HOURS} * price_per_gpu_hour ELSE 0 END)`,
  `SUM(CASE WHEN ${SPLIT} AND split_basis = 'measured' THEN ${GPU_HOURS} ELSE 0 END)`,
  'COALESCE(SUM(requests), 0)',
  `SUM(CASE WHEN requests IS NOT NULL THEN ${GPU_HOURS} * price_per_gpu_hour ELSE 0 END)`,
].join(', ');

/** The sums of rollup rows, in the order of AGG_COLUMNS, named as the columns. */
const ROLLUP_SUMS = AGG_COLUMNS.map(c => `SUM(${c}) AS ${c}`).join(', ');

const DIMS_SQL = [...ALL_DIMS, 'currency'].join(', ');

/**
 * Bucket start of an epoch-seconds column: `t - (t % step)`, integer
 * arithmetic on both engines (bigint on Postgres, INTEGER on SQLite).
 */
const bucketOf = (column: string, step: number) =>
  `(${column} - (${column} % ${step}))`;

/** Serialises rollups across replicas on Postgres. */
const ROLLUP_LOCK_KEY = 727_020;

/**
 * Usage samples, their hourly, daily and monthly rollups, team budgets, and
 * the cost queries, on the plugin's database (SQLite or Postgres). Queries
 * read the rollups only, never the raw samples. Rollups: an hour is the sum
 * of the raw samples that start in it, a day the sum of its hours, a month
 * the sum of its days.
 */
export class DatabaseCostStore implements CostStore {
  static create(options: {
    knex: Knex;
    now?: () => Date;
    /** Rows per INSERT statement; defaults: 10,000 on Postgres (unnest), as many as SQLite's bound-variable limit allows elsewhere (1,724). */
    batchSize?: number;
  }): DatabaseCostStore {
    const isPg = options.knex.client.config.client === 'pg';
    // SQLite allows 32,766 bound variables per statement (one per column).
    const sqliteMax = Math.floor(32_766 / SAMPLE_COLUMNS.length);
    const batchSize = options.batchSize ?? (isPg ? 10_000 : sqliteMax);
    return new DatabaseCostStore(
      options.knex,
      options.now ?? (() => new Date()),
      isPg,
      Math.max(1, Math.min(batchSize, isPg ? 1_000_000 : sqliteMax)),
    );
  }

  private constructor(
    private readonly knex: Knex,
    private readonly now: () => Date,
    private readonly isPg: boolean,
    private readonly batchSize: number,
  ) {}

  // ---------------------------------------------------------------- ingest

  async insertSamples(samples: UsageSample[]): Promise<void> {
    if (!samples.length) return;
    // Everything is checked before anything is written.
    const values = samples.map(checkSample);
    await this.knex.transaction(async tx => {
      // Pipelined: the next statement is built while the server runs the
      // previous one (knex starts a query when it is awaited or then-ed).
      let running: Promise<void> | undefined;
      for (let i = 0; i < values.length; i += this.batchSize) {
        const batch = values.slice(i, i + this.batchSize);
        const statement = this.isPg
          ? unnestStatement(batch)
          : valuesStatement(batch);
        await running;
        const started = tx
          .raw(statement.sql, statement.bindings)
          .then(() => undefined);
        // Awaited on the next turn; until then it must not count as unhandled.
        started.catch(() => {});
        running = started;
        // Let the query go out on the connection before building the next one.
        await new Promise(resolve => setImmediate(resolve));
      }
      await running;
    });
  }

  async rollup(options: {
    fromSeconds: number;
    toSeconds: number;
  }): Promise<void> {
    const { fromSeconds, toSeconds } = options;
    if (!Number.isFinite(fromSeconds) || !Number.isFinite(toSeconds)) {
      throw new InputError('rollup needs a finite window');
    }
    if (fromSeconds >= toSeconds) return;
    const hourFrom = floorTo(fromSeconds, HOUR);
    const hourTo = ceilTo(toSeconds, HOUR);
    const dayFrom = floorTo(fromSeconds, DAY);
    const dayTo = ceilTo(toSeconds, DAY);
    await this.knex.transaction(async tx => {
      if (this.isPg) {
        await tx.raw('SELECT pg_advisory_xact_lock(?)', [ROLLUP_LOCK_KEY]);
      }
      // Hours that have raw samples are recomputed from them; hours without
      // (never sampled, or pruned) keep their rollups.
      await tx.raw(
        `DELETE FROM usage_hourly WHERE bucket_start >= ? AND bucket_start < ? ` +
          `AND bucket_start IN (SELECT ${bucketOf('sampled_at', HOUR)} ` +
          `FROM usage_samples WHERE sampled_at >= ? AND sampled_at < ?)`,
        [hourFrom, hourTo, hourFrom, hourTo],
      );
      await tx.raw(
        `INSERT INTO usage_hourly (${ROLLUP_COLUMNS}) ` +
          `SELECT ${bucketOf(
            'sampled_at',
            HOUR,
          )}, ${DIMS_SQL}, ${SAMPLE_SUMS} ` +
          `FROM usage_samples WHERE sampled_at >= ? AND sampled_at < ? ` +
          `GROUP BY ${bucketOf('sampled_at', HOUR)}, ${DIMS_SQL}`,
        [hourFrom, hourTo],
      );
      // Days are the sums of their hours, months the sums of their days.
      await this.rollUp(tx, {
        target: 'usage_daily',
        source: 'usage_hourly',
        bucket: bucketOf('bucket_start', DAY),
        from: dayFrom,
        to: dayTo,
      });
      for (
        let month = floorMonth(dayFrom);
        month < dayTo;
        month = nextMonth(month)
      ) {
        await this.rollUp(tx, {
          target: 'usage_monthly',
          source: 'usage_daily',
          bucket: `CAST(${month} AS BIGINT)`,
          from: month,
          to: nextMonth(month),
        });
      }
    });
  }

  /**
   * Rewrites the rows of `target` for [from, to) as the sums of `source`'s
   * rows there, bucketed by the `bucket` expression. An upsert, not a delete
   * and insert: a daily or monthly row is rewritten by every rollup of its
   * day or month (each collector run), and an update of its sums alone (no
   * indexed column) is a HOT update on Postgres, which the pages' free space
   * (the tables' fillfactor) absorbs without leaving dead rows to vacuum.
   * Rows whose series has no source rows left are removed.
   */
  private async rollUp(
    tx: Knex.Transaction,
    options: {
      target: 'usage_daily' | 'usage_monthly';
      source: 'usage_hourly' | 'usage_daily';
      bucket: string;
      from: number;
      to: number;
    },
  ): Promise<void> {
    const { target, source, bucket, from, to } = options;
    const keys = `bucket_start, ${DIMS_SQL}`;
    await tx.raw(
      `DELETE FROM ${target} WHERE bucket_start >= ? AND bucket_start < ? ` +
        `AND (${keys}) NOT IN (SELECT ${bucket}, ${DIMS_SQL} FROM ${source} ` +
        `WHERE bucket_start >= ? AND bucket_start < ?)`,
      [from, to, from, to],
    );
    await tx.raw(
      `INSERT INTO ${target} (${ROLLUP_COLUMNS}) ` +
        `SELECT ${bucket}, ${DIMS_SQL}, ` +
        `${AGG_COLUMNS.map(c => `SUM(${c})`).join(', ')} ` +
        `FROM ${source} WHERE bucket_start >= ? AND bucket_start < ? ` +
        `GROUP BY ${bucket}, ${DIMS_SQL} ` +
        `ON CONFLICT (${keys}) DO UPDATE SET ${AGG_COLUMNS.map(
          c => `${c} = excluded.${c}`,
        ).join(', ')}`,
      [from, to],
    );
  }

  /** Start of the newest raw sample, epoch seconds; undefined when there is none. */
  async lastSampledAt(): Promise<number | undefined> {
    const row = await this.knex('usage_samples')
      .max({ last: 'sampled_at' })
      .first();
    const last = row?.last;
    return last === null || last === undefined ? undefined : Number(last);
  }

  /** The end of the newest raw sample (its start plus its interval). */
  async lastSampleEnd(): Promise<number | undefined> {
    const row = await this.knex('usage_samples')
      .max({ last: this.knex.raw('sampled_at + interval_seconds') })
      .first();
    const last = row?.last;
    return last === null || last === undefined ? undefined : Number(last);
  }

  /** Whether any usage is stored, raw or rolled up (raw samples get pruned). */
  async hasAnySamples(): Promise<boolean> {
    for (const table of ['usage_samples', 'usage_daily', 'usage_monthly']) {
      if (await this.knex(table).select(this.knex.raw('1')).first()) {
        return true;
      }
    }
    return false;
  }

  async pruneSamples(options: { beforeSeconds: number }): Promise<number> {
    // Whole hours only: a re-rollup of an hour recomputes it from the raw
    // samples left, so an hour must keep all of its samples or none.
    const before = floorTo(options.beforeSeconds, HOUR);
    const deleted = await this.knex('usage_samples')
      .where('sampled_at', '<', before)
      .delete();
    return Number(deleted);
  }

  // ---------------------------------------------------------------- reading

  /**
   * Sums rollup rows of [from, to) (whole hours) by the given dimensions and
   * currency, and by day or month when asked: whole months from
   * usage_monthly (not when by day), whole days from usage_daily, the hours
   * of partial days at the edges from usage_hourly; a partial month may be
   * read as its monthly row less the days and hours outside the window
   * (see splitWindow).
   */
  private async read(options: {
    from: number;
    to: number;
    dims: Dim[];
    by?: CostGranularity;
  }): Promise<Bucket[]> {
    const { dims, by } = options;
    const parts = splitWindow(options.from, options.to, {
      months: by !== 'day',
    });
    // The parts are independent: on Postgres they run side by side.
    const results = await Promise.all(
      parts.map(async part => {
        // The day or month of the part's rows: the bucket of the rows when
        // the table's buckets are the asked ones, else the one the part lies in.
        let fixed: number | undefined;
        let grouped = false;
        if (by === 'day') {
          if (part.table === 'usage_hourly') fixed = floorTo(part.from, DAY);
          else grouped = true;
        } else if (by === 'month') {
          if (part.table === 'usage_monthly') grouped = true;
          else fixed = floorMonth(part.from);
        }
        const keys = [
          ...dims,
          'currency',
          ...(grouped ? ['bucket_start'] : []),
        ];
        const rows = this.rowsOf(
          await this.knex.raw(
            `SELECT ${keys.join(', ')}, ${ROLLUP_SUMS} FROM ${part.table} ` +
              `WHERE bucket_start >= ? AND bucket_start < ? ` +
              `GROUP BY ${keys.join(', ')}`,
            [part.from, part.to],
          ),
        );
        return { rows, fixed, grouped, sign: part.subtract ? -1 : 1 };
      }),
    );
    const merged = new Map<string, Bucket>();
    // Per bucket, the sums of the magnitudes added and taken away: what is
    // left of a subtraction below a float's noise of them is nothing.
    const scales = new Map<Bucket, Agg>();
    for (const { rows, fixed, grouped, sign } of results) {
      for (const row of rows) {
        const dimValues: Partial<Record<Dim, string>> = {};
        for (const d of dims) dimValues[d] = String(row[d]);
        const currency = String(row.currency);
        const label = grouped ? Number(row.bucket_start) : fixed;
        let key = `${currency}\u0000${label ?? ''}`;
        for (const d of dims) key += `\u0000${dimValues[d]}`;
        let bucket = merged.get(key);
        if (!bucket) {
          bucket = { ...emptyAgg(), dims: dimValues, currency, label };
          merged.set(key, bucket);
        }
        const agg = rowToAgg(row as unknown as AggRow);
        if (sign > 0 && !scales.has(bucket)) {
          addAgg(bucket, agg);
          continue;
        }
        const scale = scales.get(bucket) ?? { ...bucket };
        scales.set(bucket, scale);
        addAgg(bucket, agg, sign);
        addAgg(scale, agg);
      }
    }
    for (const [bucket, scale] of scales) {
      for (const k of AGG_KEYS) {
        if (bucket[k] <= scale[k] * 1e-12) bucket[k] = 0;
      }
    }
    // A series whose samples all lie outside the window is not in it.
    return [...merged.values()].filter(b => b.sampleCount > 0);
  }

  /** The rows of a knex.raw SELECT on either engine. */
  private rowsOf(result: unknown): Array<Record<string, unknown>> {
    if (Array.isArray(result)) return result as Array<Record<string, unknown>>;
    return (result as { rows: Array<Record<string, unknown>> }).rows;
  }

  private window(from: number, to: number): { from: number; to: number } {
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      throw new InputError('from must be before to (epoch seconds)');
    }
    return { from: floorTo(from, HOUR), to: ceilTo(to, HOUR) };
  }

  private column(groupBy: CostGroupBy): Dim {
    const column = GROUP_COLUMN[groupBy];
    if (
      !column ||
      !Object.prototype.hasOwnProperty.call(GROUP_COLUMN, groupBy)
    ) {
      throw new InputError(
        `Invalid groupBy '${groupBy}', expected one of ${Object.keys(
          GROUP_COLUMN,
        ).join(', ')}`,
      );
    }
    return column;
  }

  async costSummary(options: {
    from: number;
    to: number;
    groupBy: CostGroupBy;
    granularity?: CostGranularity;
  }): Promise<CostSummary> {
    const { from, to } = this.window(options.from, options.to);
    const column = this.column(options.groupBy);
    const { granularity } = options;
    if (granularity && granularity !== 'day' && granularity !== 'month') {
      throw new InputError(
        `Invalid granularity '${granularity}', expected day or month`,
      );
    }
    const buckets = await this.read({
      from,
      to,
      dims: [column],
      by: granularity,
    });

    const all = emptyAgg();
    for (const b of buckets) addAgg(all, b);
    const totals = [...sumBy(buckets, b => b.currency).values()]
      .map(e => figures(e.first.currency, e.agg))
      .sort(byCostDesc);
    const groups: CostGroupRow[] = [
      ...sumBy(buckets, b => `${b.dims[column]}\u0000${b.currency}`).values(),
    ]
      .map(e => ({
        key: e.first.dims[column]!,
        ...figures(e.first.currency, e.agg),
      }))
      .sort(byCostDesc);

    let series: CostSeriesPoint[] | undefined;
    if (granularity) {
      const label = (start: number) =>
        granularity === 'day' ? dayOf(start) : monthOf(start);
      series = [
        ...sumBy(
          buckets,
          b => `${label(b.label!)}\u0000${b.dims[column]}\u0000${b.currency}`,
        ).values(),
      ]
        .map(e => ({
          bucket: label(e.first.label!),
          key: e.first.dims[column]!,
          currency: e.first.currency,
          cost: e.agg.cost,
          gpuHours: e.agg.gpuHours,
        }))
        .sort(
          (a, b) =>
            a.bucket.localeCompare(b.bucket) ||
            a.key.localeCompare(b.key) ||
            a.currency.localeCompare(b.currency),
        );
    }

    const basis: CostBasis = {
      allocation: true,
      utilization: coverage(all.utilGpuHours, all.gpuHours),
      tokens: coverage(all.tokenGpuHours, all.gpuHours),
      gpuHours: gpuHoursBasis(all),
    };
    return {
      from,
      to,
      groupBy: options.groupBy,
      ...(granularity ? { granularity } : {}),
      totals,
      groups,
      ...(series ? { series } : {}),
      basis,
    };
  }

  async topSpenders(options: {
    from: number;
    to: number;
    groupBy: CostGroupBy;
    limit: number;
  }): Promise<CostGroupRow[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    const { groups } = await this.costSummary({
      from: options.from,
      to: options.to,
      groupBy: options.groupBy,
    });
    // Costs in different currencies do not compare: the top of each currency.
    const taken = new Map<string, number>();
    return groups.filter(g => {
      const n = taken.get(g.currency) ?? 0;
      taken.set(g.currency, n + 1);
      return n < limit;
    });
  }

  /** Cost per currency (and group) of [from, to). */
  private async costs(
    from: number,
    to: number,
    column?: Dim,
  ): Promise<Map<string, { key?: string; currency: string; cost: number }>> {
    const buckets = await this.read({ from, to, dims: column ? [column] : [] });
    const out = new Map<
      string,
      { key?: string; currency: string; cost: number }
    >();
    for (const b of buckets) {
      const key = column ? b.dims[column] : undefined;
      const id = `${key ?? ''}\u0000${b.currency}`;
      const e = out.get(id) ?? {
        ...(column ? { key } : {}),
        currency: b.currency,
        cost: 0,
      };
      e.cost += b.cost;
      out.set(id, e);
    }
    return out;
  }

  async monthOverMonth(options: {
    month: string;
    groupBy?: CostGroupBy;
  }): Promise<MonthOverMonth> {
    const current = monthBounds(options.month);
    const prevMonth = previousMonth(options.month);
    const prev = monthBounds(prevMonth);
    const compare = async (column?: Dim): Promise<MonthOverMonthRow[]> => {
      const now = await this.costs(current.start, current.end, column);
      const before = await this.costs(prev.start, prev.end, column);
      const ids = new Set([...now.keys(), ...before.keys()]);
      return [...ids]
        .map(id => {
          const base = (now.get(id) ?? before.get(id))!;
          const cost = now.get(id)?.cost ?? 0;
          const previousCost = before.get(id)?.cost ?? 0;
          const change = cost - previousCost;
          return {
            ...(column ? { key: base.key } : {}),
            currency: base.currency,
            cost,
            previousCost,
            change,
            changePercent:
              previousCost > 0 ? (change / previousCost) * 100 : undefined,
          };
        })
        .sort(byCostDesc);
    };
    return {
      month: options.month,
      previousMonth: prevMonth,
      totals: await compare(),
      ...(options.groupBy
        ? { groups: await compare(this.column(options.groupBy)) }
        : {}),
    };
  }

  async forecastMonth(options: {
    now: number;
    groupBy?: CostGroupBy;
  }): Promise<MonthForecast> {
    if (!Number.isFinite(options.now)) {
      throw new InputError('now must be epoch seconds');
    }
    const plan = planForecast(options.now);
    const rows = async (column?: Dim): Promise<ForecastRow[]> => {
      const mtd = await this.costs(
        plan.monthStart,
        ceilTo(plan.now, HOUR),
        column,
      );
      const complete = await this.costs(
        plan.monthStart,
        plan.todayStart,
        column,
      );
      const mean = await this.costs(
        plan.meanWindow.from,
        plan.meanWindow.to,
        column,
      );
      const ids = new Set([...mtd.keys(), ...complete.keys(), ...mean.keys()]);
      return [...ids]
        .map(id => {
          const base = (mtd.get(id) ?? complete.get(id) ?? mean.get(id))!;
          const completeDaysCost = complete.get(id)?.cost ?? 0;
          const meanWindowCost = mean.get(id)?.cost ?? 0;
          const { meanDailyCost, forecast } = applyForecast(plan, {
            completeDaysCost,
            meanWindowCost,
            monthToDate: mtd.get(id)?.cost ?? 0,
          });
          return {
            ...(column ? { key: base.key } : {}),
            currency: base.currency,
            monthToDate: mtd.get(id)?.cost ?? 0,
            completeDaysCost,
            meanWindowCost,
            meanDailyCost,
            forecast,
          };
        })
        .sort((a, b) =>
          byCostDesc({ ...a, cost: a.forecast }, { ...b, cost: b.forecast }),
        );
    };
    return {
      month: plan.month,
      now: plan.now,
      daysInMonth: plan.daysInMonth,
      completeDays: plan.completeDays,
      remainingDays: plan.remainingDays,
      meanWindow: plan.meanWindow,
      method: plan.method,
      totals: await rows(),
      ...(options.groupBy
        ? { groups: await rows(this.column(options.groupBy)) }
        : {}),
    };
  }

  // ---------------------------------------------------------------- budgets

  async setBudget(options: {
    teamRef: string;
    month: string;
    amount: number;
    currency: string;
    setBy: string;
  }): Promise<{ previous?: TeamBudget; budget: TeamBudget }> {
    if (!isMonth(options.month)) {
      throw new InputError(
        `Invalid month '${options.month}', expected YYYY-MM`,
      );
    }
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
    const row: BudgetRow = {
      team_ref: options.teamRef,
      month: options.month,
      amount: options.amount,
      currency: options.currency,
      set_by: options.setBy,
      set_at: this.now().toISOString(),
    };
    return this.knex.transaction(async tx => {
      const query = tx<BudgetRow>('team_budgets')
        .where({ team_ref: row.team_ref, month: row.month })
        .first();
      // SQLite serialises writers by itself and knex warns on FOR UPDATE there.
      const old = await (this.isPg ? query.forUpdate() : query);
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
    if (!isMonth(options.month)) {
      throw new InputError(
        `Invalid month '${options.month}', expected YYYY-MM`,
      );
    }
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
    const bounds = monthBounds(options.month);
    const current = monthOf(options.now);
    // Per team and currency: [actual, forecast].
    const figuresOf = new Map<string, { actual: number; forecast: number }>();
    const put = (
      team: string,
      currency: string,
      actual: number,
      forecast: number,
    ) => figuresOf.set(`${team}\u0000${currency}`, { actual, forecast });
    if (options.month === current) {
      const f = await this.forecastMonth({ now: options.now, groupBy: 'team' });
      for (const g of f.groups ?? []) {
        put(g.key!, g.currency, g.monthToDate, g.forecast);
      }
    } else if (options.month < current) {
      for (const c of (
        await this.costs(bounds.start, bounds.end, 'team_ref')
      ).values()) {
        put(c.key!, c.currency, c.cost, c.cost);
      }
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

  // ---------------------------------------------------------------- export

  async exportRows(options: {
    from: number;
    to: number;
  }): Promise<UsageExportRow[]> {
    const { from, to } = this.window(options.from, options.to);
    const buckets = await this.read({ from, to, dims: ALL_DIMS, by: 'day' });
    return buckets
      .map(b => {
        const tokens = b.promptTokens + b.generationTokens;
        return {
          day: dayOf(b.label!),
          periodStart: Math.max(b.label!, from),
          periodEnd: Math.min(b.label! + DAY, to),
          endpointRef: b.dims.endpoint_ref!,
          teamRef: b.dims.team_ref!,
          modelRef: b.dims.model_ref!,
          poolRef: b.dims.pool_ref!,
          cluster: b.dims.cluster!,
          currency: b.currency,
          gpuHours: b.gpuHours,
          cost: b.cost,
          utilizationKnownGpuHours: b.utilGpuHours,
          idleGpuHours: b.idleGpuHours,
          idleCost: b.idleCost,
          tokenKnownGpuHours: b.tokenGpuHours,
          tokenCost: b.tokenCost,
          promptTokens: b.promptTokens,
          generationTokens: b.generationTokens,
          tokens,
          costPerMillionTokens:
            tokens > 0 ? (b.tokenCost / tokens) * 1e6 : undefined,
          sampleCount: b.sampleCount,
          ...exportSplit(b),
        };
      })
      .sort(
        (a, b) =>
          a.periodStart - b.periodStart ||
          a.endpointRef.localeCompare(b.endpointRef) ||
          a.poolRef.localeCompare(b.poolRef) ||
          a.teamRef.localeCompare(b.teamRef) ||
          a.modelRef.localeCompare(b.modelRef) ||
          a.cluster.localeCompare(b.cluster) ||
          a.currency.localeCompare(b.currency),
      );
  }
}

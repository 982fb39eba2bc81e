import { InputError } from '@backstage/errors';
import { splitFigures } from './tokenSplit';
import type {
  CostCoverage,
  CostFigures,
  CostGroupBy,
  GpuHoursBasis,
} from './types';

/**
 * The sums a rollup row carries and the arithmetic on them (no database):
 * adding and merging rollup rows, and the figures the API shows of them.
 */

/** The dimensions of a rollup row (besides currency and time). */
export type Dim =
  | 'endpoint_ref'
  | 'team_ref'
  | 'model_ref'
  | 'pool_ref'
  | 'cluster';

const GROUP_COLUMN: Record<CostGroupBy, Dim> = {
  team: 'team_ref',
  endpoint: 'endpoint_ref',
  model: 'model_ref',
  pool: 'pool_ref',
  cluster: 'cluster',
};

export const ALL_DIMS: Dim[] = [
  'endpoint_ref',
  'team_ref',
  'model_ref',
  'pool_ref',
  'cluster',
];

/** The rollup column of a group-by, or an InputError naming the choices. */
export function groupColumn(groupBy: CostGroupBy): Dim {
  const column = GROUP_COLUMN[groupBy];
  if (!column || !Object.prototype.hasOwnProperty.call(GROUP_COLUMN, groupBy)) {
    throw new InputError(
      `Invalid groupBy '${groupBy}', expected one of ${Object.keys(
        GROUP_COLUMN,
      ).join(', ')}`,
    );
  }
  return column;
}

/** The sums a rollup row carries. */
export type Agg = {
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
export type Bucket = Agg & {
  dims: Partial<Record<Dim, string>>;
  currency: string;
  /** Start of the day or month (UTC), when read by day or by month. */
  label?: number;
};

export const emptyAgg = (): Agg => ({
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
export function addAgg(into: Agg, from: Agg, sign = 1): void {
  for (const k of AGG_KEYS) into[k] += sign * from[k];
}

/** The sums as rollup columns, in the order of the keys of Agg. */
export const AGG_COLUMNS = [
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

export type AggRow = Record<
  (typeof AGG_COLUMNS)[number],
  number | string | null
>;

/** A rollup row's sums (numbers or numeric strings, as the driver gives them). */
export function rowToAgg(row: AggRow): Agg {
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

/** The rollup rows one part of a window gave, and how they count. */
export type PartRows = {
  rows: Array<Record<string, unknown>>;
  /** The day or month of every row, when not read from the rows. */
  fixed?: number;
  /** Whether each row carries its day or month as bucket_start. */
  grouped: boolean;
  /** -1 for a part taken away from a month read whole. */
  sign: 1 | -1;
};

/**
 * Sums the rows of a window's parts by the given dimensions, currency and
 * label (day or month). What is left of a subtraction below a float's noise
 * of the magnitudes added and taken away is nothing; a series whose samples
 * all lie outside the window (no samples left) is not in it.
 */
export function mergeParts(results: PartRows[], dims: Dim[]): Bucket[] {
  const merged = new Map<string, Bucket>();
  // Per bucket, the sums of the magnitudes added and taken away.
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
  return [...merged.values()].filter(b => b.sampleCount > 0);
}

/** Relative slack when deciding that a coverage is full. */
const FULL = 1 - 1e-9;

export function coverage(part: number, whole: number): CostCoverage {
  if (whole <= 0 || part <= 0) return 'none';
  return part >= whole * FULL ? 'full' : 'partial';
}

function share(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.min(1, part / whole);
}

/** Shares of the GPU-hours by what they rest on (the rest: catalog replicas, before the collector read clusters). */
export function gpuHoursBasis(a: Agg): GpuHoursBasis {
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

/** The API's figures of summed rollup rows in one currency. */
export function figures(currency: string, a: Agg): CostFigures {
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

/** Most expensive first; then by currency and key. */
export const byCostDesc = (
  a: { cost: number; currency: string; key?: string },
  b: typeof a,
) =>
  b.cost - a.cost ||
  a.currency.localeCompare(b.currency) ||
  (a.key ?? '').localeCompare(b.key ?? '');

/** Sums buckets by a key function. */
export function sumBy<K extends string>(
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

/** A cost per currency, and per group when grouped. */
export type CostAmount = { key?: string; currency: string; cost: number };

/** Cost per currency (and group of `column`) of buckets, keyed `key\0currency`. */
export function costsBy(
  buckets: Bucket[],
  column?: Dim,
): Map<string, CostAmount> {
  const out = new Map<string, CostAmount>();
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

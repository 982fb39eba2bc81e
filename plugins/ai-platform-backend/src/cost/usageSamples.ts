import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import type { UsageSample } from './types';

/**
 * Raw usage samples on their way in (no database): the checks every sample
 * passes before anything is written, and the multi-row INSERT statements of
 * a batch (unnest arrays on Postgres, VALUES elsewhere).
 */

/**
 * The columns of usage_samples written by insertSamples, in order, with
 * their Postgres type (text, or the type of a number column's array).
 */
const SAMPLE_COLUMN_TYPES = [
  ['sampled_at', 'bigint'],
  ['interval_seconds', 'integer'],
  ['endpoint_ref', 'text'],
  ['team_ref', 'text'],
  ['model_ref', 'text'],
  ['model_version', 'text'],
  ['pool_ref', 'text'],
  ['cluster', 'text'],
  ['gpus', 'double precision'],
  ['gpu_utilization', 'double precision'],
  ['prompt_tokens', 'bigint'],
  ['generation_tokens', 'bigint'],
  ['price_per_gpu_hour', 'double precision'],
  ['currency', 'text'],
  ['gpus_basis', 'text'],
  ['metrics_basis', 'text'],
  ['prompt_share', 'double precision'],
  ['split_basis', 'text'],
  ['requests', 'bigint'],
] as const;

/** The columns of usage_samples written by insertSamples, in order. */
export const SAMPLE_COLUMNS = SAMPLE_COLUMN_TYPES.map(([c]) => c);

/** The text columns of usage_samples and their index in SAMPLE_COLUMNS. */
const TEXT_COLUMNS = SAMPLE_COLUMN_TYPES.filter(
  ([, type]) => type === 'text',
).map(([c]) => c);
const TEXT_INDEXES = TEXT_COLUMNS.map(c => SAMPLE_COLUMNS.indexOf(c));

/** The number columns of usage_samples, their Postgres type and index in SAMPLE_COLUMNS. */
const NUMBER_COLUMN_TYPES = SAMPLE_COLUMN_TYPES.filter(
  ([, type]) => type !== 'text',
);
const NUMBER_COLUMNS = NUMBER_COLUMN_TYPES.map(([c]) => c);
const NUMBER_PG_TYPES = NUMBER_COLUMN_TYPES.map(([, type]) => type);
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

/** A checked sample as the values of SAMPLE_COLUMNS. */
export type SampleValues = [
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

/**
 * A sample's values in the order of SAMPLE_COLUMNS, or an InputError naming
 * the sample (its index in the batch) and the field.
 */
export function checkSample(s: UsageSample, index: number): SampleValues {
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
export type Statement = { sql: string; bindings: Knex.RawBinding[] };

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
export function unnestStatement(batch: SampleValues[]): Statement {
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
export function valuesStatement(batch: SampleValues[]): Statement {
  return {
    sql:
      `INSERT INTO usage_samples (${SAMPLE_COLUMNS.join(', ')}) ` +
      `VALUES ${batch.map(() => VALUES_ROW).join(', ')}`,
    bindings: batch.flat(),
  };
}

/** The most rows of one VALUES statement: SQLite allows 32,766 bound variables per statement (one per column). */
export const SQLITE_MAX_BATCH = Math.floor(32_766 / SAMPLE_COLUMNS.length);

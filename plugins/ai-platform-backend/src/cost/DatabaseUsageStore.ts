import type { Knex } from 'knex';
import { InputError } from '@backstage/errors';
import { serialisedWrite } from '../database/serialisedWrite';
import { AGG_COLUMNS, ALL_DIMS } from './aggregates';
import { DAY, HOUR, ceilTo, floorMonth, floorTo, nextMonth } from './periods';
import type { UsageIngest, UsageSample } from './types';
import {
  SQLITE_MAX_BATCH,
  checkSample,
  unnestStatement,
  valuesStatement,
} from './usageSamples';

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

/** The dimensions and currency of a rollup row, in SQL. */
const DIMS_SQL = [...ALL_DIMS, 'currency'].join(', ');

/**
 * Bucket start of an epoch-seconds column: `t - (t % step)`, integer
 * arithmetic on both engines (bigint on Postgres, INTEGER on SQLite).
 */
const bucketOf = (column: string, step: number) =>
  `(${column} - (${column} % ${step}))`;

/** Serialises rollups across replicas (the Postgres advisory lock). */
const ROLLUP_LOCK_KEY = 727_020;

/**
 * Raw usage samples and their hourly, daily and monthly rollups, on the
 * plugin's database (SQLite or Postgres): ingest, rollup, pruning, and what
 * is stored. The cost queries (DatabaseCostQueries) read the rollups only.
 * Rollups: an hour is the sum of the raw samples that start in it, a day the
 * sum of its hours, a month the sum of its days.
 */
export class DatabaseUsageStore implements UsageIngest {
  static create(options: {
    knex: Knex;
    /** Rows per INSERT statement; defaults: 10,000 on Postgres (unnest), as many as SQLite's bound-variable limit allows elsewhere (1,724). */
    batchSize?: number;
  }): DatabaseUsageStore {
    const isPg = options.knex.client.config.client === 'pg';
    const batchSize = options.batchSize ?? (isPg ? 10_000 : SQLITE_MAX_BATCH);
    return new DatabaseUsageStore(
      options.knex,
      isPg,
      Math.max(1, Math.min(batchSize, isPg ? 1_000_000 : SQLITE_MAX_BATCH)),
    );
  }

  private constructor(
    private readonly knex: Knex,
    private readonly isPg: boolean,
    private readonly batchSize: number,
  ) {}

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
    // One rollup at a time across replicas (on SQLite its first DELETE
    // takes the write lock).
    await serialisedWrite(this.knex, { key: ROLLUP_LOCK_KEY }, async tx => {
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
}

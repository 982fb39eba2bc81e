/* eslint-disable jest/no-conditional-expect -- the engine-specific checks run only on their engine */
import { InputError } from '@backstage/errors';
import type { UsageSample } from './types';
import {
  ALL_FROM,
  ALL_TO,
  CHAT,
  EUR_ALL,
  TEAM_A,
  USD_ALL,
  chat,
  createCostStores,
  describeOnEachDatabase,
  expectClose,
  t,
  withFixture,
} from './__testUtils__/costFixture';

jest.setTimeout(120_000);

describeOnEachDatabase('DatabaseUsageStore', (databases, databaseId) => {
  it('inserts in batches and keeps every value, quoting included', async () => {
    const { usage, knex } = await createCostStores(databases, databaseId);
    const odd = "inferenceendpoint:default/a\"b,c{d}\\e 'f' NULL ünï";
    const samples: UsageSample[] = [];
    for (let i = 0; i < 12_345; i++) {
      samples.push(
        chat('2026-11-01T00:00', {
          sampledAt: t('2026-11-01T00:00') + i,
          endpointRef: i === 7 ? odd : CHAT,
          modelVersion: i % 2 ? 'NULL' : undefined,
          gpus: (i % 8) + 0.5,
          gpuUtilization: i % 3 ? 0.25 : undefined,
          promptTokens: i % 5 ? i : undefined,
          generationTokens: i === 3 ? 2 ** 40 : undefined,
        }),
      );
    }
    await usage.insertSamples(samples);
    const [{ n, g }] = await knex('usage_samples')
      .count({ n: '*' })
      .sum({ g: 'gpus' });
    expect(Number(n)).toBe(12_345);
    // gpus cycle 0.5..7.5: 1543 full cycles of 8 (sum 32 each) + 1 x 0.5
    expect(Number(g)).toBeCloseTo(1543 * 32 + 0.5, 6);
    const row7 = await knex('usage_samples')
      .where('sampled_at', t('2026-11-01T00:00') + 7)
      .first();
    expect(row7).toMatchObject({
      endpoint_ref: odd,
      model_version: 'NULL',
      gpu_utilization: 0.25,
    });
    expect(Number(row7.prompt_tokens)).toBe(7);
    const row3 = await knex('usage_samples')
      .where('sampled_at', t('2026-11-01T00:00') + 3)
      .first();
    expect(row3.gpu_utilization).toBeNull();
    expect(Number(row3.generation_tokens)).toBe(2 ** 40);
    const row0 = await knex('usage_samples')
      .where('sampled_at', t('2026-11-01T00:00'))
      .first();
    expect(row0.model_version).toBeNull();
    expect(row0.prompt_tokens).toBeNull();
  });

  it('rejects invalid samples and inserts none of the batch', async () => {
    const { usage, knex } = await createCostStores(databases, databaseId);
    for (const bad of [
      { sampledAt: 1.5 },
      { intervalSeconds: 0 },
      { gpus: -1 },
      { gpus: Number.NaN },
      { gpuUtilization: 1.2 },
      { promptTokens: -3 },
      { pricePerGpuHour: -1 },
      { currency: '' },
      { endpointRef: '' },
    ] as Partial<UsageSample>[]) {
      await expect(
        usage.insertSamples([
          chat('2026-11-01T00:00'),
          chat('2026-11-01T00:15', bad),
        ]),
      ).rejects.toThrow(InputError);
    }
    expect(Number((await knex('usage_samples').count({ n: '*' }))[0].n)).toBe(
      0,
    );
  });

  it('buckets by integer arithmetic on epoch seconds', async () => {
    const { knex } = await withFixture(databases, databaseId);
    const hours = await knex('usage_hourly')
      .distinct('bucket_start')
      .orderBy('bucket_start');
    expect(hours.map(r => Number(r.bucket_start))).toEqual([
      t('2026-10-31T23:00'),
      t('2026-11-01T00:00'),
      t('2026-11-01T01:00'),
    ]);
    const days = await knex('usage_daily')
      .distinct('bucket_start')
      .orderBy('bucket_start');
    expect(days.map(r => Number(r.bucket_start))).toEqual([
      t('2026-10-31T00:00'),
      t('2026-11-01T00:00'),
    ]);
    const months = await knex('usage_monthly')
      .distinct('bucket_start')
      .orderBy('bucket_start');
    expect(months.map(r => Number(r.bucket_start))).toEqual([
      t('2026-10-01T00:00'),
      t('2026-11-01T00:00'),
    ]);
    if (databaseId === 'SQLITE_3') {
      const types = await knex.raw(
        'SELECT DISTINCT typeof(bucket_start) AS t FROM usage_hourly ' +
          'UNION SELECT DISTINCT typeof(bucket_start) FROM usage_daily ' +
          'UNION SELECT DISTINCT typeof(bucket_start) FROM usage_monthly',
      );
      expect(types).toEqual([{ t: 'integer' }]);
    }
    // One hourly row per endpoint and hour: chat 23:00 holds s1..s4.
    const chat23 = await knex('usage_hourly')
      .where({ endpoint_ref: CHAT, bucket_start: t('2026-10-31T23:00') })
      .first();
    expectClose(
      Object.fromEntries(
        Object.entries(chat23).map(([k, v]) => [
          k,
          typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v,
        ]),
      ),
      {
        team_ref: TEAM_A,
        pool_ref: 'gpupool:default/h100',
        cluster: 'c1',
        currency: 'USD',
        gpu_hours: 2,
        cost: 8,
        util_gpu_hours: 1,
        idle_gpu_hours: 0.375,
        idle_cost: 1.5,
        token_gpu_hours: 1,
        token_cost: 4,
        prompt_tokens: 4000,
        generation_tokens: 1000,
        sample_count: 4,
      },
    );
  });

  it('re-rolls up idempotently and picks up late samples', async () => {
    const { usage, costs, knex } = await withFixture(databases, databaseId);
    const snapshot = async () => ({
      hourly: await knex('usage_hourly').orderBy([
        'bucket_start',
        'endpoint_ref',
      ]),
      daily: await knex('usage_daily').orderBy([
        'bucket_start',
        'endpoint_ref',
      ]),
      monthly: await knex('usage_monthly').orderBy([
        'bucket_start',
        'endpoint_ref',
      ]),
    });
    const before = await snapshot();
    await usage.rollup({ fromSeconds: ALL_FROM, toSeconds: ALL_TO });
    await usage.rollup({
      fromSeconds: t('2026-10-31T23:10'),
      toSeconds: t('2026-11-01T00:01'),
    });
    expect(await snapshot()).toEqual(before);

    // A late sample for 10-31 23:40 (chat, 0.5 GPU-h, 2 USD), rolled up
    // with a window of its own hour only: the day is recomputed too.
    await usage.insertSamples([
      chat('2026-10-31T23:40', { gpuUtilization: 0 }),
    ]);
    await usage.rollup({
      fromSeconds: t('2026-10-31T23:40'),
      toSeconds: t('2026-10-31T23:41'),
    });
    const summary = await costs.costSummary({
      from: ALL_FROM,
      to: ALL_TO,
      groupBy: 'team',
    });
    // + 0.5 GPU-h, + 2 USD, + 0.5 idle GPU-h = + 2 USD idle
    expectClose(summary.totals[0], {
      currency: 'USD',
      gpuHours: 10 / 3 + 0.5,
      cost: 38 / 3 + 2,
      idleGpuHours: 1.3,
      idleCost: 5.1,
    });
    const day = await costs.costSummary({
      from: ALL_FROM,
      to: t('2026-11-01T00:00'),
      groupBy: 'team',
    });
    expectClose(day.totals[0], { cost: 8 + 1 / 3 + 2 });
  });

  it('drops a series from the day and month when its hours are recomputed without it', async () => {
    const { usage, knex } = await createCostStores(databases, databaseId);
    const other = 'inferenceendpoint:default/other';
    await usage.insertSamples([
      chat('2026-11-01T10:00'),
      chat('2026-11-01T10:15', { endpointRef: other }),
    ]);
    const window = {
      fromSeconds: t('2026-11-01T10:00'),
      toSeconds: t('2026-11-01T11:00'),
    };
    await usage.rollup(window);
    const endpoints = async (table: string) =>
      (await knex(table).select('endpoint_ref').orderBy('endpoint_ref')).map(
        r => r.endpoint_ref,
      );
    expect(await endpoints('usage_daily')).toEqual([CHAT, other]);
    // The other endpoint's sample was wrong and is removed; the hour is
    // rolled up again from what is left.
    await knex('usage_samples').where('endpoint_ref', other).delete();
    await usage.rollup(window);
    for (const table of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
      expect(await endpoints(table)).toEqual([CHAT]);
    }
    // Re-rolling an unchanged day rewrites its rows with the same sums.
    const before = await knex('usage_monthly').first();
    await usage.rollup(window);
    expect(await knex('usage_monthly').first()).toEqual(before);
  });

  it('prunes raw samples only and keeps the rollups, even when re-rolled up', async () => {
    const { usage, costs, knex } = await withFixture(databases, databaseId);
    // Rounds down to the hour: 11-01 00:00; removes the 6 samples of 10-31.
    const pruned = await usage.pruneSamples({
      beforeSeconds: t('2026-11-01T00:30'),
    });
    expect(pruned).toBe(6);
    expect(Number((await knex('usage_samples').count({ n: '*' }))[0].n)).toBe(
      5,
    );
    await usage.rollup({ fromSeconds: ALL_FROM, toSeconds: ALL_TO });
    const summary = await costs.costSummary({
      from: ALL_FROM,
      to: ALL_TO,
      groupBy: 'team',
    });
    expectClose(summary.totals[0], USD_ALL);
    expectClose(summary.totals[1], EUR_ALL);
    expect(await usage.pruneSamples({ beforeSeconds: ALL_TO })).toBe(5);
    expect(await usage.pruneSamples({ beforeSeconds: ALL_TO })).toBe(0);
  });

  it('counts rollups as usage after raw samples are pruned', async () => {
    const { usage } = await createCostStores(databases, databaseId);
    expect(await usage.hasAnySamples()).toBe(false);
    expect(await usage.lastSampleEnd()).toBeUndefined();

    const at = t('2026-10-01T10:00');
    await usage.insertSamples([
      chat('2026-10-01T10:00', { intervalSeconds: 300 }),
    ]);
    expect(await usage.lastSampleEnd()).toBe(at + 300);
    expect(await usage.lastSampledAt()).toBe(at);
    await usage.rollup({ fromSeconds: at, toSeconds: at + 300 });
    await usage.pruneSamples({ beforeSeconds: at + 86_400 });
    expect(await usage.lastSampleEnd()).toBeUndefined();
    expect(await usage.hasAnySamples()).toBe(true);
  });
});

/* eslint-disable jest/no-conditional-expect -- the property tests compare each generated case with a reference computed beside it, and engine-specific checks run only on their engine */
import {
  type TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseCostStore, splitWindow } from './DatabaseCostStore';
import { floorMonth, floorTo } from './periods';
import type { CostFigures, CostGroupBy, UsageSample } from './types';

jest.setTimeout(120_000);

/** Epoch seconds of a UTC time written without the zone. */
const t = (iso: string) => Date.parse(`${iso}Z`) / 1000;

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';
const CHAT = 'inferenceendpoint:default/chat';
const EMBED = 'inferenceendpoint:default/embed';
const EU_CHAT = 'inferenceendpoint:default/eu-chat';
const LLAMA = 'model:default/llama';
const BGE = 'model:default/bge';

/** chat: team A, pool h100 at 4 USD per GPU-hour, 2 GPUs, 15-minute samples. */
const chat = (at: string, extra: Partial<UsageSample> = {}): UsageSample => ({
  sampledAt: t(at),
  intervalSeconds: 900,
  endpointRef: CHAT,
  teamRef: TEAM_A,
  modelRef: LLAMA,
  modelVersion: 'v1',
  poolRef: 'gpupool:default/h100',
  cluster: 'c1',
  gpus: 2,
  pricePerGpuHour: 4,
  currency: 'USD',
  ...extra,
});

/** embed: team B, pool l4 at 2 USD per GPU-hour, 1 GPU, 5-minute samples. */
const embed = (at: string, extra: Partial<UsageSample> = {}): UsageSample => ({
  sampledAt: t(at),
  intervalSeconds: 300,
  endpointRef: EMBED,
  teamRef: TEAM_B,
  modelRef: BGE,
  poolRef: 'gpupool:default/l4',
  cluster: 'c2',
  gpus: 1,
  pricePerGpuHour: 2,
  currency: 'USD',
  ...extra,
});

/** eu-chat: team A, pool eu-a100 at 3 EUR per GPU-hour, 4 GPUs, 15-minute samples. */
const euChat = (at: string, extra: Partial<UsageSample> = {}): UsageSample => ({
  sampledAt: t(at),
  intervalSeconds: 900,
  endpointRef: EU_CHAT,
  teamRef: TEAM_A,
  modelRef: LLAMA,
  poolRef: 'gpupool:default/eu-a100',
  cluster: 'c3',
  gpus: 4,
  pricePerGpuHour: 3,
  currency: 'EUR',
  ...extra,
});

/**
 * The hand-computed fixture. Per sample: GPU-hours = gpus x interval / 3600,
 * cost = GPU-hours x price.
 *
 * chat (2 GPUs x 900 s = 0.5 GPU-h, x 4 USD = 2 USD per sample):
 *   s1 10-31 23:00 util 0.5   tokens 1000 + 500   idle 0.25  GPU-h = 1.0 USD
 *   s2 10-31 23:15 util 0.75  tokens 3000 + 500   idle 0.125 GPU-h = 0.5 USD
 *   s3 10-31 23:30 -          -
 *   s4 10-31 23:45 -          -
 *   s5 11-01 00:00 util 0.25  tokens 2000 + 1000  idle 0.375 GPU-h = 1.5 USD
 *   s6 11-01 00:15 util 1     -                   idle 0
 * embed (1 GPU x 300 s = 1/12 GPU-h, x 2 USD = 1/6 USD per sample):
 *   t1 10-31 23:50 -          -
 *   t2 10-31 23:55 util 0.4   -                   idle 0.05  GPU-h = 0.1 USD
 *   t3 11-01 00:00 -          tokens 6000 + (none)
 *   t4 11-01 00:05 -          -
 * eu-chat (4 GPUs x 900 s = 1 GPU-h, x 3 EUR = 3 EUR):
 *   u1 11-01 01:00 util 0.9   tokens 100000 + 50000  idle 0.1 GPU-h = 0.3 EUR
 */
const FIXTURE: UsageSample[] = [
  chat('2026-10-31T23:00', {
    gpuUtilization: 0.5,
    promptTokens: 1000,
    generationTokens: 500,
  }),
  chat('2026-10-31T23:15', {
    gpuUtilization: 0.75,
    promptTokens: 3000,
    generationTokens: 500,
  }),
  chat('2026-10-31T23:30'),
  chat('2026-10-31T23:45'),
  chat('2026-11-01T00:00', {
    gpuUtilization: 0.25,
    promptTokens: 2000,
    generationTokens: 1000,
  }),
  chat('2026-11-01T00:15', { gpuUtilization: 1 }),
  embed('2026-10-31T23:50'),
  embed('2026-10-31T23:55', { gpuUtilization: 0.4 }),
  embed('2026-11-01T00:00', { promptTokens: 6000 }),
  embed('2026-11-01T00:05'),
  euChat('2026-11-01T01:00', {
    gpuUtilization: 0.9,
    promptTokens: 100_000,
    generationTokens: 50_000,
  }),
];

/**
 * USD over both days:
 *   GPU-hours  = 6 x 0.5 + 4 x 1/12 = 10/3
 *   cost       = 6 x 2 + 4 x 1/6 = 38/3
 *   util known = s1, s2, s5, s6 (2.0) + t2 (1/12) = 25/12 -> share 25/12 / 10/3 = 0.625
 *   idle       = 0.25 + 0.125 + 0.375 + 0 + 0.05 = 0.8 GPU-h; 1.0 + 0.5 + 1.5 + 0 + 0.1 = 3.1 USD
 *   tokens     = prompt 1000 + 3000 + 2000 + 6000 = 12000, generation 500 + 500 + 1000 = 2000
 *   token GPU-h = s1, s2, s5 (1.5) + t3 (1/12) = 19/12 -> share 19/12 / 10/3 = 0.475
 *   token cost = 3 x 2 + 1/6 = 37/6 -> per 1M tokens 37/6 / 14000 x 1e6 = 440.476190476...
 */
const USD_ALL = {
  currency: 'USD',
  gpuHours: 10 / 3,
  cost: 38 / 3,
  idleGpuHours: 0.8,
  idleCost: 3.1,
  utilizationCoverage: 0.625,
  promptTokens: 12_000,
  generationTokens: 2_000,
  tokens: 14_000,
  tokenCoverage: 0.475,
  costPerMillionTokens: 440.476190476,
};

/** EUR: u1 only; per 1M tokens 3 / 150000 x 1e6 = 20. */
const EUR_ALL = {
  currency: 'EUR',
  gpuHours: 1,
  cost: 3,
  idleGpuHours: 0.1,
  idleCost: 0.3,
  utilizationCoverage: 1,
  promptTokens: 100_000,
  generationTokens: 50_000,
  tokens: 150_000,
  tokenCoverage: 1,
  costPerMillionTokens: 20,
};

type Numbers = Record<string, number | string | undefined>;

/** Compares numbers to 6+ digits and everything else exactly. */
function expectClose(actual: object, expected: Numbers, digits = 6) {
  const a = actual as Numbers;
  for (const [k, v] of Object.entries(expected)) {
    if (typeof v === 'number') {
      expect([k, a[k]]).toEqual([k, expect.any(Number)]);
      expect(a[k] as number).toBeCloseTo(v, digits);
    } else {
      expect([k, a[k]]).toEqual([k, v]);
    }
  }
}

/** A seeded PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the rollups should say, computed straight from raw samples. */
function reference(samples: UsageSample[], keyOf?: (s: UsageSample) => string) {
  const out = new Map<
    string,
    {
      gpuHours: number;
      cost: number;
      util: number;
      idleGpuHours: number;
      idleCost: number;
      tokenGpuHours: number;
      tokenCost: number;
      tokens: number;
    }
  >();
  for (const s of samples) {
    const id = `${keyOf ? keyOf(s) : ''}|${s.currency}`;
    const e = out.get(id) ?? {
      gpuHours: 0,
      cost: 0,
      util: 0,
      idleGpuHours: 0,
      idleCost: 0,
      tokenGpuHours: 0,
      tokenCost: 0,
      tokens: 0,
    };
    const gh = (s.gpus * s.intervalSeconds) / 3600;
    e.gpuHours += gh;
    e.cost += gh * s.pricePerGpuHour;
    if (s.gpuUtilization !== undefined) {
      e.util += gh;
      e.idleGpuHours += gh * (1 - s.gpuUtilization);
      e.idleCost += gh * (1 - s.gpuUtilization) * s.pricePerGpuHour;
    }
    if (s.promptTokens !== undefined || s.generationTokens !== undefined) {
      e.tokenGpuHours += gh;
      e.tokenCost += gh * s.pricePerGpuHour;
      e.tokens += (s.promptTokens ?? 0) + (s.generationTokens ?? 0);
    }
    out.set(id, e);
  }
  return out;
}

const GROUP_OF: Record<CostGroupBy, (s: UsageSample) => string> = {
  team: s => s.teamRef,
  endpoint: s => s.endpointRef,
  model: s => s.modelRef,
  pool: s => s.poolRef,
  cluster: s => s.cluster,
};

describe('splitWindow', () => {
  it('reads whole days from the daily rollup and edge hours from the hourly one', () => {
    expect(splitWindow(t('2026-10-31T22:00'), t('2026-11-03T02:00'))).toEqual([
      {
        table: 'usage_hourly',
        from: t('2026-10-31T22:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-03T00:00'),
      },
      {
        table: 'usage_hourly',
        from: t('2026-11-03T00:00'),
        to: t('2026-11-03T02:00'),
      },
    ]);
    expect(splitWindow(t('2026-11-01T00:00'), t('2026-11-02T00:00'))).toEqual([
      {
        table: 'usage_daily',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-02T00:00'),
      },
    ]);
    // Hourly parts never cross midnight.
    expect(splitWindow(t('2026-10-31T23:00'), t('2026-11-01T01:00'))).toEqual([
      {
        table: 'usage_hourly',
        from: t('2026-10-31T23:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_hourly',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-01T01:00'),
      },
    ]);
    expect(splitWindow(t('2026-11-01T03:00'), t('2026-11-01T05:00'))).toEqual([
      {
        table: 'usage_hourly',
        from: t('2026-11-01T03:00'),
        to: t('2026-11-01T05:00'),
      },
    ]);
    expect(splitWindow(5, 5)).toEqual([]);
  });

  it('reads whole months from the monthly rollup, unless told not to', () => {
    const from = t('2026-10-15T05:00');
    const to = t('2027-01-03T00:00');
    // 15..31 October: 19 hours and 16 days, or October less 14 days and 5
    // hours: the latter reads fewer rows.
    expect(splitWindow(from, to)).toEqual([
      {
        table: 'usage_monthly',
        from: t('2026-10-01T00:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-10-01T00:00'),
        to: t('2026-10-15T00:00'),
        subtract: true,
      },
      {
        table: 'usage_hourly',
        from: t('2026-10-15T00:00'),
        to: from,
        subtract: true,
      },
      {
        table: 'usage_monthly',
        from: t('2026-11-01T00:00'),
        to: t('2027-01-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2027-01-01T00:00'),
        to,
      },
    ]);
    // A month to date: the month less the rest of it.
    expect(splitWindow(t('2026-11-01T00:00'), t('2026-11-23T00:00'))).toEqual([
      {
        table: 'usage_monthly',
        from: t('2026-11-01T00:00'),
        to: t('2026-12-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-11-23T00:00'),
        to: t('2026-12-01T00:00'),
        subtract: true,
      },
    ]);
    expect(splitWindow(from, to, { months: false })).toEqual([
      { table: 'usage_hourly', from, to: t('2026-10-16T00:00') },
      { table: 'usage_daily', from: t('2026-10-16T00:00'), to },
    ]);
    // Daily parts never cross a month boundary.
    expect(splitWindow(t('2026-10-30T00:00'), t('2026-11-02T00:00'))).toEqual([
      {
        table: 'usage_daily',
        from: t('2026-10-30T00:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-02T00:00'),
      },
    ]);
  });
});

describe('DatabaseCostStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(
    databaseId: TestDatabaseId,
    options: { batchSize?: number } = {},
  ): Promise<{ store: DatabaseCostStore; knex: Knex }> {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    let now = Date.parse('2026-11-10T12:00:00.000Z');
    const store = DatabaseCostStore.create({
      knex,
      now: () => new Date((now += 60_000)),
      ...options,
    });
    return { store, knex };
  }

  const ALL_FROM = t('2026-10-31T00:00');
  const ALL_TO = t('2026-11-02T00:00');

  async function withFixture(databaseId: TestDatabaseId) {
    const created = await createStore(databaseId);
    await created.store.insertSamples(FIXTURE);
    await created.store.rollup({ fromSeconds: ALL_FROM, toSeconds: ALL_TO });
    return created;
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('inserts in batches and keeps every value, quoting included', async () => {
      const { store, knex } = await createStore(databaseId);
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
      await store.insertSamples(samples);
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
      const { store, knex } = await createStore(databaseId);
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
          store.insertSamples([
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
      const { knex } = await withFixture(databaseId);
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

    it('sums GPU-hours, cost, idle and cost per 1M tokens per currency', async () => {
      const { store } = await withFixture(databaseId);
      const summary = await store.costSummary({
        from: ALL_FROM,
        to: ALL_TO,
        groupBy: 'team',
      });
      expect(summary.from).toBe(ALL_FROM);
      expect(summary.to).toBe(ALL_TO);
      expect(summary.totals.map(x => x.currency)).toEqual(['USD', 'EUR']);
      expectClose(summary.totals[0], USD_ALL);
      expectClose(summary.totals[1], EUR_ALL);
      // Samples without a gpusBasis were billed from the catalog's replicas.
      expect(summary.basis.gpuHours).toEqual({
        clusterState: 0,
        lastKnownState: 0,
        demo: 0,
        catalog: 1,
      });
      // util known: 25/12 + 1 of 10/3 + 1; tokens known: 19/12 + 1 -> both partial
      expect(summary.basis).toMatchObject({
        allocation: true,
        utilization: 'partial',
        tokens: 'partial',
      });
      expect(summary.series).toBeUndefined();

      // team A USD: chat only: 3 GPU-h, 12 USD; idle 0.25+0.125+0.375 = 0.75
      // GPU-h = 3 USD; tokens 1500+3500+3000 = 8000 for 6 USD -> 750 per 1M.
      // team A EUR: eu-chat, as EUR_ALL.
      // team B USD: embed: 1/3 GPU-h, 2/3 USD; idle 0.05 GPU-h = 0.1 USD;
      // tokens 6000 for 1/6 USD -> 27.777... per 1M.
      expect(summary.groups.map(g => [g.key, g.currency])).toEqual([
        [TEAM_A, 'USD'],
        [TEAM_A, 'EUR'],
        [TEAM_B, 'USD'],
      ]);
      expectClose(summary.groups[0], {
        gpuHours: 3,
        cost: 12,
        idleGpuHours: 0.75,
        idleCost: 3,
        tokens: 8000,
        costPerMillionTokens: 750,
        utilizationCoverage: 2 / 3,
        tokenCoverage: 0.5,
      });
      expectClose(summary.groups[1], EUR_ALL);
      expectClose(summary.groups[2], {
        gpuHours: 1 / 3,
        cost: 2 / 3,
        idleGpuHours: 0.05,
        idleCost: 0.1,
        tokens: 6000,
        costPerMillionTokens: 27.777777778,
        utilizationCoverage: 0.25,
        tokenCoverage: 0.25,
      });
    });

    it('answers hour-aligned windows exactly from hourly edges and daily middles', async () => {
      const { store } = await withFixture(databaseId);
      // Hourly only: 10-31 23:00 .. 11-01 01:00 holds every USD sample, not u1.
      const edges = await store.costSummary({
        from: t('2026-10-31T23:00'),
        to: t('2026-11-01T01:00'),
        groupBy: 'pool',
      });
      expect(edges.totals).toHaveLength(1);
      expectClose(edges.totals[0], USD_ALL);
      // Daily 10-31 + hourly 11-01 00:00: the same.
      const mixed = await store.costSummary({
        from: ALL_FROM,
        to: t('2026-11-01T01:00'),
        groupBy: 'pool',
      });
      expect(mixed.totals).toHaveLength(1);
      expectClose(mixed.totals[0], USD_ALL);
      // Hourly 10-31 23:00 + daily 11-01: everything.
      const other = await store.costSummary({
        from: t('2026-10-31T23:00'),
        to: ALL_TO,
        groupBy: 'pool',
      });
      expectClose(other.totals[0], USD_ALL);
      expectClose(other.totals[1], EUR_ALL);
      // A window not on hours widens to whole hours: 11-01 00:00 .. 02:00,
      // s5, s6 (4 USD), t3, t4 (1/3 USD), u1 (3 EUR).
      const widened = await store.costSummary({
        from: t('2026-11-01T00:30'),
        to: t('2026-11-01T01:20'),
        groupBy: 'endpoint',
      });
      expect([widened.from, widened.to]).toEqual([
        t('2026-11-01T00:00'),
        t('2026-11-01T02:00'),
      ]);
      expectClose(widened.totals[0], { currency: 'USD', cost: 13 / 3 });
      expectClose(widened.totals[1], { currency: 'EUR', cost: 3 });
      // Only u1 in 01:00 .. 02:00: utilisation and tokens of all GPU-hours known.
      const full = await store.costSummary({
        from: t('2026-11-01T01:00'),
        to: t('2026-11-01T02:00'),
        groupBy: 'endpoint',
      });
      expect(full.basis).toMatchObject({
        allocation: true,
        utilization: 'full',
        tokens: 'full',
      });
      // 10-31 23:30 .. 23:45 hour: s3, s4 and t1 know nothing, t2 its utilisation.
      const empty = await store.costSummary({
        from: t('2026-10-30T00:00'),
        to: t('2026-10-31T00:00'),
        groupBy: 'endpoint',
      });
      expect(empty).toMatchObject({
        totals: [],
        groups: [],
        basis: { allocation: true, utilization: 'none', tokens: 'none' },
      });
    });

    it('returns series by day and by month for stacked charts', async () => {
      const { store } = await withFixture(databaseId);
      const byDay = await store.costSummary({
        from: ALL_FROM,
        to: ALL_TO,
        groupBy: 'team',
        granularity: 'day',
      });
      // 10-31: chat s1..s4 = 2 GPU-h, 8 USD; embed t1, t2 = 1/6 GPU-h, 1/3 USD.
      // 11-01: chat s5, s6 = 1 GPU-h, 4 USD; embed t3, t4 = 1/6, 1/3; u1 3 EUR.
      const expected = [
        ['2026-10-31', TEAM_A, 'USD', 8, 2],
        ['2026-10-31', TEAM_B, 'USD', 1 / 3, 1 / 6],
        ['2026-11-01', TEAM_A, 'EUR', 3, 1],
        ['2026-11-01', TEAM_A, 'USD', 4, 1],
        ['2026-11-01', TEAM_B, 'USD', 1 / 3, 1 / 6],
      ] as const;
      expect(byDay.granularity).toBe('day');
      expect(byDay.series).toHaveLength(expected.length);
      expected.forEach(([bucket, key, currency, cost, gpuHours], i) =>
        expectClose(byDay.series![i], {
          bucket,
          key,
          currency,
          cost,
          gpuHours,
        }),
      );
      const byMonth = await store.costSummary({
        from: t('2026-10-31T23:00'),
        to: ALL_TO,
        groupBy: 'team',
        granularity: 'month',
      });
      expect(
        byMonth.series!.map(p => [p.bucket, p.key, p.currency, p.cost]),
      ).toEqual([
        ['2026-10', TEAM_A, 'USD', 8],
        ['2026-10', TEAM_B, 'USD', expect.closeTo(1 / 3, 9)],
        ['2026-11', TEAM_A, 'EUR', 3],
        ['2026-11', TEAM_A, 'USD', 4],
        ['2026-11', TEAM_B, 'USD', expect.closeTo(1 / 3, 9)],
      ]);
    });

    it('ranks top spenders per currency', async () => {
      const { store } = await withFixture(databaseId);
      const top = await store.topSpenders({
        from: ALL_FROM,
        to: ALL_TO,
        groupBy: 'endpoint',
        limit: 1,
      });
      expect(top.map(r => [r.key, r.currency, r.cost])).toEqual([
        [CHAT, 'USD', 12],
        [EU_CHAT, 'EUR', 3],
      ]);
      const pools = await store.topSpenders({
        from: ALL_FROM,
        to: ALL_TO,
        groupBy: 'pool',
        limit: 5,
      });
      expect(pools.map(r => r.key)).toEqual([
        'gpupool:default/h100',
        'gpupool:default/eu-a100',
        'gpupool:default/l4',
      ]);
    });

    it('compares a month with the month before', async () => {
      const { store } = await withFixture(databaseId);
      // November USD: s5, s6 (4) + t3, t4 (1/3) = 13/3; October USD: s1..s4
      // (8) + t1, t2 (1/3) = 25/3; change -4 = -4 / (25/3) = -48 %.
      // EUR: 3 in November, nothing in October: no percent.
      const mom = await store.monthOverMonth({
        month: '2026-11',
        groupBy: 'team',
      });
      expect(mom.month).toBe('2026-11');
      expect(mom.previousMonth).toBe('2026-10');
      expect(mom.totals).toHaveLength(2);
      expectClose(mom.totals[0], {
        currency: 'USD',
        cost: 13 / 3,
        previousCost: 25 / 3,
        change: -4,
        changePercent: -48,
      });
      expectClose(mom.totals[1], {
        currency: 'EUR',
        cost: 3,
        previousCost: 0,
        change: 3,
        changePercent: undefined,
      });
      // team A USD 4 vs 8: -50 %; team A EUR 3 vs 0; team B USD 1/3 vs 1/3: 0 %.
      expect(mom.groups!.map(g => [g.key, g.currency])).toEqual([
        [TEAM_A, 'USD'],
        [TEAM_A, 'EUR'],
        [TEAM_B, 'USD'],
      ]);
      expectClose(mom.groups![0], {
        cost: 4,
        previousCost: 8,
        changePercent: -50,
      });
      expectClose(mom.groups![1], { cost: 3, previousCost: 0, change: 3 });
      expectClose(mom.groups![2], {
        cost: 1 / 3,
        previousCost: 1 / 3,
        change: 0,
        changePercent: 0,
      });
      const january = await store.monthOverMonth({ month: '2027-01' });
      expect(january).toEqual({
        month: '2027-01',
        previousMonth: '2026-12',
        totals: [],
      });
      await expect(store.monthOverMonth({ month: '2026-13' })).rejects.toThrow(
        InputError,
      );
    });

    it('reads a month to date as the month less the rest of it', async () => {
      const { store } = await createStore(databaseId);
      // chat: 1 GPU-hour a day at 4 USD on 1..25 November, utilisation known
      // (0.5) on the 24th and 25th only; embed: 1 GPU-hour at 2 USD on the 28th.
      const samples: UsageSample[] = [];
      for (let d = 1; d <= 25; d++) {
        samples.push(
          chat(`2026-11-${String(d).padStart(2, '0')}T10:00`, {
            intervalSeconds: 3600,
            gpus: 1,
            gpuUtilization: d >= 24 ? 0.5 : undefined,
          }),
        );
      }
      samples.push(embed('2026-11-28T10:00', { intervalSeconds: 3600 }));
      await store.insertSamples(samples);
      await store.rollup({
        fromSeconds: t('2026-11-01T00:00'),
        toSeconds: t('2026-12-01T00:00'),
      });
      // 1..23 November (read as November less 24..30): chat's 23 GPU-hours,
      // 92 USD, nothing idle known; embed's only hour lies outside.
      const summary = await store.costSummary({
        from: t('2026-11-01T00:00'),
        to: t('2026-11-24T00:00'),
        groupBy: 'endpoint',
        granularity: 'month',
      });
      expect(summary.groups.map(g => g.key)).toEqual([CHAT]);
      expectClose(summary.totals[0], {
        currency: 'USD',
        gpuHours: 23,
        cost: 92,
        idleGpuHours: 0,
        idleCost: 0,
        utilizationCoverage: 0,
      });
      expect(summary.totals[0].idleCost).toBe(0);
      expect(summary.basis).toMatchObject({
        allocation: true,
        utilization: 'none',
        tokens: 'none',
      });
      expect(summary.series).toEqual([
        {
          bucket: '2026-11',
          key: CHAT,
          currency: 'USD',
          cost: expect.closeTo(92, 9),
          gpuHours: expect.closeTo(23, 9),
        },
      ]);
    });

    it('exports one row per endpoint per UTC day, edges merged', async () => {
      const { store } = await withFixture(databaseId);
      const rows = await store.exportRows({ from: ALL_FROM, to: ALL_TO });
      expect(rows.map(r => [r.day, r.endpointRef, r.currency])).toEqual([
        ['2026-10-31', CHAT, 'USD'],
        ['2026-10-31', EMBED, 'USD'],
        ['2026-11-01', CHAT, 'USD'],
        ['2026-11-01', EMBED, 'USD'],
        ['2026-11-01', EU_CHAT, 'EUR'],
      ]);
      // chat 10-31: s1..s4; tokens 4000 + 1000 for s1, s2 (4 USD) -> 800 per 1M
      expectClose(rows[0], {
        periodStart: t('2026-10-31T00:00'),
        periodEnd: t('2026-11-01T00:00'),
        teamRef: TEAM_A,
        modelRef: LLAMA,
        poolRef: 'gpupool:default/h100',
        cluster: 'c1',
        gpuHours: 2,
        cost: 8,
        utilizationKnownGpuHours: 1,
        idleGpuHours: 0.375,
        idleCost: 1.5,
        tokenKnownGpuHours: 1,
        tokenCost: 4,
        promptTokens: 4000,
        generationTokens: 1000,
        tokens: 5000,
        costPerMillionTokens: 800,
        sampleCount: 4,
      });
      expectClose(rows[1], {
        gpuHours: 1 / 6,
        cost: 1 / 3,
        idleGpuHours: 0.05,
        idleCost: 0.1,
        tokens: 0,
        costPerMillionTokens: undefined,
        sampleCount: 2,
      });
      // embed 11-01: t3 6000 prompt tokens for 1/6 USD -> 27.78 per 1M
      expectClose(rows[3], {
        tokens: 6000,
        tokenCost: 1 / 6,
        costPerMillionTokens: 27.777777778,
      });

      // A window that starts and ends inside days: the edge hours form the
      // days' rows and their period is the part of the day covered.
      const partial = await store.exportRows({
        from: t('2026-10-31T23:00'),
        to: t('2026-11-01T01:00'),
      });
      expect(
        partial.map(r => [
          r.day,
          r.endpointRef,
          r.periodStart,
          r.periodEnd,
          r.cost,
        ]),
      ).toEqual([
        ['2026-10-31', CHAT, t('2026-10-31T23:00'), t('2026-11-01T00:00'), 8],
        [
          '2026-10-31',
          EMBED,
          t('2026-10-31T23:00'),
          t('2026-11-01T00:00'),
          expect.closeTo(1 / 3, 9),
        ],
        ['2026-11-01', CHAT, t('2026-11-01T00:00'), t('2026-11-01T01:00'), 4],
        [
          '2026-11-01',
          EMBED,
          t('2026-11-01T00:00'),
          t('2026-11-01T01:00'),
          expect.closeTo(1 / 3, 9),
        ],
      ]);
    });

    it('re-rolls up idempotently and picks up late samples', async () => {
      const { store, knex } = await withFixture(databaseId);
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
      await store.rollup({ fromSeconds: ALL_FROM, toSeconds: ALL_TO });
      await store.rollup({
        fromSeconds: t('2026-10-31T23:10'),
        toSeconds: t('2026-11-01T00:01'),
      });
      expect(await snapshot()).toEqual(before);

      // A late sample for 10-31 23:40 (chat, 0.5 GPU-h, 2 USD), rolled up
      // with a window of its own hour only: the day is recomputed too.
      await store.insertSamples([
        chat('2026-10-31T23:40', { gpuUtilization: 0 }),
      ]);
      await store.rollup({
        fromSeconds: t('2026-10-31T23:40'),
        toSeconds: t('2026-10-31T23:41'),
      });
      const summary = await store.costSummary({
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
      const day = await store.costSummary({
        from: ALL_FROM,
        to: t('2026-11-01T00:00'),
        groupBy: 'team',
      });
      expectClose(day.totals[0], { cost: 8 + 1 / 3 + 2 });
    });

    it('drops a series from the day and month when its hours are recomputed without it', async () => {
      const { store, knex } = await createStore(databaseId);
      const other = 'inferenceendpoint:default/other';
      await store.insertSamples([
        chat('2026-11-01T10:00'),
        chat('2026-11-01T10:15', { endpointRef: other }),
      ]);
      const window = {
        fromSeconds: t('2026-11-01T10:00'),
        toSeconds: t('2026-11-01T11:00'),
      };
      await store.rollup(window);
      const endpoints = async (table: string) =>
        (await knex(table).select('endpoint_ref').orderBy('endpoint_ref')).map(
          r => r.endpoint_ref,
        );
      expect(await endpoints('usage_daily')).toEqual([CHAT, other]);
      // The other endpoint's sample was wrong and is removed; the hour is
      // rolled up again from what is left.
      await knex('usage_samples').where('endpoint_ref', other).delete();
      await store.rollup(window);
      for (const table of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
        expect(await endpoints(table)).toEqual([CHAT]);
      }
      // Re-rolling an unchanged day rewrites its rows with the same sums.
      const before = await knex('usage_monthly').first();
      await store.rollup(window);
      expect(await knex('usage_monthly').first()).toEqual(before);
    });

    it('prunes raw samples only and keeps the rollups, even when re-rolled up', async () => {
      const { store, knex } = await withFixture(databaseId);
      // Rounds down to the hour: 11-01 00:00; removes the 6 samples of 10-31.
      const pruned = await store.pruneSamples({
        beforeSeconds: t('2026-11-01T00:30'),
      });
      expect(pruned).toBe(6);
      expect(Number((await knex('usage_samples').count({ n: '*' }))[0].n)).toBe(
        5,
      );
      await store.rollup({ fromSeconds: ALL_FROM, toSeconds: ALL_TO });
      const summary = await store.costSummary({
        from: ALL_FROM,
        to: ALL_TO,
        groupBy: 'team',
      });
      expectClose(summary.totals[0], USD_ALL);
      expectClose(summary.totals[1], EUR_ALL);
      expect(await store.pruneSamples({ beforeSeconds: ALL_TO })).toBe(5);
      expect(await store.pruneSamples({ beforeSeconds: ALL_TO })).toBe(0);
    });

    it('agrees with sums over the raw samples for random hour-aligned windows', async () => {
      const { store } = await createStore(databaseId);
      const random = prng(20261123);
      const pick = <T>(xs: readonly T[]) =>
        xs[Math.floor(random() * xs.length)];
      // 70 days from 28 September: whole months (October, November) and
      // partial ones (September, December) on both sides.
      const base = t('2026-09-28T00:00');
      const hours = 70 * 24;
      const endpoints = [
        {
          endpointRef: CHAT,
          teamRef: TEAM_A,
          modelRef: LLAMA,
          poolRef: 'gpupool:default/h100',
          cluster: 'c1',
          currency: 'USD',
        },
        {
          endpointRef: EMBED,
          teamRef: TEAM_B,
          modelRef: BGE,
          poolRef: 'gpupool:default/l4',
          cluster: 'c2',
          currency: 'USD',
        },
        {
          endpointRef: 'inferenceendpoint:default/rerank',
          teamRef: TEAM_B,
          modelRef: BGE,
          poolRef: 'gpupool:default/h100',
          cluster: 'c1',
          currency: 'USD',
        },
        {
          endpointRef: EU_CHAT,
          teamRef: TEAM_A,
          modelRef: LLAMA,
          poolRef: 'gpupool:default/eu-a100',
          cluster: 'c3',
          currency: 'EUR',
        },
      ];
      const samples: UsageSample[] = [];
      for (let i = 0; i < 2000; i++) {
        const e = pick(endpoints);
        const tokens = random();
        samples.push({
          ...e,
          sampledAt: base + Math.floor(random() * hours * 3600),
          intervalSeconds: pick([60, 300, 900, 3600]),
          gpus: pick([0.5, 1, 2, 4, 8, random() * 3]),
          pricePerGpuHour: pick([1.25, 2, 3.5, 4.1]),
          gpuUtilization: random() < 0.5 ? random() : undefined,
          promptTokens: tokens < 0.6 ? Math.floor(random() * 1e6) : undefined,
          generationTokens:
            tokens < 0.4 ? Math.floor(random() * 1e5) : undefined,
        });
      }
      // Half now, half late; the late half rolled up in uneven chunks in a
      // jumbled order, some twice.
      await store.insertSamples(samples.slice(0, 1000));
      await store.rollup({ fromSeconds: base, toSeconds: base + hours * 3600 });
      await store.insertSamples(samples.slice(1000));
      const cuts = [
        base,
        base + 400_000 + 17,
        base + 2_000_000 + 1234,
        base + 4_000_000 + 5,
        base + hours * 3600,
      ];
      for (const i of [2, 0, 3, 1, 2]) {
        await store.rollup({ fromSeconds: cuts[i], toSeconds: cuts[i + 1] });
      }

      const groupBys: CostGroupBy[] = [
        'team',
        'endpoint',
        'model',
        'pool',
        'cluster',
      ];
      const align = (h: number, kind: number) => {
        const at = base + h * 3600;
        if (kind === 0) return floorTo(at, 86_400);
        if (kind === 1) return floorMonth(at);
        return at;
      };
      for (let w = 0; w < 40; w++) {
        // Hour-aligned; a third of them on days, a sixth on months.
        let kind = 2;
        if (w % 6 === 0) kind = 1;
        else if (w % 3 === 0) kind = 0;
        const a = Math.floor(random() * hours);
        const b = a + 1 + Math.floor(random() * (hours - a));
        const from = align(a, kind);
        const to = Math.max(align(b, kind), from + 3600);
        const groupBy = pick(groupBys);
        const granularity = pick([undefined, 'day', 'month'] as const);
        const inWindow = samples.filter(
          s => s.sampledAt >= from && s.sampledAt < to,
        );
        const summary = await store.costSummary({
          from,
          to,
          groupBy,
          granularity,
        });

        const totals = reference(inWindow);
        expect(summary.totals).toHaveLength(totals.size);
        for (const got of summary.totals) {
          checkAgainst(got, totals.get(`|${got.currency}`)!);
        }
        const groups = reference(inWindow, GROUP_OF[groupBy]);
        expect(summary.groups).toHaveLength(groups.size);
        for (const got of summary.groups) {
          checkAgainst(got, groups.get(`${got.key}|${got.currency}`)!);
        }
        if (granularity) {
          const label = (s: UsageSample) =>
            new Date(s.sampledAt * 1000)
              .toISOString()
              .slice(0, granularity === 'day' ? 10 : 7);
          const series = reference(
            inWindow,
            s => `${label(s)}|${GROUP_OF[groupBy](s)}`,
          );
          expect(summary.series).toHaveLength(series.size);
          for (const p of summary.series!) {
            const want = series.get(`${p.bucket}|${p.key}|${p.currency}`)!;
            expect(want).toBeDefined();
            expect(p.cost).toBeCloseTo(want.cost, 6);
            expect(p.gpuHours).toBeCloseTo(want.gpuHours, 6);
          }
        } else {
          expect(summary.series).toBeUndefined();
        }
        const all = [...totals.values()].reduce(
          (acc, x) => ({
            gh: acc.gh + x.gpuHours,
            u: acc.u + x.util,
            tk: acc.tk + x.tokenGpuHours,
          }),
          { gh: 0, u: 0, tk: 0 },
        );
        const cover = (part: number) => {
          if (part === 0) return 'none';
          return Math.abs(part - all.gh) < 1e-9 ? 'full' : 'partial';
        };
        expect(summary.basis).toMatchObject({
          allocation: true,
          utilization: all.gh === 0 ? 'none' : cover(all.u),
          tokens: all.gh === 0 ? 'none' : cover(all.tk),
        });
      }

      // Export rows: one per endpoint per day, the same sums.
      const exportFrom = base + 30 * 3600;
      const exportTo = base + 40 * 24 * 3600 + 5 * 3600;
      const rows = await store.exportRows({ from: exportFrom, to: exportTo });
      const byDay = reference(
        samples.filter(
          s => s.sampledAt >= exportFrom && s.sampledAt < exportTo,
        ),
        s =>
          `${new Date(s.sampledAt * 1000).toISOString().slice(0, 10)}|${
            s.endpointRef
          }`,
      );
      expect(rows).toHaveLength(byDay.size);
      for (const r of rows) {
        const want = byDay.get(`${r.day}|${r.endpointRef}|${r.currency}`)!;
        expect(r.cost).toBeCloseTo(want.cost, 6);
        expect(r.idleCost).toBeCloseTo(want.idleCost, 6);
        expect(r.tokens).toBe(want.tokens);
      }

      // Month over month: whole months, from the monthly rollup.
      const mom = await store.monthOverMonth({
        month: '2026-11',
        groupBy: 'pool',
      });
      const monthly = (month: string) =>
        reference(
          samples.filter(s =>
            new Date(s.sampledAt * 1000).toISOString().startsWith(month),
          ),
          s => s.poolRef,
        );
      const nov = monthly('2026-11');
      const oct = monthly('2026-10');
      for (const g of mom.groups!) {
        const id = `${g.key}|${g.currency}`;
        expect(g.cost).toBeCloseTo(nov.get(id)?.cost ?? 0, 6);
        expect(g.previousCost).toBeCloseTo(oct.get(id)?.cost ?? 0, 6);
      }
      expect(mom.groups).toHaveLength(
        new Set([...nov.keys(), ...oct.keys()]).size,
      );

      function checkAgainst(
        got: CostFigures,
        want: ReturnType<typeof reference> extends Map<string, infer V>
          ? V
          : never,
      ) {
        expect(want).toBeDefined();
        expect(got.cost).toBeCloseTo(want.cost, 6);
        expect(got.gpuHours).toBeCloseTo(want.gpuHours, 6);
        expect(got.idleCost).toBeCloseTo(want.idleCost, 6);
        expect(got.idleGpuHours).toBeCloseTo(want.idleGpuHours, 6);
        expect(got.utilizationCoverage).toBeCloseTo(
          want.gpuHours ? want.util / want.gpuHours : 0,
          6,
        );
        expect(got.tokenCoverage).toBeCloseTo(
          want.gpuHours ? want.tokenGpuHours / want.gpuHours : 0,
          6,
        );
        expect(got.tokens).toBe(want.tokens);
        if (want.tokens > 0) {
          expect(got.costPerMillionTokens).toBeCloseTo(
            (want.tokenCost / want.tokens) * 1e6,
            6,
          );
        } else {
          expect(got.costPerMillionTokens).toBeUndefined();
        }
      }
    });

    describe('forecast and budgets', () => {
      /**
       * chat (team A, 4 USD): one hour a day at 10:00 with as many GPUs as
       * the day of the month, 1..10 November (cost 4 x day), and 1 GPU on
       * 25..31 October (4 USD a day). embed (team B, 2 USD): 1 GPU-hour a
       * day on 1..10 November (2 USD a day). eu-chat (team A): 1 GPU-hour
       * at 3 EUR on 2 November.
       */
      async function withDays(id: TestDatabaseId) {
        const created = await createStore(id);
        const samples: UsageSample[] = [];
        for (let d = 1; d <= 10; d++) {
          const day = `2026-11-${String(d).padStart(2, '0')}T10:00`;
          samples.push(chat(day, { intervalSeconds: 3600, gpus: d }));
          samples.push(embed(day, { intervalSeconds: 3600 }));
        }
        for (let d = 25; d <= 31; d++) {
          samples.push(
            chat(`2026-10-${d}T10:00`, { intervalSeconds: 3600, gpus: 1 }),
          );
        }
        samples.push(
          euChat('2026-11-02T10:00', { intervalSeconds: 3600, gpus: 1 }),
        );
        await created.store.insertSamples(samples);
        await created.store.rollup({
          fromSeconds: t('2026-10-01T00:00'),
          toSeconds: t('2026-12-01T00:00'),
        });
        return created;
      }

      it('forecasts from the last 7 complete days', async () => {
        const { store } = await withDays(databaseId);
        // now 11-10 15:30: complete days 1..9; remaining 30 - 9 = 21;
        // mean window 3..9 November.
        const f = await store.forecastMonth({
          now: t('2026-11-10T15:30'),
          groupBy: 'team',
        });
        expect(f).toMatchObject({
          month: '2026-11',
          daysInMonth: 30,
          completeDays: 9,
          remainingDays: 21,
          meanWindow: {
            from: t('2026-11-03T00:00'),
            to: t('2026-11-10T00:00'),
            days: 7,
            firstDay: '2026-11-03',
            lastDay: '2026-11-09',
          },
        });
        expect(f.method).toBe(
          'forecast = actual cost of the 9 complete days of 2026-11 (2026-11-01..2026-11-09)' +
            ' + mean daily cost of the last 7 complete days (2026-11-03..2026-11-09)' +
            ' x 21 remaining days (30 days in 2026-11 - 9 complete; today, 2026-11-10, counts as not complete)' +
            '; never less than the month-to-date cost',
        );
        // USD: complete = 4 x (1+..+9) + 2 x 9 = 180 + 18 = 198;
        // window = 4 x (3+..+9) + 2 x 7 = 168 + 14 = 182 -> mean 26;
        // forecast = 198 + 26 x 21 = 744; month to date adds 10 Nov: 40 + 2 -> 240.
        // EUR: complete 3 (2 Nov), window 0 -> forecast 3.
        expect(f.totals.map(r => r.currency)).toEqual(['USD', 'EUR']);
        expectClose(f.totals[0], {
          monthToDate: 240,
          completeDaysCost: 198,
          meanWindowCost: 182,
          meanDailyCost: 26,
          forecast: 744,
        });
        expectClose(f.totals[1], {
          monthToDate: 3,
          completeDaysCost: 3,
          meanDailyCost: 0,
          forecast: 3,
        });
        // team A USD: 180 + 24 x 21 = 684 (mtd 220); team B: 18 + 2 x 21 = 60 (mtd 20).
        expect(f.groups!.map(g => [g.key, g.currency])).toEqual([
          [TEAM_A, 'USD'],
          [TEAM_B, 'USD'],
          [TEAM_A, 'EUR'],
        ]);
        expectClose(f.groups![0], {
          monthToDate: 220,
          completeDaysCost: 180,
          meanDailyCost: 24,
          forecast: 684,
        });
        expectClose(f.groups![1], {
          monthToDate: 20,
          completeDaysCost: 18,
          meanDailyCost: 2,
          forecast: 60,
        });
      });

      it('takes the complete days so far when fewer than 7, and the days before on the 1st', async () => {
        const { store } = await withDays(databaseId);
        // now 11-04 12:00: complete 1..3; remaining 27.
        // team A USD: complete 4 + 8 + 12 = 24, mean 8 -> 24 + 8 x 27 = 240;
        // month to date adds 4 Nov 10:00 (16) -> 40.
        // EUR: complete 3, mean 1 -> 3 + 27 = 30.
        const f = await store.forecastMonth({
          now: t('2026-11-04T12:00'),
          groupBy: 'team',
        });
        expect(f).toMatchObject({
          completeDays: 3,
          remainingDays: 27,
          meanWindow: {
            days: 3,
            firstDay: '2026-11-01',
            lastDay: '2026-11-03',
          },
        });
        expect(f.method).toContain(
          'mean daily cost of the 3 complete days of 2026-11 so far (2026-11-01..2026-11-03; fewer than 7)',
        );
        const a = f.groups!.find(
          g => g.key === TEAM_A && g.currency === 'USD',
        )!;
        expectClose(a, {
          monthToDate: 40,
          completeDaysCost: 24,
          meanDailyCost: 8,
          forecast: 240,
        });
        const eur = f.totals.find(x => x.currency === 'EUR')!;
        expectClose(eur, {
          completeDaysCost: 3,
          meanDailyCost: 1,
          forecast: 30,
        });

        // now 11-01 05:00: no complete day; mean of 25..31 October (4 a day)
        // x 30 days = 120 for team A; nothing recorded yet this month.
        const first = await store.forecastMonth({
          now: t('2026-11-01T05:00'),
          groupBy: 'team',
        });
        expect(first).toMatchObject({
          completeDays: 0,
          remainingDays: 30,
          meanWindow: {
            days: 7,
            firstDay: '2026-10-25',
            lastDay: '2026-10-31',
          },
        });
        expect(first.method).toContain('no day of 2026-11 is complete yet');
        expect(first.groups).toHaveLength(1);
        expectClose(first.groups![0], {
          key: TEAM_A,
          currency: 'USD',
          monthToDate: 0,
          completeDaysCost: 0,
          meanDailyCost: 4,
          forecast: 120,
        });
      });

      it('sets, replaces and lists budgets, and compares them with actuals', async () => {
        const { store } = await withDays(databaseId);
        const first = await store.setBudget({
          teamRef: TEAM_A,
          month: '2026-11',
          amount: 1000,
          currency: 'USD',
          setBy: 'user:default/alice',
        });
        expect(first.previous).toBeUndefined();
        expect(first.budget).toEqual({
          teamRef: TEAM_A,
          month: '2026-11',
          amount: 1000,
          currency: 'USD',
          setBy: 'user:default/alice',
          setAt: '2026-11-10T12:01:00.000Z',
        });
        const second = await store.setBudget({
          teamRef: TEAM_A,
          month: '2026-11',
          amount: 500,
          currency: 'USD',
          setBy: 'user:default/bob',
        });
        expect(second.previous).toEqual(first.budget);
        expect(second.budget).toMatchObject({
          amount: 500,
          setBy: 'user:default/bob',
        });
        await store.setBudget({
          teamRef: TEAM_B,
          month: '2026-11',
          amount: 100,
          currency: 'USD',
          setBy: 'user:default/alice',
        });
        await store.setBudget({
          teamRef: 'group:default/team-c',
          month: '2026-11',
          amount: 50,
          currency: 'EUR',
          setBy: 'user:default/alice',
        });
        await store.setBudget({
          teamRef: TEAM_A,
          month: '2026-10',
          amount: 20,
          currency: 'USD',
          setBy: 'user:default/alice',
        });
        expect(
          (await store.listBudgets({ month: '2026-11' })).map(b => [
            b.teamRef,
            b.amount,
          ]),
        ).toEqual([
          [TEAM_A, 500],
          [TEAM_B, 100],
          ['group:default/team-c', 50],
        ]);

        const now = t('2026-11-10T15:30');
        const rows = await store.budgetVsActual({ month: '2026-11', now });
        // team A: actual 220, forecast 684 > 500 -> at-risk, 44 % used;
        // 3 EUR not counted against the USD budget.
        expectClose(rows[0], {
          teamRef: TEAM_A,
          currency: 'USD',
          budget: 500,
          actual: 220,
          forecast: 684,
          percentUsed: 44,
          forecastPercent: 136.8,
          status: 'at-risk',
        });
        expect(rows[0].otherCurrencies).toEqual([
          { currency: 'EUR', actual: 3 },
        ]);
        // team B: 20 of 100, forecast 60 -> under.
        expectClose(rows[1], {
          teamRef: TEAM_B,
          actual: 20,
          forecast: 60,
          percentUsed: 20,
          status: 'under',
        });
        // team C: nothing spent.
        expectClose(rows[2], {
          teamRef: 'group:default/team-c',
          currency: 'EUR',
          actual: 0,
          forecast: 0,
          percentUsed: 0,
          status: 'under',
        });
        // October is over: actual = forecast = 7 x 4 = 28 > 20 -> 140 %.
        const october = await store.budgetVsActual({ month: '2026-10', now });
        expect(october).toHaveLength(1);
        expectClose(october[0], {
          teamRef: TEAM_A,
          budget: 20,
          actual: 28,
          forecast: 28,
          percentUsed: 140,
          status: 'over',
        });
        expect(await store.budgetVsActual({ month: '2026-12', now })).toEqual(
          [],
        );

        for (const bad of [
          { month: '2026-1' },
          { amount: -1 },
          { amount: Number.POSITIVE_INFINITY },
          { currency: 'usd' },
        ]) {
          await expect(
            store.setBudget({
              teamRef: TEAM_A,
              month: '2026-11',
              amount: 1,
              currency: 'USD',
              setBy: 'x',
              ...bad,
            }),
          ).rejects.toThrow(InputError);
        }
      });
    });
  });
});

import {
  type TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { migrateDatabase } from '../../database/migrateDatabase';
import { DatabaseBudgetStore } from '../DatabaseBudgetStore';
import { DatabaseCostQueries } from '../DatabaseCostQueries';
import { DatabaseUsageStore } from '../DatabaseUsageStore';
import type { CostGroupBy, UsageSample } from '../types';
import { t } from './exportRow';

/**
 * The cost stores' shared test fixture: three endpoints' samples computed by
 * hand, a reference that sums raw samples as the rollups should, and the
 * stores on a migrated test database.
 */

export { t };

export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';
export const CHAT = 'inferenceendpoint:default/chat';
export const EMBED = 'inferenceendpoint:default/embed';
export const EU_CHAT = 'inferenceendpoint:default/eu-chat';
export const LLAMA = 'model:default/llama';
export const BGE = 'model:default/bge';

/** chat: team A, pool h100 at 4 USD per GPU-hour, 2 GPUs, 15-minute samples. */
export const chat = (
  at: string,
  extra: Partial<UsageSample> = {},
): UsageSample => ({
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
export const embed = (
  at: string,
  extra: Partial<UsageSample> = {},
): UsageSample => ({
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
export const euChat = (
  at: string,
  extra: Partial<UsageSample> = {},
): UsageSample => ({
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
export const FIXTURE: UsageSample[] = [
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
export const USD_ALL = {
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
export const EUR_ALL = {
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

export type Numbers = Record<string, number | string | undefined>;

/** Compares numbers to 6+ digits and everything else exactly. */
export function expectClose(actual: object, expected: Numbers, digits = 6) {
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

/** What the rollups should say, computed straight from raw samples. */
export function reference(
  samples: UsageSample[],
  keyOf?: (s: UsageSample) => string,
) {
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

export const GROUP_OF: Record<CostGroupBy, (s: UsageSample) => string> = {
  team: s => s.teamRef,
  endpoint: s => s.endpointRef,
  model: s => s.modelRef,
  pool: s => s.poolRef,
  cluster: s => s.cluster,
};

/**
 * Tests of the cost stores on each test database (Postgres and SQLite):
 * `body` declares them, given the databases and the one of this run.
 */
export function describeOnEachDatabase(
  name: string,
  body: (databases: TestDatabases, databaseId: TestDatabaseId) => void,
): void {
  // eslint-disable-next-line jest/valid-title -- the caller names the tests
  describe(name, () => {
    const databases = TestDatabases.create({
      ids: ['POSTGRES_15', 'SQLITE_3'],
    });
    describe.each(databases.eachSupportedId())('on %p', databaseId => {
      body(databases, databaseId);
    });
  });
}

/** The window that holds every FIXTURE sample. */
export const ALL_FROM = t('2026-10-31T00:00');
export const ALL_TO = t('2026-11-02T00:00');

/** The three cost stores on a freshly migrated test database. */
export async function createCostStores(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options: { batchSize?: number } = {},
): Promise<{
  usage: DatabaseUsageStore;
  costs: DatabaseCostQueries;
  budgets: DatabaseBudgetStore;
  knex: Knex;
}> {
  const knex = await databases.init(databaseId);
  await migrateDatabase(knex);
  let now = Date.parse('2026-11-10T12:00:00.000Z');
  const usage = DatabaseUsageStore.create({ knex, ...options });
  const costs = DatabaseCostQueries.create({ knex });
  const budgets = DatabaseBudgetStore.create({
    knex,
    costs,
    now: () => new Date((now += 60_000)),
  });
  return { usage, costs, budgets, knex };
}

/** The stores holding FIXTURE, rolled up. */
export async function withFixture(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
) {
  const created = await createCostStores(databases, databaseId);
  await created.usage.insertSamples(FIXTURE);
  await created.usage.rollup({ fromSeconds: ALL_FROM, toSeconds: ALL_TO });
  return created;
}

/**
 * chat (team A, 4 USD): one hour a day at 10:00 with as many GPUs as the day
 * of the month, 1..10 November (cost 4 x day), and 1 GPU on 25..31 October
 * (4 USD a day). embed (team B, 2 USD): 1 GPU-hour a day on 1..10 November
 * (2 USD a day). eu-chat (team A): 1 GPU-hour at 3 EUR on 2 November.
 */
export async function withDays(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
) {
  const created = await createCostStores(databases, databaseId);
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
  samples.push(euChat('2026-11-02T10:00', { intervalSeconds: 3600, gpus: 1 }));
  await created.usage.insertSamples(samples);
  await created.usage.rollup({
    fromSeconds: t('2026-10-01T00:00'),
    toSeconds: t('2026-12-01T00:00'),
  });
  return created;
}

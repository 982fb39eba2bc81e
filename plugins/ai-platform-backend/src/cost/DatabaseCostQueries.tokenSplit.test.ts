import { InputError } from '@backstage/errors';
import type {
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { UsageSample } from './types';
import {
  CHAT,
  chat,
  createCostStores,
  describeOnEachDatabase,
  t,
} from './__testUtils__/costFixture';

jest.setTimeout(120_000);

const CHAT_EU = 'inferenceendpoint:default/chat-eu';

/** chat (costFixture.ts): 2 GPUs x 900 s = 0.5 GPU-hour at 4 USD = 2 USD per sample. */

/**
 * Hand-computed (2 USD per chat sample, 1 USD per chat-eu sample):
 *   a 10:00 measured, share 0.1, 1,000,000 prompt + 100,000 generated, 400 requests
 *   b 10:15 weighted, share 0.6, 600,000 + 100,000, 200 requests
 *   c 10:30 idle: tokens 0 + 0, no share, 0 requests
 *   d 10:45 no tokens known (not in the token cost), no requests known
 *   e chat-eu 10:00 (same model, other endpoint): weighted 0.5, 1 USD,
 *     200,000 + 50,000, 100 requests
 * chat: token cost a+b+c = 6; split cost a+b = 4; prompt cost of the split
 * 0.2 + 1.2 = 1.4 -> share 0.35 of 6 = 2.1, generation 3.9;
 * prompt tokens 1.6M -> 1.3125 per 1M; generated 0.2M -> 19.5 per 1M;
 * measured GPU-hours 0.5 of 1.5 token GPU-hours = 1/3; requests 600 over
 * the cost of a, b, c (6) -> 0.01 per request, covering 6 of 8.
 */
const SAMPLES: UsageSample[] = [
  chat('2026-11-02T10:00', {
    promptTokens: 1_000_000,
    generationTokens: 100_000,
    promptShare: 0.1,
    splitBasis: 'measured',
    requests: 400,
  }),
  chat('2026-11-02T10:15', {
    promptTokens: 600_000,
    generationTokens: 100_000,
    promptShare: 0.6,
    splitBasis: 'weighted',
    requests: 200,
  }),
  chat('2026-11-02T10:30', {
    promptTokens: 0,
    generationTokens: 0,
    requests: 0,
  }),
  chat('2026-11-02T10:45'),
  chat('2026-11-02T10:00', {
    endpointRef: CHAT_EU,
    gpus: 1,
    promptTokens: 200_000,
    generationTokens: 50_000,
    promptShare: 0.5,
    splitBasis: 'weighted',
    requests: 100,
  }),
];

async function withSamples(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
) {
  const stores = await createCostStores(databases, databaseId);
  await stores.usage.insertSamples(SAMPLES);
  await stores.usage.rollup({
    fromSeconds: t('2026-11-02T00:00'),
    toSeconds: t('2026-11-03T00:00'),
  });
  return stores;
}

describeOnEachDatabase(
  'DatabaseCostQueries: prompt and generation tokens',
  (databases, databaseId) => {
    it('splits the token cost per endpoint, and costs a request', async () => {
      const { costs } = await withSamples(databases, databaseId);
      // Hours, days and months give the same figures.
      for (const [from, to] of [
        [t('2026-11-02T10:00'), t('2026-11-02T11:00')],
        [t('2026-11-01T00:00'), t('2026-11-05T00:00')],
        [t('2026-11-01T00:00'), t('2026-12-01T00:00')],
      ]) {
        const summary = await costs.costSummary({
          from,
          to,
          groupBy: 'endpoint',
        });
        const chatRow = summary.groups.find(g => g.key === CHAT)!;
        expect(chatRow.cost).toBeCloseTo(8, 9);
        expect(chatRow.promptTokenCost).toBeCloseTo(2.1, 9);
        expect(chatRow.generationTokenCost).toBeCloseTo(3.9, 9);
        expect(chatRow.costPerMillionPromptTokens).toBeCloseTo(1.3125, 9);
        expect(chatRow.costPerMillionGenerationTokens).toBeCloseTo(19.5, 9);
        expect(chatRow.splitMeasuredShare).toBeCloseTo(1 / 3, 9);
        expect(chatRow.requests).toBe(600);
        expect(chatRow.costPerRequest).toBeCloseTo(0.01, 9);
        expect(chatRow.requestCoverage).toBeCloseTo(0.75, 9);

        // chat-eu alone: 1 USD, half to 200,000 prompt tokens.
        const eu = summary.groups.find(g => g.key === CHAT_EU)!;
        expect(eu.costPerMillionPromptTokens).toBeCloseTo(2.5, 9);
        expect(eu.costPerMillionGenerationTokens).toBeCloseTo(10, 9);
        expect(eu.splitMeasuredShare).toBe(0);
        expect(eu.costPerRequest).toBeCloseTo(0.01, 9);

        // The model: both endpoints' sums, split as one.
        // token cost 7, split cost 5, prompt 1.4 + 0.5 = 1.9 -> 7 x 0.38 = 2.66.
        const byModel = await costs.costSummary({
          from,
          to,
          groupBy: 'model',
        });
        expect(byModel.groups[0].promptTokenCost).toBeCloseTo(2.66, 9);
        expect(byModel.groups[0].costPerRequest).toBeCloseTo(7 / 700, 9);
      }
    });

    it('exports the split and the requests per endpoint and day', async () => {
      const { costs } = await withSamples(databases, databaseId);
      const rows = await costs.exportRows({
        from: t('2026-11-02T00:00'),
        to: t('2026-11-03T00:00'),
      });
      const chatRow = rows.find(r => r.endpointRef === CHAT)!;
      expect(chatRow.promptTokenCost).toBeCloseTo(2.1, 9);
      expect(chatRow.generationTokenCost).toBeCloseTo(3.9, 9);
      expect(chatRow.costPerMillionPromptTokens).toBeCloseTo(1.3125, 9);
      expect(chatRow.costPerMillionGenerationTokens).toBeCloseTo(19.5, 9);
      expect(chatRow.splitMeasuredGpuHours).toBeCloseTo(0.5, 9);
      expect(chatRow.requests).toBe(600);
      expect(chatRow.costPerRequest).toBeCloseTo(0.01, 9);
    });

    it('shows no split for samples without one', async () => {
      const { usage, costs } = await createCostStores(databases, databaseId);
      await usage.insertSamples([
        chat('2026-11-02T10:00', { promptTokens: 10, generationTokens: 5 }),
      ]);
      await usage.rollup({
        fromSeconds: t('2026-11-02T10:00'),
        toSeconds: t('2026-11-02T11:00'),
      });
      const summary = await costs.costSummary({
        from: t('2026-11-02T10:00'),
        to: t('2026-11-02T11:00'),
        groupBy: 'endpoint',
      });
      expect(summary.groups[0].costPerMillionTokens).toBeDefined();
      expect(summary.groups[0].costPerMillionPromptTokens).toBeUndefined();
      expect(summary.groups[0].costPerRequest).toBeUndefined();
    });

    it('refuses a share out of range or without its basis, and writes nothing', async () => {
      const { usage, knex } = await withSamples(databases, databaseId);
      const before = await knex('usage_samples').count({ n: '*' });
      await expect(
        usage.insertSamples([
          chat('2026-11-02T11:00'),
          chat('2026-11-02T11:15', {
            promptShare: 1.5,
            splitBasis: 'weighted',
          }),
        ]),
      ).rejects.toThrow(
        new InputError('Usage sample 1: promptShare must be between 0 and 1'),
      );
      await expect(
        usage.insertSamples([chat('2026-11-02T11:00', { promptShare: 0.5 })]),
      ).rejects.toThrow(/splitBasis must be measured or weighted/);
      await expect(
        usage.insertSamples([chat('2026-11-02T11:00', { requests: -1 })]),
      ).rejects.toThrow(/requests must be a non-negative integer/);
      expect(await knex('usage_samples').count({ n: '*' })).toEqual(before);
    });
  },
);

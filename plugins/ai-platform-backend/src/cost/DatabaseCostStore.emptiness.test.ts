import { TestDatabases } from '@backstage/backend-test-utils';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseCostStore } from './DatabaseCostStore';

jest.setTimeout(60_000);

describe('DatabaseCostStore emptiness and the end of the stored samples', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'counts rollups as usage after raw samples are pruned, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      const store = DatabaseCostStore.create({ knex });
      expect(await store.hasAnySamples()).toBe(false);
      expect(await store.lastSampleEnd()).toBeUndefined();

      const at = Date.parse('2026-10-01T10:00:00Z') / 1000;
      await store.insertSamples([
        {
          sampledAt: at,
          intervalSeconds: 300,
          endpointRef: 'inferenceendpoint:default/e',
          teamRef: 'group:default/t',
          modelRef: 'model:default/m',
          poolRef: 'gpupool:default/p',
          cluster: 'c',
          gpus: 1,
          pricePerGpuHour: 1,
          currency: 'USD',
        },
      ]);
      expect(await store.lastSampleEnd()).toBe(at + 300);
      await store.rollup({ fromSeconds: at, toSeconds: at + 300 });
      await store.pruneSamples({ beforeSeconds: at + 86_400 });
      expect(await store.lastSampleEnd()).toBeUndefined();
      expect(await store.hasAnySamples()).toBe(true);
    },
  );
});

import { TestDatabases } from '@backstage/backend-test-utils';
import { migrateDatabase, rollbackDatabase } from './migrateDatabase';

jest.setTimeout(60_000);

const TABLES = [
  'audit_log',
  'eval_runs',
  'eval_scores',
  'gate_overrides',
  'quota_overrides',
  'gpu_allocations',
  'quota_requests',
  'usage_samples',
  'usage_hourly',
  'usage_daily',
  'usage_monthly',
  'team_budgets',
  'deployments',
  'cluster_observations',
];

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'go up and down and up again on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      for (const table of TABLES) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      await rollbackDatabase(knex);
      for (const table of TABLES) {
        expect(await knex.schema.hasTable(table)).toBe(false);
      }
      await migrateDatabase(knex);
      expect(await knex.schema.hasTable('audit_log')).toBe(true);
      for (const [table, column] of [
        ['usage_samples', 'gpus_basis'],
        ['usage_samples', 'metrics_basis'],
        ['usage_hourly', 'cluster_gpu_hours'],
        ['usage_monthly', 'last_known_gpu_hours'],
      ]) {
        expect([table, await knex.schema.hasColumn(table, column)]).toEqual([
          table,
          true,
        ]);
      }
    },
  );
});

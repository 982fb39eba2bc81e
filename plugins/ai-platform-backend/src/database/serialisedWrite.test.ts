import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { serialisedWrite } from './serialisedWrite';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function counterTable(knex: Knex) {
  await knex.schema.dropTableIfExists('serialised_write_test');
  await knex.schema.createTable('serialised_write_test', table => {
    table.string('id').primary();
    table.integer('value').notNullable();
  });
  await knex('serialised_write_test').insert({ id: 'counter', value: 0 });
}

/** Reads the counter, yields to the other writers, then writes it plus one. */
function increment(knex: Knex, key: string | number) {
  return serialisedWrite(
    knex,
    { key, sqliteWriteLock: { table: 'serialised_write_test', column: 'id' } },
    async tx => {
      const row = await tx('serialised_write_test')
        .where('id', 'counter')
        .first('value');
      await new Promise(resolve => setTimeout(resolve, 20));
      await tx('serialised_write_test')
        .where('id', 'counter')
        .update({ value: Number(row.value) + 1 });
      return Number(row.value);
    },
  );
}

describe.each(databases.eachSupportedId())('serialisedWrite on %p', id => {
  it.each([
    ['a string key', 'test-counter'] as const,
    ['a number key', 4711] as const,
  ])('runs read-then-write steps with %s one after another', async (_, key) => {
    const knex = await databases.init(id);
    await counterTable(knex);
    const seen = await Promise.all(
      Array.from({ length: 5 }, () => increment(knex, key)),
    );
    // Each step saw the one before it: no lost updates.
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    const row = await knex('serialised_write_test').first('value');
    expect(Number(row.value)).toBe(5);
  });

  it('returns what the work returns and rolls back when it throws', async () => {
    const knex = await databases.init(id);
    await counterTable(knex);
    await expect(
      serialisedWrite(knex, { key: 'rollback' }, async tx => {
        await tx('serialised_write_test')
          .where('id', 'counter')
          .update({ value: 99 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(
      Number((await knex('serialised_write_test').first('value')).value),
    ).toBe(0);
    await expect(
      serialisedWrite(knex, { key: 'result' }, async () => 'done'),
    ).resolves.toBe('done');
  });
});

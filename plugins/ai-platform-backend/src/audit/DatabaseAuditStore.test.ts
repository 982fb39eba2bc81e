import {
  type TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { migrateDatabase } from '../database/migrateDatabase';
import {
  DatabaseAuditStore,
  GENESIS_HASH,
  canonicalJson,
  hashRecord,
} from './DatabaseAuditStore';
import type { NewAuditEntry } from './types';

jest.setTimeout(120_000);

const entry = (
  i: number,
  overrides: Partial<NewAuditEntry> = {},
): NewAuditEntry => ({
  actor: i % 2 ? 'user:default/alice' : 'user:default/bob',
  action: i % 3 ? 'eval.ingest' : 'gate.override',
  target: `model:default/model-${i % 4}`,
  request: { i, version: 'v1' },
  outcome: i % 5 ? 'success' : 'failure',
  message: i % 5 ? undefined : `failure ${i}`,
  ...overrides,
});

describe('canonicalJson', () => {
  it('sorts keys so equal objects hash equally', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }),
    ).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });
});

describe('DatabaseAuditStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    let t = Date.parse('2026-11-01T00:00:00.000Z');
    const store = DatabaseAuditStore.create({
      knex,
      now: () => new Date((t += 60_000)),
    });
    return { knex, store };
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('chains each record to the one before it', async () => {
      const { store } = await createStore(databaseId);
      const first = await store.append(entry(1));
      const second = await store.append(entry(2));
      expect(first.prevHash).toBe(GENESIS_HASH);
      expect(second.prevHash).toBe(first.hash);
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(hashRecord(second)).toBe(second.hash);
      expect(await store.verify()).toEqual({ ok: true, checked: 2 });
    });

    it('filters and pages newest first with a cursor', async () => {
      const { store } = await createStore(databaseId);
      for (let i = 0; i < 30; i++) await store.append(entry(i));
      const page1 = await store.query({
        filter: { actor: 'user:default/alice', outcome: 'success' },
        limit: 5,
      });
      expect(page1.items).toHaveLength(5);
      expect(page1.items.every(r => r.actor === 'user:default/alice')).toBe(
        true,
      );
      expect(page1.items.every(r => r.outcome === 'success')).toBe(true);
      const seqs = page1.items.map(r => r.seq);
      expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);

      const all = [];
      let cursor: string | undefined;
      do {
        const page = await store.query({
          filter: { actor: 'user:default/alice', outcome: 'success' },
          limit: 5,
          cursor,
        });
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      // odd i (alice) and not a multiple of 5 (success): 12 of 0..29
      expect(all).toHaveLength(12);
      expect(new Set(all.map(r => r.id)).size).toBe(12);

      const byTarget = await store.query({
        filter: { target: 'model:default/model-1', action: 'eval.ingest' },
      });
      expect(byTarget.items.map(r => r.request.i)).toEqual([
        29, 25, 17, 13, 5, 1,
      ]);

      // created_at advances a minute per record from 2026-11-01T00:01
      const window = await store.query({
        filter: {
          from: '2026-11-01T00:05:00.000Z',
          to: '2026-11-01T00:08:00.000Z',
        },
      });
      expect(window.items.map(r => r.time)).toEqual([
        '2026-11-01T00:07:00.000Z',
        '2026-11-01T00:06:00.000Z',
        '2026-11-01T00:05:00.000Z',
      ]);
    });

    it('reports an edited record as the first broken link', async () => {
      const { knex, store } = await createStore(databaseId);
      const records = [];
      for (let i = 0; i < 5; i++) records.push(await store.append(entry(i)));
      await knex('audit_log')
        .where('id', records[2].id)
        .update({ request: JSON.stringify({ i: 2, version: 'v2' }) });
      expect(await store.verify()).toEqual({
        ok: false,
        checked: 3,
        firstBroken: {
          seq: records[2].seq,
          id: records[2].id,
          reason: expect.stringContaining('changed after it was written'),
        },
      });
    });

    it('reports a deleted record by the broken link after it', async () => {
      const { knex, store } = await createStore(databaseId);
      const records = [];
      for (let i = 0; i < 5; i++) records.push(await store.append(entry(i)));
      await knex('audit_log').where('id', records[1].id).delete();
      const result = await store.verify();
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toEqual({
        seq: records[2].seq,
        id: records[2].id,
        reason: expect.stringContaining('prev_hash does not match'),
      });
    });

    it('never forks the chain when two replicas append at once', async () => {
      const { knex } = await createStore(databaseId);
      // A second connection pool on the same database plays the second replica.
      const replica =
        databaseId === 'SQLITE_3'
          ? knex
          : knexFactory({ ...knex.client.config, pool: { min: 0, max: 10 } });
      try {
        const a = DatabaseAuditStore.create({ knex });
        const b = DatabaseAuditStore.create({ knex: replica });
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            (i % 2 ? a : b).append(entry(i)),
          ),
        );
        expect(await a.verify()).toEqual({ ok: true, checked: 60 });
        const hashes = await knex('audit_log').pluck('prev_hash');
        expect(new Set(hashes).size).toBe(60);
      } finally {
        if (replica !== knex) await replica.destroy();
      }
    });
  });
});

import { TestDatabases } from '@backstage/backend-test-utils';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseQuotaStore } from './DatabaseQuotaStore';

jest.setTimeout(120_000);

const APPLIED = 'group:default/applied-ml';
const DS = 'group:default/data-science';
const L4 = 'gpupool:default/l4';
const H100 = 'gpupool:default/h100';

describe('DatabaseQuotaStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function create() {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      let t = Date.parse('2026-11-01T00:00:00.000Z');
      const store = DatabaseQuotaStore.create({
        knex,
        now: () => new Date((t += 1000)),
      });
      return { knex, store };
    }

    it('records, replaces and deletes allocations, and reads them per pool', async () => {
      const { knex, store } = await create();
      const chat = { endpoint: 'e:default/chat', team: APPLIED, pool: L4 };
      await store.putAllocation({ ...chat, gpus: 2, actor: 'user:default/a' });
      await store.putAllocation({ ...chat, gpus: 6, actor: 'user:default/b' });
      await store.putAllocation({
        endpoint: 'e:default/big',
        team: DS,
        pool: H100,
        gpus: 4,
        actor: 'user:default/a',
      });
      expect(await store.allocation(chat.endpoint)).toEqual({
        ...chat,
        gpus: 6,
      });
      expect(
        await knex('gpu_allocations').where('endpoint_ref', chat.endpoint),
      ).toEqual([
        expect.objectContaining({
          updated_by: 'user:default/b',
          updated_at: '2026-11-01T00:00:02.000Z',
        }),
      ]);
      expect((await store.readState({ pool: L4 })).holdings).toEqual([
        { ...chat, gpus: 6 },
      ]);
      expect((await store.readState()).holdings).toHaveLength(2);
      expect(await store.deleteAllocation(chat.endpoint)).toBe(true);
      expect(await store.deleteAllocation(chat.endpoint)).toBe(false);
      expect(await store.allocation(chat.endpoint)).toBeUndefined();
    });

    it('reads surges as holdings and deletes them by deployment', async () => {
      const { store } = await create();
      const chat = { endpoint: 'e:default/chat', team: APPLIED, pool: L4 };
      await store.putAllocation({ ...chat, gpus: 2, actor: 'a' });
      await store.addSurge({ ...chat, gpus: 1, deploymentId: 'd1' });
      await store.addSurge({ ...chat, gpus: 1, deploymentId: 'd2' });
      await store.addSurge({ ...chat, gpus: 1, deploymentId: 'd3' });
      expect((await store.readState({ pool: L4 })).holdings).toEqual([
        { ...chat, gpus: 2 },
        { ...chat, gpus: 1 },
        { ...chat, gpus: 1 },
        { ...chat, gpus: 1 },
      ]);
      expect((await store.readState({ pool: H100 })).holdings).toEqual([]);
      expect(await store.deleteSurge('d1')).toBe(true);
      expect(await store.deleteSurge('d1')).toBe(false);
      expect(await store.deleteSurgesExcept(['d2'])).toBe(1);
      expect((await store.readState()).holdings).toHaveLength(2);
      expect(await store.deleteSurgesExcept([])).toBe(1);
      expect((await store.readState()).holdings).toEqual([
        { ...chat, gpus: 2 },
      ]);
    });

    it('sets, replaces and deletes overrides', async () => {
      const { store } = await create();
      await store.putOverride({
        team: DS,
        pool: L4,
        gpus: 6,
        reason: 'launch',
        actor: 'user:default/admin',
      });
      await store.putOverride({
        team: DS,
        pool: L4,
        gpus: 8,
        reason: 'launch, longer',
        actor: 'user:default/admin2',
      });
      await store.putOverride({
        team: DS,
        pool: H100,
        gpus: 1,
        reason: 'x',
        actor: 'a',
      });
      expect((await store.readState({ pool: L4 })).overrides).toEqual([
        {
          team: DS,
          pool: L4,
          gpus: 8,
          reason: 'launch, longer',
          actor: 'user:default/admin2',
          createdAt: '2026-11-01T00:00:02.000Z',
        },
      ]);
      expect(await store.deleteOverride({ team: DS, pool: L4 })).toBe(true);
      expect(await store.deleteOverride({ team: DS, pool: L4 })).toBe(false);
      expect((await store.readState()).overrides).toHaveLength(1);
    });

    it('creates, filters and decides requests once', async () => {
      const { store } = await create();
      const first = await store.createRequest({
        team: DS,
        pool: L4,
        gpus: 6,
        quotaAtRequest: 4,
        reason: 'eval sweep',
        requestedBy: 'user:default/member',
      });
      expect(first).toEqual({
        id: expect.any(String),
        team: DS,
        pool: L4,
        gpus: 6,
        quotaAtRequest: 4,
        reason: 'eval sweep',
        requestedBy: 'user:default/member',
        createdAt: '2026-11-01T00:00:01.000Z',
        state: 'pending',
        decidedBy: undefined,
        decisionReason: undefined,
        decidedAt: undefined,
      });
      const second = await store.createRequest({
        ...first,
        team: APPLIED,
        pool: H100,
      });
      expect((await store.listRequests()).map(r => r.id)).toEqual([
        second.id,
        first.id,
      ]);
      expect((await store.listRequests({ team: DS })).map(r => r.id)).toEqual([
        first.id,
      ]);
      expect((await store.listRequests({ pool: H100 })).map(r => r.id)).toEqual(
        [second.id],
      );
      expect(
        await store.decideRequest({
          id: first.id,
          state: 'approved',
          decidedBy: 'user:default/admin',
          reason: 'ok',
        }),
      ).toBe(true);
      expect(
        await store.decideRequest({
          id: first.id,
          state: 'rejected',
          decidedBy: 'user:default/other',
          reason: 'late',
        }),
      ).toBe(false);
      expect(await store.getRequest(first.id)).toMatchObject({
        state: 'approved',
        decidedBy: 'user:default/admin',
        decisionReason: 'ok',
        decidedAt: '2026-11-01T00:00:03.000Z',
      });
      expect(
        (await store.listRequests({ state: 'pending' })).map(r => r.id),
      ).toEqual([second.id]);
      expect(await store.getRequest('nope')).toBeUndefined();
    });

    it('rolls a transaction back when its work fails', async () => {
      const { store } = await create();
      await expect(
        store.transaction(async tx => {
          await tx.putOverride({
            team: DS,
            pool: L4,
            gpus: 6,
            reason: 'r',
            actor: 'a',
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await expect(
        store.serialisedForPool(L4, async tx => {
          await tx.putAllocation({
            endpoint: 'e:default/chat',
            team: APPLIED,
            pool: L4,
            gpus: 2,
            actor: 'a',
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.readState()).toEqual({ holdings: [], overrides: [] });
    });

    it('runs serialised writes of one pool one after another', async () => {
      const { store } = await create();
      const chat = { endpoint: 'e:default/chat', team: APPLIED, pool: L4 };
      // Each step reads the total and writes one more: interleaved steps
      // would read the same total and lose increments.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.serialisedForPool(L4, async tx => {
            const held = await tx.allocation(chat.endpoint);
            await new Promise(resolve => setTimeout(resolve, 5));
            await tx.putAllocation({
              ...chat,
              gpus: (held?.gpus ?? 0) + 1,
              actor: `step-${i}`,
            });
          }),
        ),
      );
      expect(await store.allocation(chat.endpoint)).toEqual({
        ...chat,
        gpus: 10,
      });
    });
  });
});

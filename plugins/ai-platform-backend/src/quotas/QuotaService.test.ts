import {
  type TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { migrateDatabase } from '../database/migrateDatabase';
import { type FleetSnapshot, fleetFromEntities } from '../fleet/FleetSource';
import { QuotaService } from './QuotaService';

jest.setTimeout(120_000);

const examples = path.resolve(__dirname, '../../../../examples');
const exampleEntities = ['gpu-pools.yaml', 'endpoints.yaml'].flatMap(f =>
  parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
    d => d.toJS() as Entity,
  ),
);

const APPLIED = 'group:default/applied-ml';
const DS = 'group:default/data-science';
const SEARCH = 'group:default/search-relevance';
const L4 = 'gpupool:default/l4-inference';
const H100 = 'gpupool:default/h100-inference';

/** A pool of `capacity` GPUs with quotas of 8 for two teams and no endpoints. */
function emptyPool(capacity: number): FleetSnapshot {
  return {
    pools: [
      {
        ref: 'gpupool:default/test',
        title: 'test',
        cluster: 'c',
        capacity,
        product: 'NVIDIA-L4',
        resourceName: 'nvidia.com/gpu',
        baselines: new Map([
          [APPLIED, 8],
          [DS, 8],
        ]),
      },
    ],
    endpoints: [],
  };
}

describe('QuotaService', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function create(
    databaseId: TestDatabaseId,
    snapshot: FleetSnapshot,
    options: { allowOverCommit?: boolean } = {},
  ) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    let t = Date.parse('2026-11-01T00:00:00.000Z');
    return new QuotaService({
      knex,
      fleet: { snapshot: async () => snapshot },
      now: () => new Date((t += 1000)),
      ...options,
    });
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('reads baselines from the pools and usage from the catalog', async () => {
      const quotas = await create(
        databaseId,
        fleetFromEntities(exampleEntities),
      );
      const [l4] = await quotas.overview({ pool: L4 });
      // chat-assistant-prod 1 x max 6, chat-assistant-staging 1 x 1,
      // transcription-whisper 1 x 2: all Applied ML.
      expect(l4).toMatchObject({ pool: L4, capacity: 16, used: 9, free: 7 });
      expect(l4.teams).toEqual([
        { team: APPLIED, quota: 12, baseline: 12, used: 9, free: 3 },
        { team: DS, quota: 4, baseline: 4, used: 0, free: 4 },
      ]);
      const [h100] = await quotas.overview({ pool: H100, team: DS });
      // support-assistant 1 x 2
      expect(h100.teams).toEqual([
        { team: DS, quota: 8, baseline: 8, used: 2, free: 6 },
      ]);
    });

    it('answers a check with the numbers behind it', async () => {
      const quotas = await create(
        databaseId,
        fleetFromEntities(exampleEntities),
      );
      expect(await quotas.check({ team: APPLIED, pool: L4, gpus: 3 })).toEqual({
        team: APPLIED,
        pool: L4,
        gpus: 3,
        allowed: true,
        reasons: [],
        quota: 12,
        used: 9,
        teamFree: 3,
        poolCapacity: 16,
        poolUsed: 9,
        poolFree: 7,
      });
      const denied = await quotas.check({ team: APPLIED, pool: L4, gpus: 4 });
      expect(denied.allowed).toBe(false);
      expect(denied.reasons).toEqual([
        'quota exceeded: group:default/applied-ml has a quota of 12 GPUs on gpupool:default/l4-inference and uses 9; 4 more would make 13',
      ]);
      // Re-placing an endpoint does not count what it holds now (6).
      expect(
        (
          await quotas.check({
            team: APPLIED,
            pool: L4,
            gpus: 9,
            endpoint: 'inferenceendpoint:default/chat-assistant-prod',
          })
        ).allowed,
      ).toBe(true);
      await expect(
        quotas.check({ team: APPLIED, pool: 'gpupool:default/nope', gpus: 1 }),
      ).rejects.toThrow('gpupool:default/nope is not in the catalog');
    });

    it('overrides a quota, shows who and why, and clears back to the baseline', async () => {
      const quotas = await create(
        databaseId,
        fleetFromEntities(exampleEntities),
      );
      expect(
        await quotas.setOverride({
          team: DS,
          pool: L4,
          gpus: 6,
          reason: 'launch week',
          actor: 'user:default/alice',
        }),
      ).toEqual({ before: 4, after: 6 });
      const [l4] = await quotas.overview({ pool: L4, team: DS });
      expect(l4.teams[0]).toMatchObject({
        quota: 6,
        baseline: 4,
        override: {
          gpus: 6,
          reason: 'launch week',
          actor: 'user:default/alice',
        },
      });
      expect(await quotas.clearOverride({ team: DS, pool: L4 })).toEqual({
        before: 6,
        after: 4,
      });
      await expect(
        quotas.clearOverride({ team: DS, pool: L4 }),
      ).rejects.toThrow('has no override');
    });

    it('takes recorded allocations over the catalog, and releases them', async () => {
      const quotas = await create(
        databaseId,
        fleetFromEntities(exampleEntities),
      );
      await quotas.reserve({
        endpoint: 'inferenceendpoint:default/chat-assistant-prod',
        team: APPLIED,
        pool: L4,
        gpus: 2,
        actor: 'user:default/bob',
      });
      expect(
        (await quotas.check({ team: APPLIED, pool: L4, gpus: 0 })).used,
      ).toBe(5);
      expect(
        await quotas.release({
          endpoint: 'inferenceendpoint:default/chat-assistant-prod',
        }),
      ).toBe(true);
      expect(
        (await quotas.check({ team: APPLIED, pool: L4, gpus: 0 })).used,
      ).toBe(9);
      expect(
        await quotas.release({
          endpoint: 'inferenceendpoint:default/chat-assistant-prod',
        }),
      ).toBe(false);
    });

    it('lets exactly 8 of 50 parallel 1-GPU reservations through a quota of 8', async () => {
      const quotas = await create(databaseId, emptyPool(64));
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          quotas.reserve({
            endpoint: `inferenceendpoint:default/e${i}`,
            team: APPLIED,
            pool: 'gpupool:default/test',
            gpus: 1,
            actor: 'user:default/bob',
          }),
        ),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(8);
      const rejected = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(rejected).toHaveLength(42);
      expect(rejected.every(r => r.reason.name === 'ConflictError')).toBe(true);
      expect(rejected[0].reason.message).toContain('quota exceeded');
      const [pool] = await quotas.overview();
      expect(pool.teams.find(t => t.team === APPLIED)).toMatchObject({
        quota: 8,
        used: 8,
      });
    });

    it("never over-allocates a pool's capacity under parallel reservations of two teams", async () => {
      const quotas = await create(databaseId, emptyPool(10));
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          quotas.reserve({
            endpoint: `inferenceendpoint:default/e${i}`,
            team: i % 2 ? APPLIED : DS,
            pool: 'gpupool:default/test',
            gpus: 1,
            actor: 'user:default/bob',
          }),
        ),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(10);
      const [pool] = await quotas.overview();
      expect(pool).toMatchObject({ capacity: 10, used: 10, free: 0 });
      const rejected = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(rejected.some(r => r.reason.message.includes('pool full'))).toBe(
        true,
      );
    });

    it('takes a request for more GPUs, and an approval changes the quota', async () => {
      const quotas = await create(
        databaseId,
        fleetFromEntities(exampleEntities),
      );
      await expect(
        quotas.createRequest({
          team: SEARCH,
          pool: H100,
          gpus: 4,
          reason: 'more',
          requestedBy: 'user:default/carol',
        }),
      ).rejects.toThrow(
        'gpus must be more than the current quota of group:default/search-relevance on gpupool:default/h100-inference (4)',
      );
      const request = await quotas.createRequest({
        team: SEARCH,
        pool: H100,
        gpus: 10,
        reason: 'reranker 2 launch',
        requestedBy: 'user:default/carol',
      });
      expect(request).toMatchObject({
        state: 'pending',
        quotaAtRequest: 4,
        gpus: 10,
      });
      expect(await quotas.listRequests({ state: 'pending' })).toEqual([
        request,
      ]);

      const decided = await quotas.decide({
        id: request.id,
        decision: 'approve',
        reason: 'fits the Q4 plan',
        actor: 'user:default/alice',
      });
      expect(decided.quota).toEqual({ before: 4, after: 10 });
      expect(decided.request).toMatchObject({
        state: 'approved',
        decidedBy: 'user:default/alice',
        decisionReason: 'fits the Q4 plan',
      });
      const [h100] = await quotas.overview({ pool: H100, team: SEARCH });
      expect(h100.teams[0]).toMatchObject({ quota: 10, baseline: 4 });
      await expect(
        quotas.decide({
          id: request.id,
          decision: 'reject',
          reason: 'late',
          actor: 'user:default/erin',
        }),
      ).rejects.toThrow('already approved');

      const rejected = await quotas.createRequest({
        team: DS,
        pool: L4,
        gpus: 8,
        reason: 'experiments',
        requestedBy: 'user:default/dan',
      });
      const r = await quotas.decide({
        id: rejected.id,
        decision: 'reject',
        reason: 'use the dev pool',
        actor: 'user:default/alice',
      });
      expect(r.quota).toBeUndefined();
      expect(
        (await quotas.overview({ pool: L4, team: DS }))[0].teams[0].quota,
      ).toBe(4);
      await expect(quotas.getRequest('nope')).rejects.toThrow('does not exist');

      // A request overtaken by a larger quota cannot lower it by approval.
      const stale = await quotas.createRequest({
        team: DS,
        pool: L4,
        gpus: 6,
        reason: 'more experiments',
        requestedBy: 'user:default/dan',
      });
      await quotas.setOverride({
        team: DS,
        pool: L4,
        gpus: 8,
        reason: 'raised by hand',
        actor: 'user:default/alice',
      });
      await expect(
        quotas.decide({
          id: stale.id,
          decision: 'approve',
          reason: 'ok then',
          actor: 'user:default/alice',
        }),
      ).rejects.toThrow('already has 8');
      expect((await quotas.getRequest(stale.id)).state).toBe('pending');
      expect(
        (await quotas.overview({ pool: L4, team: DS }))[0].teams[0].quota,
      ).toBe(8);
    });

    it("refuses an override above the pool's capacity, naming it, and changes nothing", async () => {
      const quotas = await create(databaseId, emptyPool(32));
      const pool = 'gpupool:default/test';
      await expect(
        quotas.setOverride({
          team: APPLIED,
          pool,
          gpus: 35,
          reason: 'more than the pool',
          actor: 'user:default/alice',
        }),
      ).rejects.toThrow(
        "gpus: 35 GPUs for group:default/applied-ml exceeds the capacity of gpupool:default/test (32 GPUs); a quota can be at most the pool's capacity unless aiPlatform.quotas.allowOverCommit is set",
      );
      const [overview] = await quotas.overview({ pool, team: APPLIED });
      expect(overview.teams[0]).toMatchObject({ quota: 8, baseline: 8 });
      expect(overview.teams[0].override).toBeUndefined();
      // The whole pool is a valid quota.
      await expect(
        quotas.setOverride({
          team: APPLIED,
          pool,
          gpus: 32,
          reason: 'the whole pool',
          actor: 'user:default/alice',
        }),
      ).resolves.toEqual({ before: 8, after: 32 });
    });

    it('accepts an override above capacity when over-commit is allowed', async () => {
      const quotas = await create(databaseId, emptyPool(32), {
        allowOverCommit: true,
      });
      await expect(
        quotas.setOverride({
          team: APPLIED,
          pool: 'gpupool:default/test',
          gpus: 35,
          reason: 'over-committed on purpose',
          actor: 'user:default/alice',
        }),
      ).resolves.toEqual({ before: 8, after: 35 });
    });

    it('refuses to approve a request the pool no longer has room for', async () => {
      let capacity = 32;
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      const quotas = new QuotaService({
        knex,
        fleet: { snapshot: async () => emptyPool(capacity) },
      });
      const request = await quotas.createRequest({
        team: APPLIED,
        pool: 'gpupool:default/test',
        gpus: 24,
        reason: 'launch',
        requestedBy: 'user:default/carol',
      });
      capacity = 16; // nodes left the pool
      await expect(
        quotas.decide({
          id: request.id,
          decision: 'approve',
          reason: 'fits the plan',
          actor: 'user:default/alice',
        }),
      ).rejects.toThrow(
        'exceeds the capacity of gpupool:default/test (16 GPUs)',
      );
      expect((await quotas.getRequest(request.id)).state).toBe('pending');
    });
  });
});

import type { EndpointInfo, FleetSnapshot } from '../fleet/FleetSource';
import {
  type QuotaState,
  assertWithinCapacity,
  evaluateQuota,
  poolOf,
  poolQuotas,
  quotaOf,
  teamUsage,
} from './quotaEvaluation';

const APPLIED = 'group:default/applied-ml';
const DS = 'group:default/data-science';
const POOL = 'gpupool:default/l4';
const OTHER = 'gpupool:default/h100';

/**
 * Two pools; on the L4 pool (16 GPUs, baselines 12 and 4) two Applied ML
 * endpoints from the catalog (6 and 2 GPUs) and one Data Science endpoint
 * (1 GPU); one Applied ML endpoint on the other pool.
 */
function endpoint(
  ref: string,
  teamRef: string,
  poolRef: string,
  gpusNeeded: number,
): EndpointInfo {
  return {
    ref,
    title: ref,
    teamRef,
    poolRef,
    modelRef: 'model:default/m',
    modelVersion: '1',
    gpusNeeded,
    gpusRequested: gpusNeeded,
  };
}

const snapshot: FleetSnapshot = {
  pools: [
    {
      ref: POOL,
      title: 'L4',
      cluster: 'c1',
      capacity: 16,
      product: 'NVIDIA-L4',
      resourceName: 'nvidia.com/gpu',
      baselines: new Map([
        [APPLIED, 12],
        [DS, 4],
      ]),
    },
    {
      ref: OTHER,
      title: 'H100',
      cluster: 'c2',
      capacity: 8,
      product: 'NVIDIA-H100',
      resourceName: 'nvidia.com/gpu',
      baselines: new Map([[DS, 8]]),
    },
  ],
  endpoints: [
    endpoint('e:default/chat', APPLIED, POOL, 6),
    endpoint('e:default/asr', APPLIED, POOL, 2),
    endpoint('e:default/ds', DS, POOL, 1),
    endpoint('e:default/big', APPLIED, OTHER, 4),
  ],
};

const empty: QuotaState = { holdings: [], overrides: [] };

describe('quotaEvaluation', () => {
  it('finds a pool or names the one that is missing', () => {
    expect(poolOf(snapshot, POOL).capacity).toBe(16);
    expect(() => poolOf(snapshot, 'gpupool:default/nope')).toThrow(
      'gpupool:default/nope is not in the catalog',
    );
  });

  it("counts the catalog's worst case where nothing is recorded", () => {
    expect(teamUsage({ snapshot, pool: POOL, holdings: [] })).toEqual(
      new Map([
        [APPLIED, 8],
        [DS, 1],
      ]),
    );
  });

  it('takes recorded holdings over the catalog, adds surges, and leaves an endpoint out', () => {
    const holdings = [
      // chat holds 3 (not its worst case of 6) plus a 1-GPU surge.
      { endpoint: 'e:default/chat', team: APPLIED, pool: POOL, gpus: 3 },
      { endpoint: 'e:default/chat', team: APPLIED, pool: POOL, gpus: 1 },
      // Another pool's holding does not count here.
      { endpoint: 'e:default/big', team: APPLIED, pool: OTHER, gpus: 4 },
    ];
    expect(teamUsage({ snapshot, pool: POOL, holdings }).get(APPLIED)).toBe(
      3 + 1 + 2,
    );
    expect(
      teamUsage({
        snapshot,
        pool: POOL,
        holdings,
        excludeEndpoint: 'e:default/chat',
      }).get(APPLIED),
    ).toBe(2);
  });

  it('takes an override over the baseline, and 0 for a team with neither', () => {
    const pool = poolOf(snapshot, POOL);
    const override = {
      team: DS,
      pool: POOL,
      gpus: 6,
      reason: 'r',
      actor: 'user:default/admin',
      createdAt: '2026-11-01T00:00:00.000Z',
    };
    expect(quotaOf(pool, DS, [])).toBe(4);
    expect(quotaOf(pool, DS, [override])).toBe(6);
    expect(quotaOf(pool, DS, [{ ...override, pool: OTHER }])).toBe(4);
    expect(quotaOf(pool, 'group:default/nobody', [])).toBe(0);
  });

  it('allows what fits, with the numbers behind the answer', () => {
    expect(
      evaluateQuota({
        snapshot,
        state: empty,
        team: APPLIED,
        pool: POOL,
        gpus: 4,
      }),
    ).toEqual({
      team: APPLIED,
      pool: POOL,
      gpus: 4,
      allowed: true,
      reasons: [],
      quota: 12,
      used: 8,
      teamFree: 4,
      poolCapacity: 16,
      poolUsed: 9,
      poolFree: 7,
    });
  });

  it("refuses over the team's quota, and over the pool, naming each", () => {
    const overQuota = evaluateQuota({
      snapshot,
      state: empty,
      team: APPLIED,
      pool: POOL,
      gpus: 5,
    });
    expect(overQuota.allowed).toBe(false);
    expect(overQuota.reasons).toEqual([
      'quota exceeded: group:default/applied-ml has a quota of 12 GPUs on gpupool:default/l4 and uses 8; 5 more would make 13',
    ]);
    const state: QuotaState = {
      holdings: [],
      overrides: [
        {
          team: DS,
          pool: POOL,
          gpus: 16,
          reason: 'r',
          actor: 'a',
          createdAt: 'x',
        },
      ],
    };
    const both = evaluateQuota({
      snapshot,
      state,
      team: DS,
      pool: POOL,
      gpus: 8,
    });
    expect(both.reasons).toEqual([
      'pool full: gpupool:default/l4 has 16 GPUs and 9 are allocated; 8 more would make 17',
    ]);
    expect(both.teamFree).toBe(15);
    expect(both.poolFree).toBe(7);
  });

  it('refuses a quota above capacity unless over-commit is allowed', () => {
    const pool = poolOf(snapshot, OTHER);
    expect(() => assertWithinCapacity({ pool, team: DS, gpus: 9 })).toThrow(
      "gpus: 9 GPUs for group:default/data-science exceeds the capacity of gpupool:default/h100 (8 GPUs); a quota can be at most the pool's capacity unless aiPlatform.quotas.allowOverCommit is set",
    );
    expect(() =>
      assertWithinCapacity({ pool, team: DS, gpus: 8 }),
    ).not.toThrow();
    expect(() =>
      assertWithinCapacity({ pool, team: DS, gpus: 9, allowOverCommit: true }),
    ).not.toThrow();
  });

  it('lists each pool with its teams: baselines, overrides and usage', () => {
    const state: QuotaState = {
      holdings: [],
      overrides: [
        {
          team: 'group:default/search',
          pool: OTHER,
          gpus: 2,
          reason: 'pilot',
          actor: 'user:default/admin',
          createdAt: '2026-11-01T00:00:00.000Z',
        },
      ],
    };
    const [l4, h100] = poolQuotas({ snapshot, state });
    expect(l4).toMatchObject({ pool: POOL, capacity: 16, used: 9, free: 7 });
    expect(l4.teams.map(t => [t.team, t.quota, t.used])).toEqual([
      [APPLIED, 12, 8],
      [DS, 4, 1],
    ]);
    // Applied ML uses H100 without a quota there; search has only an override.
    expect(h100.teams).toEqual([
      {
        team: APPLIED,
        quota: 0,
        baseline: undefined,
        override: undefined,
        used: 4,
        free: 0,
      },
      {
        team: DS,
        quota: 8,
        baseline: 8,
        override: undefined,
        used: 0,
        free: 8,
      },
      {
        team: 'group:default/search',
        quota: 2,
        baseline: undefined,
        override: {
          gpus: 2,
          reason: 'pilot',
          actor: 'user:default/admin',
          createdAt: '2026-11-01T00:00:00.000Z',
        },
        used: 0,
        free: 2,
      },
    ]);
    expect(poolQuotas({ snapshot, state, pool: OTHER, team: DS })).toEqual([
      expect.objectContaining({
        pool: OTHER,
        teams: [expect.objectContaining({ team: DS })],
      }),
    ]);
  });
});

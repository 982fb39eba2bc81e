import { InputError, NotFoundError } from '@backstage/errors';
import type {
  PoolQuotas,
  QuotaCheck,
} from '@internal/plugin-ai-platform-common';
import type { FleetSnapshot, PoolInfo } from '../fleet/FleetSource';

/**
 * GPUs an endpoint holds on a pool: its recorded allocation, or the surge
 * pods of one of its rollouts while the rollout runs.
 */
export type QuotaHolding = {
  endpoint: string;
  team: string;
  pool: string;
  gpus: number;
};

/** An admin's quota for a team on a pool, winning over the pool's baseline. */
export type QuotaOverride = {
  team: string;
  pool: string;
  gpus: number;
  reason: string;
  actor: string;
  createdAt: string;
};

/** What the database knows about a pool's quotas (or every pool's). */
export type QuotaState = {
  /** Allocations and surge reservations alike. */
  holdings: QuotaHolding[];
  overrides: QuotaOverride[];
};

/** The pool named `poolRef`, or NotFoundError naming it. */
export function poolOf(snapshot: FleetSnapshot, poolRef: string): PoolInfo {
  const pool = snapshot.pools.find(p => p.ref === poolRef);
  if (!pool) {
    throw new NotFoundError(`${poolRef} is not in the catalog`);
  }
  return pool;
}

/**
 * GPUs used per team on a pool, optionally leaving one endpoint out: what
 * is recorded where an endpoint holds something, the catalog's worst case
 * (gpusNeeded) for the endpoints that hold nothing recorded.
 */
export function teamUsage(options: {
  snapshot: FleetSnapshot;
  pool: string;
  holdings: QuotaHolding[];
  excludeEndpoint?: string;
}): Map<string, number> {
  const { snapshot, pool, holdings, excludeEndpoint } = options;
  const byTeam = new Map<string, number>();
  const add = (team: string, gpus: number) =>
    byTeam.set(team, (byTeam.get(team) ?? 0) + gpus);
  const recorded = new Set(holdings.map(h => h.endpoint));
  for (const h of holdings) {
    if (h.pool === pool && h.endpoint !== excludeEndpoint) {
      add(h.team, h.gpus);
    }
  }
  for (const e of snapshot.endpoints) {
    if (
      e.poolRef === pool &&
      !recorded.has(e.ref) &&
      e.ref !== excludeEndpoint
    ) {
      add(e.teamRef, e.gpusNeeded);
    }
  }
  return byTeam;
}

/** A team's quota on a pool: its override, else the pool's baseline, else 0. */
export function quotaOf(
  pool: PoolInfo,
  team: string,
  overrides: QuotaOverride[],
): number {
  const override = overrides.find(o => o.pool === pool.ref && o.team === team);
  return override ? override.gpus : pool.baselines.get(team) ?? 0;
}

/** Refuses a quota above the pool's capacity unless over-commit is allowed. */
export function assertWithinCapacity(options: {
  pool: PoolInfo;
  team: string;
  gpus: number;
  allowOverCommit?: boolean;
}): void {
  const { pool, team, gpus } = options;
  if (gpus > pool.capacity && !options.allowOverCommit) {
    throw new InputError(
      `gpus: ${gpus} GPUs for ${team} exceeds the capacity of ${pool.ref} (${pool.capacity} GPUs); a quota can be at most the pool's capacity unless aiPlatform.quotas.allowOverCommit is set`,
    );
  }
}

const sum = (values: Iterable<number>) =>
  [...values].reduce((a, b) => a + b, 0);

/**
 * May `team` place `gpus` more GPUs on `pool`? The answer with the numbers
 * behind it: the team's quota and use, the pool's capacity and use, and a
 * reason for each limit the request would pass.
 */
export function evaluateQuota(options: {
  snapshot: FleetSnapshot;
  state: QuotaState;
  team: string;
  pool: string;
  gpus: number;
  /** An endpoint being re-placed: what it holds now is not counted. */
  excludeEndpoint?: string;
}): QuotaCheck {
  const { snapshot, state, team, gpus } = options;
  const pool = poolOf(snapshot, options.pool);
  const usage = teamUsage({
    snapshot,
    pool: pool.ref,
    holdings: state.holdings,
    excludeEndpoint: options.excludeEndpoint,
  });
  const quota = quotaOf(pool, team, state.overrides);
  const used = usage.get(team) ?? 0;
  const poolUsed = sum(usage.values());
  const reasons: string[] = [];
  if (used + gpus > quota) {
    reasons.push(
      `quota exceeded: ${team} has a quota of ${quota} GPUs on ${
        pool.ref
      } and uses ${used}; ${gpus} more would make ${used + gpus}`,
    );
  }
  if (poolUsed + gpus > pool.capacity) {
    reasons.push(
      `pool full: ${pool.ref} has ${
        pool.capacity
      } GPUs and ${poolUsed} are allocated; ${gpus} more would make ${
        poolUsed + gpus
      }`,
    );
  }
  return {
    team,
    pool: pool.ref,
    gpus,
    allowed: reasons.length === 0,
    reasons,
    quota,
    used,
    teamFree: Math.max(quota - used, 0),
    poolCapacity: pool.capacity,
    poolUsed,
    poolFree: Math.max(pool.capacity - poolUsed, 0),
  };
}

/**
 * Every pool (or the one named) with capacity, usage and each team's quota:
 * the teams with a baseline, an override or usage there, optionally only
 * `team`.
 */
export function poolQuotas(options: {
  snapshot: FleetSnapshot;
  state: QuotaState;
  pool?: string;
  team?: string;
}): PoolQuotas[] {
  const { snapshot, state } = options;
  const pools = options.pool
    ? [poolOf(snapshot, options.pool)]
    : snapshot.pools;
  return pools.map(pool => {
    const usage = teamUsage({
      snapshot,
      pool: pool.ref,
      holdings: state.holdings,
    });
    const overrides = state.overrides.filter(o => o.pool === pool.ref);
    const teams = new Set([
      ...pool.baselines.keys(),
      ...overrides.map(o => o.team),
      ...usage.keys(),
    ]);
    const used = sum(usage.values());
    return {
      pool: pool.ref,
      title: pool.title,
      cluster: pool.cluster,
      capacity: pool.capacity,
      used,
      free: Math.max(pool.capacity - used, 0),
      teams: [...teams]
        .filter(t => !options.team || t === options.team)
        .sort()
        .map(team => {
          const o = overrides.find(r => r.team === team);
          const quota = quotaOf(pool, team, overrides);
          const teamUsed = usage.get(team) ?? 0;
          return {
            team,
            quota,
            baseline: pool.baselines.get(team),
            override: o
              ? {
                  gpus: o.gpus,
                  reason: o.reason,
                  actor: o.actor,
                  createdAt: o.createdAt,
                }
              : undefined,
            used: teamUsed,
            free: Math.max(quota - teamUsed, 0),
          };
        }),
    };
  });
}

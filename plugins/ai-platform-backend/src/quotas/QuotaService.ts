// Over 500 lines: SQL, quota arithmetic and the request workflow in one
// class, as before; splitting it into a store, a pure evaluation and the
// workflow is issue 25 (behaviour unchanged).
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import { randomUUID } from 'crypto';
import type { FleetSnapshot, FleetSource, PoolInfo } from '../fleet/FleetSource';
import { serialisedWrite } from '../database/serialisedWrite';
import type {
  QuotaCheck,
  PoolQuotas,
  QuotaRequest,
} from '@internal/plugin-ai-platform-common';

/** The API shapes, shared with the clients through -common. */
export type {
  QuotaCheck,
  TeamQuota,
  PoolQuotas,
  QuotaRequest,
} from '@internal/plugin-ai-platform-common';

type AllocationRow = {
  endpoint_ref: string;
  team_ref: string;
  pool_ref: string;
  gpus: number;
};

type OverrideRow = {
  team_ref: string;
  pool_ref: string;
  gpus: number;
  reason: string;
  actor: string;
  created_at: string;
};

/**
 * GPU quotas. A quota is (team, pool, GPUs): the pool's spec.quotas is the
 * baseline; an admin's override wins until cleared. Usage of a team on a pool
 * is the GPUs its endpoints need there (gpusPerReplica x maxReplicas, or x
 * replicas), taken from the recorded allocation where an endpoint has one and
 * from the catalog otherwise. Reservations serialise per pool, on both
 * engines, so concurrent deploys never over-allocate a quota or a pool.
 */
export class QuotaService {
  constructor(
    private readonly options: {
      knex: Knex;
      fleet: FleetSource;
      now?: () => Date;
      /** Accept overrides above a pool's capacity (`aiPlatform.quotas.allowOverCommit`). */
      allowOverCommit?: boolean;
      /** Told of each decided request (to notify its requester); never fails the decision. */
      onDecided?: (decision: {
        request: QuotaRequest;
        quota?: { before: number; after: number };
      }) => Promise<void>;
    },
  ) {}

  /** Refuses a quota above the pool's capacity unless over-commit is allowed. */
  private assertWithinCapacity(pool: PoolInfo, team: string, gpus: number) {
    if (gpus > pool.capacity && !this.options.allowOverCommit) {
      throw new InputError(
        `gpus: ${gpus} GPUs for ${team} exceeds the capacity of ${pool.ref} (${pool.capacity} GPUs); a quota can be at most the pool's capacity unless aiPlatform.quotas.allowOverCommit is set`,
      );
    }
  }

  private now(): string {
    return (this.options.now ?? (() => new Date()))().toISOString();
  }

  private get knex() {
    return this.options.knex;
  }

  private static poolOf(snapshot: FleetSnapshot, poolRef: string): PoolInfo {
    const pool = snapshot.pools.find(p => p.ref === poolRef);
    if (!pool) {
      throw new NotFoundError(`${poolRef} is not in the catalog`);
    }
    return pool;
  }

  /** GPUs used per team on a pool, optionally leaving one endpoint out. */
  private static usage(
    snapshot: FleetSnapshot,
    poolRef: string,
    allocations: AllocationRow[],
    excludeEndpoint?: string,
  ): Map<string, number> {
    const byTeam = new Map<string, number>();
    const add = (team: string, gpus: number) =>
      byTeam.set(team, (byTeam.get(team) ?? 0) + gpus);
    const allocated = new Set(allocations.map(a => a.endpoint_ref));
    for (const a of allocations) {
      if (a.pool_ref === poolRef && a.endpoint_ref !== excludeEndpoint) {
        add(a.team_ref, Number(a.gpus));
      }
    }
    for (const e of snapshot.endpoints) {
      if (
        e.poolRef === poolRef &&
        !allocated.has(e.ref) &&
        e.ref !== excludeEndpoint
      ) {
        add(e.teamRef, e.gpusNeeded);
      }
    }
    return byTeam;
  }

  private static quotaOf(
    pool: PoolInfo,
    team: string,
    overrides: OverrideRow[],
  ) {
    const override = overrides.find(
      o => o.pool_ref === pool.ref && o.team_ref === team,
    );
    return override ? Number(override.gpus) : pool.baselines.get(team) ?? 0;
  }

  private static evaluate(options: {
    snapshot: FleetSnapshot;
    team: string;
    pool: string;
    gpus: number;
    allocations: AllocationRow[];
    overrides: OverrideRow[];
    excludeEndpoint?: string;
  }): QuotaCheck {
    const pool = QuotaService.poolOf(options.snapshot, options.pool);
    const usage = QuotaService.usage(
      options.snapshot,
      pool.ref,
      options.allocations,
      options.excludeEndpoint,
    );
    const quota = QuotaService.quotaOf(pool, options.team, options.overrides);
    const used = usage.get(options.team) ?? 0;
    const poolUsed = [...usage.values()].reduce((a, b) => a + b, 0);
    const reasons: string[] = [];
    if (used + options.gpus > quota) {
      reasons.push(
        `quota exceeded: ${options.team} has a quota of ${quota} GPUs on ${
          pool.ref
        } and uses ${used}; ${options.gpus} more would make ${
          used + options.gpus
        }`,
      );
    }
    if (poolUsed + options.gpus > pool.capacity) {
      reasons.push(
        `pool full: ${pool.ref} has ${
          pool.capacity
        } GPUs and ${poolUsed} are allocated; ${options.gpus} more would make ${
          poolUsed + options.gpus
        }`,
      );
    }
    return {
      team: options.team,
      pool: pool.ref,
      gpus: options.gpus,
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

  private async state(db: Knex | Knex.Transaction, poolRef?: string) {
    const allocations = db<AllocationRow>('gpu_allocations');
    const overrides = db<OverrideRow>('quota_overrides');
    // The GPUs of surge pods while their rollout runs count like an
    // allocation of their endpoint (see reserve's `surge`).
    const surges = db<AllocationRow>('gpu_surge_reservations').select(
      'endpoint_ref',
      'team_ref',
      'pool_ref',
      'gpus',
    );
    if (poolRef) {
      allocations.where('pool_ref', poolRef);
      overrides.where('pool_ref', poolRef);
      surges.where('pool_ref', poolRef);
    }
    return {
      allocations: [...(await allocations), ...(await surges)],
      overrides: await overrides,
    };
  }

  /** May `team` place `gpus` more GPUs on `pool`? With the numbers. */
  async check(options: {
    team: string;
    pool: string;
    gpus: number;
    /** An endpoint being re-placed: its current GPUs are not counted. */
    endpoint?: string;
  }): Promise<QuotaCheck> {
    const snapshot = await this.options.fleet.snapshot();
    const { allocations, overrides } = await this.state(
      this.knex,
      options.pool,
    );
    return QuotaService.evaluate({
      snapshot,
      team: options.team,
      pool: options.pool,
      gpus: options.gpus,
      allocations,
      overrides,
      excludeEndpoint: options.endpoint,
    });
  }

  /**
   * Reserves `gpus` on `pool` for `endpoint` (replacing what it held), or
   * throws ConflictError naming the check that failed. One reservation per
   * pool at a time: a Postgres advisory lock per pool; SQLite serialises
   * writers itself.
   */
  async reserve(options: {
    endpoint: string;
    team: string;
    pool: string;
    gpus: number;
    actor: string;
    /**
     * Also hold the GPUs of a rollout's surge pods, checked with the rest,
     * as a reservation of deployment `deploymentId` until releaseSurge.
     */
    surge?: { deploymentId: string; gpus: number };
  }): Promise<QuotaCheck> {
    const snapshot = await this.options.fleet.snapshot();
    const surgeGpus = options.surge?.gpus ?? 0;
    return serialisedWrite(
      this.knex,
      {
        key: `ai-platform-pool:${options.pool}`,
        sqliteWriteLock: { table: 'gpu_allocations', column: 'endpoint_ref' },
      },
      async tx => {
        const { allocations, overrides } = await this.state(tx, options.pool);
        const check = QuotaService.evaluate({
          snapshot,
          team: options.team,
          pool: options.pool,
          gpus: options.gpus + surgeGpus,
          allocations,
          overrides,
          excludeEndpoint: options.endpoint,
        });
        if (!check.allowed) {
          throw new ConflictError(check.reasons.join('; '));
        }
        if (options.surge && surgeGpus > 0) {
          await tx('gpu_surge_reservations').insert({
            deployment_id: options.surge.deploymentId,
            endpoint_ref: options.endpoint,
            team_ref: options.team,
            pool_ref: options.pool,
            gpus: surgeGpus,
            created_at: this.now(),
          });
        }
        await tx('gpu_allocations')
          .insert({
            endpoint_ref: options.endpoint,
            team_ref: options.team,
            pool_ref: options.pool,
            gpus: options.gpus,
            updated_by: options.actor,
            updated_at: this.now(),
          })
          .onConflict('endpoint_ref')
          .merge(['team_ref', 'pool_ref', 'gpus', 'updated_by', 'updated_at']);
        return check;
      },
    );
  }

  /** What an endpoint holds now, if it holds anything. */
  async allocation(
    endpoint: string,
  ): Promise<{ team: string; pool: string; gpus: number } | undefined> {
    const row = await this.knex<AllocationRow>('gpu_allocations')
      .where('endpoint_ref', endpoint)
      .first();
    return row
      ? { team: row.team_ref, pool: row.pool_ref, gpus: Number(row.gpus) }
      : undefined;
  }

  /**
   * Puts back what an endpoint held before a reservation whose deployment
   * failed (or releases it when it held nothing), so that a failed update
   * leaves the quota as it found it.
   */
  async restoreAllocation(options: {
    endpoint: string;
    previous?: { team: string; pool: string; gpus: number };
    actor?: string;
  }): Promise<void> {
    if (!options.previous) {
      await this.release({ endpoint: options.endpoint });
      return;
    }
    await this.knex('gpu_allocations')
      .insert({
        endpoint_ref: options.endpoint,
        team_ref: options.previous.team,
        pool_ref: options.previous.pool,
        gpus: options.previous.gpus,
        updated_by: options.actor ?? 'ai-platform:restore',
        updated_at: this.now(),
      })
      .onConflict('endpoint_ref')
      .merge(['team_ref', 'pool_ref', 'gpus', 'updated_by', 'updated_at']);
  }

  /** Releases the surge GPUs a deployment's rollout held; true when it held some. */
  async releaseSurge(options: { deploymentId: string }): Promise<boolean> {
    const deleted = await this.knex('gpu_surge_reservations')
      .where('deployment_id', options.deploymentId)
      .delete();
    return deleted > 0;
  }

  /**
   * Releases the surge GPUs of every deployment but those in `inProgress`
   * (after a restart: a rollout that no backend runs any more holds
   * nothing). Returns how many were released.
   */
  async releaseSurges(options: { inProgress: string[] }): Promise<number> {
    const query = this.knex('gpu_surge_reservations');
    if (options.inProgress.length) {
      query.whereNotIn('deployment_id', options.inProgress);
    }
    return query.delete();
  }

  /** Releases what an endpoint holds; true when it held something. */
  async release(options: { endpoint: string }): Promise<boolean> {
    const deleted = await this.knex('gpu_allocations')
      .where('endpoint_ref', options.endpoint)
      .delete();
    return deleted > 0;
  }

  /** Every pool (or one) with capacity, usage and each team's quota. */
  async overview(
    options: { pool?: string; team?: string } = {},
  ): Promise<PoolQuotas[]> {
    const snapshot = await this.options.fleet.snapshot();
    const { allocations, overrides } = await this.state(
      this.knex,
      options.pool,
    );
    const pools = options.pool
      ? [QuotaService.poolOf(snapshot, options.pool)]
      : snapshot.pools;
    return pools.map(pool => {
      const usage = QuotaService.usage(snapshot, pool.ref, allocations);
      const teams = new Set([
        ...pool.baselines.keys(),
        ...overrides.filter(o => o.pool_ref === pool.ref).map(o => o.team_ref),
        ...usage.keys(),
      ]);
      const used = [...usage.values()].reduce((a, b) => a + b, 0);
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
            const o = overrides.find(
              r => r.pool_ref === pool.ref && r.team_ref === team,
            );
            const quota = QuotaService.quotaOf(pool, team, overrides);
            const teamUsed = usage.get(team) ?? 0;
            return {
              team,
              quota,
              baseline: pool.baselines.get(team),
              override: o
                ? {
                    gpus: Number(o.gpus),
                    reason: o.reason,
                    actor: o.actor,
                    createdAt: o.created_at,
                  }
                : undefined,
              used: teamUsed,
              free: Math.max(quota - teamUsed, 0),
            };
          }),
      };
    });
  }

  /** Sets an admin override; returns the quota before and after. */
  async setOverride(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
    actor: string;
  }): Promise<{ before: number; after: number }> {
    const snapshot = await this.options.fleet.snapshot();
    const pool = QuotaService.poolOf(snapshot, options.pool);
    this.assertWithinCapacity(pool, options.team, options.gpus);
    return this.knex.transaction(async tx => {
      const overrides = await tx<OverrideRow>('quota_overrides').where(
        'pool_ref',
        pool.ref,
      );
      const before = QuotaService.quotaOf(pool, options.team, overrides);
      await this.upsertOverride(tx, { ...options, pool: pool.ref });
      return { before, after: options.gpus };
    });
  }

  private async upsertOverride(
    tx: Knex.Transaction,
    o: {
      team: string;
      pool: string;
      gpus: number;
      reason: string;
      actor: string;
    },
  ) {
    await tx('quota_overrides')
      .insert({
        team_ref: o.team,
        pool_ref: o.pool,
        gpus: o.gpus,
        reason: o.reason,
        actor: o.actor,
        created_at: this.now(),
      })
      .onConflict(['team_ref', 'pool_ref'])
      .merge(['gpus', 'reason', 'actor', 'created_at']);
  }

  /** Clears an override: the YAML baseline applies again. */
  async clearOverride(options: {
    team: string;
    pool: string;
  }): Promise<{ before: number; after: number }> {
    const snapshot = await this.options.fleet.snapshot();
    const pool = QuotaService.poolOf(snapshot, options.pool);
    const overrides = await this.knex<OverrideRow>('quota_overrides').where(
      'pool_ref',
      pool.ref,
    );
    const existing = overrides.find(o => o.team_ref === options.team);
    if (!existing) {
      throw new NotFoundError(`${options.team} has no override on ${pool.ref}`);
    }
    await this.knex('quota_overrides')
      .where({ team_ref: options.team, pool_ref: pool.ref })
      .delete();
    return {
      before: Number(existing.gpus),
      after: pool.baselines.get(options.team) ?? 0,
    };
  }

  /** Asks for a larger quota (the total wanted), with a reason. */
  async createRequest(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
    requestedBy: string;
  }): Promise<QuotaRequest> {
    const snapshot = await this.options.fleet.snapshot();
    const pool = QuotaService.poolOf(snapshot, options.pool);
    const { overrides } = await this.state(this.knex, pool.ref);
    const current = QuotaService.quotaOf(pool, options.team, overrides);
    if (options.gpus <= current) {
      throw new InputError(
        `gpus must be more than the current quota of ${options.team} on ${pool.ref} (${current}); ask for the total you need`,
      );
    }
    this.assertWithinCapacity(pool, options.team, options.gpus);
    const row = {
      id: randomUUID(),
      team_ref: options.team,
      pool_ref: pool.ref,
      gpus: options.gpus,
      quota_at_request: current,
      reason: options.reason,
      requested_by: options.requestedBy,
      created_at: this.now(),
      state: 'pending',
    };
    await this.knex('quota_requests').insert(row);
    return rowToRequest(row);
  }

  async listRequests(
    options: {
      state?: QuotaRequest['state'];
      team?: string;
      pool?: string;
    } = {},
  ): Promise<QuotaRequest[]> {
    const q = this.knex('quota_requests').orderBy('created_at', 'desc');
    if (options.state) q.where('state', options.state);
    if (options.team) q.where('team_ref', options.team);
    if (options.pool) q.where('pool_ref', options.pool);
    return (await q).map(rowToRequest);
  }

  async getRequest(id: string): Promise<QuotaRequest> {
    const row = await this.knex('quota_requests').where('id', id).first();
    if (!row) {
      throw new NotFoundError(`quota request ${id} does not exist`);
    }
    return rowToRequest(row);
  }

  /**
   * Approves (the quota becomes the requested total) or rejects a pending
   * request. The decision and the quota change are one transaction; a
   * request that would not raise the quota any more (it was raised
   * meanwhile) cannot be approved.
   */
  async decide(options: {
    id: string;
    decision: 'approve' | 'reject';
    reason: string;
    actor: string;
  }): Promise<{
    request: QuotaRequest;
    quota?: { before: number; after: number };
  }> {
    const request = await this.getRequest(options.id);
    if (request.state !== 'pending') {
      throw new ConflictError(
        `quota request ${options.id} was already ${request.state} by ${request.decidedBy}`,
      );
    }
    const snapshot = await this.options.fleet.snapshot();
    const pool = QuotaService.poolOf(snapshot, request.pool);
    if (options.decision === 'approve') {
      // The pool may have shrunk since the request was made.
      this.assertWithinCapacity(pool, request.team, request.gpus);
    }
    const quota = await this.knex.transaction(async tx => {
      const updated = await tx('quota_requests')
        .where({ id: options.id, state: 'pending' })
        .update({
          state: options.decision === 'approve' ? 'approved' : 'rejected',
          decided_by: options.actor,
          decision_reason: options.reason,
          decided_at: this.now(),
        });
      if (!updated) {
        throw new ConflictError(
          `quota request ${options.id} was decided meanwhile`,
        );
      }
      if (options.decision === 'reject') return undefined;
      const overrides = await tx<OverrideRow>('quota_overrides').where(
        'pool_ref',
        pool.ref,
      );
      const before = QuotaService.quotaOf(pool, request.team, overrides);
      if (request.gpus <= before) {
        throw new ConflictError(
          `quota request ${options.id} asks for ${request.gpus} GPUs but ${request.team} already has ${before} on ${pool.ref}; reject it instead`,
        );
      }
      await this.upsertOverride(tx, {
        team: request.team,
        pool: pool.ref,
        gpus: request.gpus,
        reason: `approved quota request ${request.id}: ${options.reason}`,
        actor: options.actor,
      });
      return { before, after: request.gpus };
    });
    const decided = { request: await this.getRequest(options.id), quota };
    await this.options.onDecided?.(decided).catch(() => undefined);
    return decided;
  }
}

function rowToRequest(row: Record<string, any>): QuotaRequest {
  return {
    id: row.id,
    team: row.team_ref,
    pool: row.pool_ref,
    gpus: Number(row.gpus),
    quotaAtRequest: Number(row.quota_at_request),
    reason: row.reason,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    state: row.state,
    decidedBy: row.decided_by ?? undefined,
    decisionReason: row.decision_reason ?? undefined,
    decidedAt: row.decided_at ?? undefined,
  };
}

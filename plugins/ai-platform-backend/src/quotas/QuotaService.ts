import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import type {
  PoolQuotas,
  QuotaCheck,
  QuotaRequest,
} from '@internal/plugin-ai-platform-common';
import type { FleetSource } from '../fleet/FleetSource';
import { DatabaseQuotaStore, type QuotaStore } from './DatabaseQuotaStore';
import {
  type QuotaDecision,
  QuotaRequestWorkflow,
} from './QuotaRequestWorkflow';
import {
  assertWithinCapacity,
  evaluateQuota,
  poolOf,
  poolQuotas,
  quotaOf,
} from './quotaEvaluation';

/** The API shapes, shared with the clients through -common. */
export type {
  QuotaCheck,
  TeamQuota,
  PoolQuotas,
  QuotaRequest,
} from '@internal/plugin-ai-platform-common';

/**
 * GPU quotas. A quota is (team, pool, GPUs): the pool's spec.quotas is the
 * baseline; an admin's override wins until cleared. Usage of a team on a pool
 * is the GPUs its endpoints need there (gpusPerReplica x maxReplicas, or x
 * replicas), taken from the recorded allocation where an endpoint has one and
 * from the catalog otherwise. Reservations serialise per pool, on both
 * engines, so concurrent deploys never over-allocate a quota or a pool.
 *
 * The arithmetic is quotaEvaluation's (pure), the SQL DatabaseQuotaStore's,
 * the request workflow QuotaRequestWorkflow's; this class puts the fleet,
 * the store and the arithmetic together for the routes and the deploy
 * pipeline.
 */
export class QuotaService {
  private readonly store: QuotaStore;
  /** Requests for a larger quota and their decisions. */
  readonly requests: QuotaRequestWorkflow;

  constructor(
    private readonly options: {
      knex: Knex;
      fleet: FleetSource;
      now?: () => Date;
      /** Accept overrides above a pool's capacity (`aiPlatform.quotas.allowOverCommit`). */
      allowOverCommit?: boolean;
      /** Told of each decided request (to notify its requester); never fails the decision. */
      onDecided?: (decision: QuotaDecision) => Promise<void>;
    },
  ) {
    this.store = DatabaseQuotaStore.create({
      knex: options.knex,
      now: options.now,
    });
    this.requests = new QuotaRequestWorkflow({
      store: this.store,
      fleet: options.fleet,
      allowOverCommit: options.allowOverCommit,
      onDecided: options.onDecided,
    });
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
    const state = await this.store.readState({ pool: options.pool });
    return evaluateQuota({
      snapshot,
      state,
      team: options.team,
      pool: options.pool,
      gpus: options.gpus,
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
    const holding = {
      endpoint: options.endpoint,
      team: options.team,
      pool: options.pool,
    };
    return this.store.serialisedForPool(options.pool, async tx => {
      const check = evaluateQuota({
        snapshot,
        state: await tx.readState({ pool: options.pool }),
        team: options.team,
        pool: options.pool,
        gpus: options.gpus + surgeGpus,
        excludeEndpoint: options.endpoint,
      });
      if (!check.allowed) {
        throw new ConflictError(check.reasons.join('; '));
      }
      if (options.surge && surgeGpus > 0) {
        await tx.addSurge({
          ...holding,
          gpus: surgeGpus,
          deploymentId: options.surge.deploymentId,
        });
      }
      await tx.putAllocation({
        ...holding,
        gpus: options.gpus,
        actor: options.actor,
      });
      return check;
    });
  }

  /** What an endpoint holds now, if it holds anything. */
  async allocation(
    endpoint: string,
  ): Promise<{ team: string; pool: string; gpus: number } | undefined> {
    const held = await this.store.allocation(endpoint);
    return held
      ? { team: held.team, pool: held.pool, gpus: held.gpus }
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
    await this.store.putAllocation({
      endpoint: options.endpoint,
      ...options.previous,
      actor: options.actor ?? 'ai-platform:restore',
    });
  }

  /** Releases the surge GPUs a deployment's rollout held; true when it held some. */
  async releaseSurge(options: { deploymentId: string }): Promise<boolean> {
    return this.store.deleteSurge(options.deploymentId);
  }

  /**
   * Releases the surge GPUs of every deployment but those in `inProgress`
   * (after a restart: a rollout that no backend runs any more holds
   * nothing). Returns how many were released.
   */
  async releaseSurges(options: { inProgress: string[] }): Promise<number> {
    return this.store.deleteSurgesExcept(options.inProgress);
  }

  /** Releases what an endpoint holds; true when it held something. */
  async release(options: { endpoint: string }): Promise<boolean> {
    return this.store.deleteAllocation(options.endpoint);
  }

  /** Every pool (or one) with capacity, usage and each team's quota. */
  async overview(
    options: { pool?: string; team?: string } = {},
  ): Promise<PoolQuotas[]> {
    const snapshot = await this.options.fleet.snapshot();
    const state = await this.store.readState({ pool: options.pool });
    return poolQuotas({ snapshot, state, ...options });
  }

  /** Sets an admin override; returns the quota before and after. */
  async setOverride(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
    actor: string;
  }): Promise<{ before: number; after: number }> {
    const pool = poolOf(await this.options.fleet.snapshot(), options.pool);
    assertWithinCapacity({
      pool,
      team: options.team,
      gpus: options.gpus,
      allowOverCommit: this.options.allowOverCommit,
    });
    return this.store.transaction(async tx => {
      const { overrides } = await tx.readState({ pool: pool.ref });
      const before = quotaOf(pool, options.team, overrides);
      await tx.putOverride({ ...options, pool: pool.ref });
      return { before, after: options.gpus };
    });
  }

  /** Clears an override: the YAML baseline applies again. */
  async clearOverride(options: {
    team: string;
    pool: string;
  }): Promise<{ before: number; after: number }> {
    const pool = poolOf(await this.options.fleet.snapshot(), options.pool);
    const { overrides } = await this.store.readState({ pool: pool.ref });
    const existing = overrides.find(o => o.team === options.team);
    if (!existing) {
      throw new NotFoundError(`${options.team} has no override on ${pool.ref}`);
    }
    await this.store.deleteOverride({ team: options.team, pool: pool.ref });
    return {
      before: existing.gpus,
      after: pool.baselines.get(options.team) ?? 0,
    };
  }

  /** Asks for a larger quota (the total wanted); see QuotaRequestWorkflow. */
  createRequest(
    options: Parameters<QuotaRequestWorkflow['createRequest']>[0],
  ): Promise<QuotaRequest> {
    return this.requests.createRequest(options);
  }

  listRequests(
    options?: Parameters<QuotaRequestWorkflow['listRequests']>[0],
  ): Promise<QuotaRequest[]> {
    return this.requests.listRequests(options);
  }

  getRequest(id: string): Promise<QuotaRequest> {
    return this.requests.getRequest(id);
  }

  /** Approves or rejects a pending request; see QuotaRequestWorkflow. */
  decide(
    options: Parameters<QuotaRequestWorkflow['decide']>[0],
  ): Promise<QuotaDecision> {
    return this.requests.decide(options);
  }
}

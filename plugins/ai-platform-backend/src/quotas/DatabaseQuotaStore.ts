import type { QuotaRequest } from '@internal/plugin-ai-platform-common';
import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { serialisedWrite } from '../database/serialisedWrite';
import type {
  QuotaHolding,
  QuotaOverride,
  QuotaState,
} from './quotaEvaluation';

/** A request for more GPUs as it is asked for; the store adds id and time. */
export type NewQuotaRequest = {
  team: string;
  pool: string;
  gpus: number;
  quotaAtRequest: number;
  reason: string;
  requestedBy: string;
};

/** Which quota requests to list: of one state, team or pool (all when left out). */
export type QuotaRequestFilter = {
  state?: QuotaRequest['state'];
  team?: string;
  pool?: string;
};

/**
 * Quota overrides, GPU allocations, the surge reservations of rollouts in
 * progress, and quota requests, in the plugin's database. No arithmetic:
 * that is quotaEvaluation's.
 */
export interface QuotaStore {
  /**
   * Runs `work` with a store in one transaction that no other
   * `serialisedForPool` of the same pool runs beside (across replicas, on
   * both engines): what it reads stays true until it commits.
   */
  serialisedForPool<T>(
    pool: string,
    work: (store: QuotaStore) => Promise<T>,
  ): Promise<T>;
  /** Runs `work` with a store in one transaction. */
  transaction<T>(work: (store: QuotaStore) => Promise<T>): Promise<T>;

  /** Allocations and surge reservations (as holdings) and overrides, of one pool or all. */
  readState(options?: { pool?: string }): Promise<QuotaState>;

  allocation(endpoint: string): Promise<QuotaHolding | undefined>;
  /** Records what an endpoint holds, replacing what it held. */
  putAllocation(allocation: QuotaHolding & { actor: string }): Promise<void>;
  /** True when the endpoint held something. */
  deleteAllocation(endpoint: string): Promise<boolean>;

  addSurge(surge: QuotaHolding & { deploymentId: string }): Promise<void>;
  /** True when the deployment held some. */
  deleteSurge(deploymentId: string): Promise<boolean>;
  /** Deletes every deployment's surge but those named; returns how many. */
  deleteSurgesExcept(deploymentIds: string[]): Promise<number>;

  /** Sets a team's override on a pool, replacing one it had. */
  putOverride(override: Omit<QuotaOverride, 'createdAt'>): Promise<void>;
  /** True when the team had an override on the pool. */
  deleteOverride(options: { team: string; pool: string }): Promise<boolean>;

  createRequest(request: NewQuotaRequest): Promise<QuotaRequest>;
  listRequests(filter?: QuotaRequestFilter): Promise<QuotaRequest[]>;
  getRequest(id: string): Promise<QuotaRequest | undefined>;
  /** Decides a pending request; false when it was not pending (any more). */
  decideRequest(options: {
    id: string;
    state: 'approved' | 'rejected';
    decidedBy: string;
    reason: string;
  }): Promise<boolean>;
}

type HoldingRow = {
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

type RequestRow = {
  id: string;
  team_ref: string;
  pool_ref: string;
  gpus: number;
  quota_at_request: number;
  reason: string;
  requested_by: string;
  created_at: string;
  state: QuotaRequest['state'];
  decided_by?: string | null;
  decision_reason?: string | null;
  decided_at?: string | null;
};

function rowToHolding(row: HoldingRow): QuotaHolding {
  return {
    endpoint: row.endpoint_ref,
    team: row.team_ref,
    pool: row.pool_ref,
    gpus: Number(row.gpus),
  };
}

function rowToOverride(row: OverrideRow): QuotaOverride {
  return {
    team: row.team_ref,
    pool: row.pool_ref,
    gpus: Number(row.gpus),
    reason: row.reason,
    actor: row.actor,
    createdAt: row.created_at,
  };
}

function rowToRequest(row: RequestRow): QuotaRequest {
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

/** The quota tables of the plugin's database (see migrations/*_quotas.js). */
export class DatabaseQuotaStore implements QuotaStore {
  static create(options: { knex: Knex; now?: () => Date }): DatabaseQuotaStore {
    return new DatabaseQuotaStore(
      options.knex,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly clock: () => Date,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  private isTransaction(): boolean {
    return (this.db as Knex.Transaction).isTransaction === true;
  }

  async serialisedForPool<T>(
    pool: string,
    work: (store: QuotaStore) => Promise<T>,
  ): Promise<T> {
    return serialisedWrite(
      this.db as Knex,
      {
        key: `ai-platform-pool:${pool}`,
        sqliteWriteLock: { table: 'gpu_allocations', column: 'endpoint_ref' },
      },
      tx => work(new DatabaseQuotaStore(tx, this.clock)),
    );
  }

  async transaction<T>(work: (store: QuotaStore) => Promise<T>): Promise<T> {
    if (this.isTransaction()) return work(this);
    return this.db.transaction(tx =>
      work(new DatabaseQuotaStore(tx, this.clock)),
    );
  }

  async readState(options: { pool?: string } = {}): Promise<QuotaState> {
    const columns = ['endpoint_ref', 'team_ref', 'pool_ref', 'gpus'] as const;
    const allocations = this.db<HoldingRow>('gpu_allocations').select(
      ...columns,
    );
    // The GPUs of surge pods while their rollout runs count like an
    // allocation of their endpoint.
    const surges = this.db<HoldingRow>('gpu_surge_reservations').select(
      ...columns,
    );
    const overrides = this.db<OverrideRow>('quota_overrides');
    if (options.pool) {
      allocations.where('pool_ref', options.pool);
      surges.where('pool_ref', options.pool);
      overrides.where('pool_ref', options.pool);
    }
    return {
      holdings: [...(await allocations), ...(await surges)].map(rowToHolding),
      overrides: (await overrides).map(rowToOverride),
    };
  }

  async allocation(endpoint: string): Promise<QuotaHolding | undefined> {
    const row = await this.db<HoldingRow>('gpu_allocations')
      .where('endpoint_ref', endpoint)
      .first();
    return row ? rowToHolding(row) : undefined;
  }

  async putAllocation(
    allocation: QuotaHolding & { actor: string },
  ): Promise<void> {
    await this.db('gpu_allocations')
      .insert({
        endpoint_ref: allocation.endpoint,
        team_ref: allocation.team,
        pool_ref: allocation.pool,
        gpus: allocation.gpus,
        updated_by: allocation.actor,
        updated_at: this.now(),
      })
      .onConflict('endpoint_ref')
      .merge(['team_ref', 'pool_ref', 'gpus', 'updated_by', 'updated_at']);
  }

  async deleteAllocation(endpoint: string): Promise<boolean> {
    const deleted = await this.db('gpu_allocations')
      .where('endpoint_ref', endpoint)
      .delete();
    return deleted > 0;
  }

  async addSurge(surge: QuotaHolding & { deploymentId: string }) {
    await this.db('gpu_surge_reservations').insert({
      deployment_id: surge.deploymentId,
      endpoint_ref: surge.endpoint,
      team_ref: surge.team,
      pool_ref: surge.pool,
      gpus: surge.gpus,
      created_at: this.now(),
    });
  }

  async deleteSurge(deploymentId: string): Promise<boolean> {
    const deleted = await this.db('gpu_surge_reservations')
      .where('deployment_id', deploymentId)
      .delete();
    return deleted > 0;
  }

  async deleteSurgesExcept(deploymentIds: string[]): Promise<number> {
    const query = this.db('gpu_surge_reservations');
    if (deploymentIds.length) {
      query.whereNotIn('deployment_id', deploymentIds);
    }
    return query.delete();
  }

  async putOverride(override: Omit<QuotaOverride, 'createdAt'>) {
    await this.db('quota_overrides')
      .insert({
        team_ref: override.team,
        pool_ref: override.pool,
        gpus: override.gpus,
        reason: override.reason,
        actor: override.actor,
        created_at: this.now(),
      })
      .onConflict(['team_ref', 'pool_ref'])
      .merge(['gpus', 'reason', 'actor', 'created_at']);
  }

  async deleteOverride(options: {
    team: string;
    pool: string;
  }): Promise<boolean> {
    const deleted = await this.db('quota_overrides')
      .where({ team_ref: options.team, pool_ref: options.pool })
      .delete();
    return deleted > 0;
  }

  async createRequest(request: NewQuotaRequest): Promise<QuotaRequest> {
    const row: RequestRow = {
      id: randomUUID(),
      team_ref: request.team,
      pool_ref: request.pool,
      gpus: request.gpus,
      quota_at_request: request.quotaAtRequest,
      reason: request.reason,
      requested_by: request.requestedBy,
      created_at: this.now(),
      state: 'pending',
    };
    await this.db('quota_requests').insert(row);
    return rowToRequest(row);
  }

  async listRequests(filter: QuotaRequestFilter = {}): Promise<QuotaRequest[]> {
    const q = this.db<RequestRow>('quota_requests').orderBy(
      'created_at',
      'desc',
    );
    if (filter.state) q.where('state', filter.state);
    if (filter.team) q.where('team_ref', filter.team);
    if (filter.pool) q.where('pool_ref', filter.pool);
    return (await q).map(rowToRequest);
  }

  async getRequest(id: string): Promise<QuotaRequest | undefined> {
    const row = await this.db<RequestRow>('quota_requests')
      .where('id', id)
      .first();
    return row ? rowToRequest(row) : undefined;
  }

  async decideRequest(options: {
    id: string;
    state: 'approved' | 'rejected';
    decidedBy: string;
    reason: string;
  }): Promise<boolean> {
    const updated = await this.db('quota_requests')
      .where({ id: options.id, state: 'pending' })
      .update({
        state: options.state,
        decided_by: options.decidedBy,
        decision_reason: options.reason,
        decided_at: this.now(),
      });
    return updated > 0;
  }
}

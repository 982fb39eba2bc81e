import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { QuotaRequest } from '@internal/plugin-ai-platform-common';
import type { FleetSource } from '../fleet/FleetSource';
import type { QuotaRequestFilter, QuotaStore } from './DatabaseQuotaStore';
import { assertWithinCapacity, poolOf, quotaOf } from './quotaEvaluation';

/** A decided request, and the quota change an approval made. */
export type QuotaDecision = {
  request: QuotaRequest;
  quota?: { before: number; after: number };
};

/**
 * Requests for a larger quota: a member asks for the total a team needs on
 * a pool, with a reason; an admin approves (the quota becomes that total,
 * as an override) or rejects it, with a reason. `onDecided` is told of each
 * decision (to notify the requester) and never fails it.
 */
export class QuotaRequestWorkflow {
  constructor(
    private readonly options: {
      store: QuotaStore;
      fleet: FleetSource;
      /** Accept requests above a pool's capacity (`aiPlatform.quotas.allowOverCommit`). */
      allowOverCommit?: boolean;
      onDecided?: (decision: QuotaDecision) => Promise<void>;
    },
  ) {}

  /** Asks for a larger quota (the total wanted), with a reason. */
  async createRequest(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
    requestedBy: string;
  }): Promise<QuotaRequest> {
    const { store, fleet, allowOverCommit } = this.options;
    const pool = poolOf(await fleet.snapshot(), options.pool);
    const { overrides } = await store.readState({ pool: pool.ref });
    const current = quotaOf(pool, options.team, overrides);
    if (options.gpus <= current) {
      throw new InputError(
        `gpus must be more than the current quota of ${options.team} on ${pool.ref} (${current}); ask for the total you need`,
      );
    }
    assertWithinCapacity({
      pool,
      team: options.team,
      gpus: options.gpus,
      allowOverCommit,
    });
    return store.createRequest({
      team: options.team,
      pool: pool.ref,
      gpus: options.gpus,
      quotaAtRequest: current,
      reason: options.reason,
      requestedBy: options.requestedBy,
    });
  }

  /** Requests, newest first, optionally of one state, team or pool. */
  async listRequests(filter: QuotaRequestFilter = {}): Promise<QuotaRequest[]> {
    return this.options.store.listRequests(filter);
  }

  /** The request, or NotFoundError naming it. */
  async getRequest(id: string): Promise<QuotaRequest> {
    const request = await this.options.store.getRequest(id);
    if (!request) {
      throw new NotFoundError(`quota request ${id} does not exist`);
    }
    return request;
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
  }): Promise<QuotaDecision> {
    const { store, fleet, allowOverCommit } = this.options;
    const request = await this.getRequest(options.id);
    if (request.state !== 'pending') {
      throw new ConflictError(
        `quota request ${options.id} was already ${request.state} by ${request.decidedBy}`,
      );
    }
    const pool = poolOf(await fleet.snapshot(), request.pool);
    if (options.decision === 'approve') {
      // The pool may have shrunk since the request was made.
      assertWithinCapacity({
        pool,
        team: request.team,
        gpus: request.gpus,
        allowOverCommit,
      });
    }
    const quota = await store.transaction(async tx => {
      const decided = await tx.decideRequest({
        id: options.id,
        state: options.decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: options.actor,
        reason: options.reason,
      });
      if (!decided) {
        throw new ConflictError(
          `quota request ${options.id} was decided meanwhile`,
        );
      }
      if (options.decision === 'reject') return undefined;
      const { overrides } = await tx.readState({ pool: pool.ref });
      const before = quotaOf(pool, request.team, overrides);
      if (request.gpus <= before) {
        throw new ConflictError(
          `quota request ${options.id} asks for ${request.gpus} GPUs but ${request.team} already has ${before} on ${pool.ref}; reject it instead`,
        );
      }
      await tx.putOverride({
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

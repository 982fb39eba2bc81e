import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { actorOf } from '../../audit/AuditLog';
import type { DeploymentStep } from './types';

/**
 * 4. The team's quota and the pool's capacity. A real deploy to a
 * configured cluster reserves the GPUs (atomically, so concurrent deploys
 * cannot overbook the pool) and leaves `restoreReservation` for a failed
 * apply; a dry run, or a deploy whose cluster is not configured, only
 * checks.
 */
export const quotaCheck: DeploymentStep = {
  name: 'quota',
  async run(run) {
    const { plan, call, deps } = run;
    const poolRef = stringifyEntityRef(plan.pool);
    const reserve = !run.dryRun && 'cluster' in run.target;
    const request = {
      endpoint: plan.endpointRef,
      team: plan.team,
      pool: poolRef,
      gpus: plan.gpus,
    };
    const previous = reserve
      ? await deps.quotas.allocation(plan.endpointRef)
      : undefined;
    let numbers;
    try {
      numbers = reserve
        ? await deps.quotas.reserve({
            ...request,
            actor: actorOf(call.credentials),
          })
        : await deps.quotas.check(request);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return { status: 'failed', message: error.message };
    }
    if (!numbers.allowed) {
      return {
        status: 'failed',
        message: numbers.reasons.join('; '),
        details: { ...numbers },
      };
    }
    if (reserve) {
      run.restoreReservation = () =>
        deps.quotas.restoreAllocation({ endpoint: plan.endpointRef, previous });
    }
    return {
      status: 'passed',
      message: `${reserve ? 'reserved' : 'would reserve'} ${
        plan.gpus
      } GPUs on ${plan.pool.metadata.name} for ${plan.team}: ${
        numbers.teamFree
      } of its ${numbers.quota} and ${numbers.poolFree} of the pool's ${
        numbers.poolCapacity
      } free`,
      details: { ...numbers },
    };
  },
};

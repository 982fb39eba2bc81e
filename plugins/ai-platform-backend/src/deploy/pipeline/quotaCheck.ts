import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import type {
  QuotaCheck,
  RolloutPlan,
} from '@internal/plugin-ai-platform-common';
import { actorOf } from '../../audit/AuditLog';
import { decideRollout } from './decideRollout';
import type { DeploymentStep } from './types';

/**
 * 4. The team's quota and the pool's capacity, for the endpoint's worst
 * case plus, when its rollout surges (see decideRollout), the surge pods'
 * GPUs. A real deploy to a configured cluster reserves them (atomically, so
 * concurrent deploys cannot overbook the pool), leaves `restoreReservation`
 * for a failed apply and `releaseSurge` for the end of the deployment; a
 * dry run, or a deploy whose cluster is not configured, only checks. When
 * only the surge does not fit, the check fails saying so: wait, or deploy
 * with `allowDowntime`. The rollout decision is in `details.rollout`.
 */
export const quotaCheck: DeploymentStep = {
  name: 'quota',
  async run(run) {
    const { plan, call, deps } = run;
    const poolRef = stringifyEntityRef(plan.pool);
    const reserve = !run.dryRun && 'cluster' in run.target;
    const rollout = plan.canary
      ? canaryRollout(plan.canary.plan.reservedGpus, plan)
      : await decideRollout(run);
    const request = {
      endpoint: plan.endpointRef,
      team: plan.team,
      pool: poolRef,
      gpus: plan.gpus,
    };
    const previous = reserve
      ? await deps.quotas.allocation(plan.endpointRef)
      : undefined;
    const surge = rollout.surgeGpus;
    let numbers: QuotaCheck;
    try {
      numbers = reserve
        ? await deps.quotas.reserve({
            ...request,
            actor: actorOf(call.credentials),
            ...(surge
              ? { surge: { deploymentId: run.progress.id, gpus: surge } }
              : {}),
          })
        : await deps.quotas.check({ ...request, gpus: plan.gpus + surge });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return refused(run, rollout, error.message);
    }
    if (!numbers.allowed) {
      return refused(run, rollout, numbers.reasons.join('; '), numbers);
    }
    if (reserve) {
      run.restoreReservation = () =>
        deps.quotas.restoreAllocation({ endpoint: plan.endpointRef, previous });
      if (surge && rollout.strategy === 'canary') {
        run.reservedCanaryGpus = surge;
      }
      if (surge) {
        run.releaseSurge = async () => {
          await deps.quotas.releaseSurge({ deploymentId: run.progress.id });
        };
      }
    }
    const surgeText = surge
      ? ` + ${surge} ${rollout.strategy === 'canary' ? 'canary' : 'surge'}`
      : '';
    return {
      status: 'passed',
      message: `${reserve ? 'reserved' : 'would reserve'} ${
        plan.gpus
      }${surgeText} GPUs on ${plan.pool.metadata.name} for ${plan.team}: ${
        numbers.teamFree
      } of its ${numbers.quota} and ${numbers.poolFree} of the pool's ${
        numbers.poolCapacity
      } free${rollout.strategy === 'none' ? '' : `; ${rollout.reason}`}`,
      details: { ...numbers, rollout },
    };
  },
};

/**
 * The failed outcome of a quota check. When the surge is what does not
 * fit (the endpoint's own GPUs would), it says so and how to go on.
 */
async function refused(
  run: Parameters<DeploymentStep['run']>[0],
  rollout: RolloutPlan,
  reasons: string,
  numbers?: QuotaCheck,
) {
  const { plan, deps } = run;
  if (rollout.strategy === 'canary') {
    return {
      status: 'failed' as const,
      message: `no room for the canary: ${reasons}. The canary's pods need ${rollout.surgeGpus} GPUs beside the endpoint's own ${plan.gpus} until it ends; wait until GPUs are free, or promote with strategy rolling.`,
      details: { ...(numbers ?? {}), rollout },
    };
  }
  if (rollout.surgeGpus > 0) {
    const withoutSurge = await deps.quotas.check({
      endpoint: plan.endpointRef,
      team: plan.team,
      pool: stringifyEntityRef(plan.pool),
      gpus: plan.gpus,
    });
    if (withoutSurge.allowed) {
      return {
        status: 'failed' as const,
        message: `no room for the surge: ${reasons}. The rollout keeps serving by starting ${
          rollout.maxSurge
        } new replica${rollout.maxSurge === 1 ? '' : 's'} (${
          rollout.surgeGpus
        } GPUs) before old ones go; the endpoint's own ${
          plan.gpus
        } GPUs fit. Wait until GPUs are free, or deploy with allowDowntime: true (old pods go first; a one-replica endpoint stops serving until the new pod is ready).`,
        details: {
          ...(numbers ?? withoutSurge),
          rollout: { ...rollout, surgeRefused: true },
          withoutSurge,
        },
      };
    }
  }
  return {
    status: 'failed' as const,
    message: reasons,
    details: { ...(numbers ?? {}), rollout },
  };
}

/**
 * The rollout of a canary promote: its pods' GPUs (planCanary's
 * `reservedGpus`, both workloads while converting) are held like surge
 * GPUs, checked with the endpoint's own before the first step, until the
 * canary ends (CanaryService releases them once).
 */
function canaryRollout(
  reservedGpus: number,
  plan: Parameters<DeploymentStep['run']>[0]['plan'],
): RolloutPlan {
  return {
    strategy: 'canary',
    maxSurge: plan.strategy.maxSurge,
    maxUnavailable: plan.strategy.maxUnavailable,
    surgeGpus: reservedGpus,
    reason: `canary through ${
      plan.canary!.plan.engine
    }: ${reservedGpus} GPUs for the canary's pods are held on top of the endpoint's own until the canary ends`,
  };
}

import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CanaryObservation } from './types';
import { analyseCanary } from './canaryAnalysis';
import type { DeploymentStore } from '../DatabaseDeploymentStore';
import type { SloReader } from '../../slo/SloReader';
import { type CanaryService, holdPhase, SYSTEM_ACTOR } from './CanaryService';
import type { StoredCanary } from './DatabaseCanaryStore';

/** How often the driver looks at every running canary. */
export const CANARY_DRIVER_SECONDS = 30;

/** How long after an abort the driver follows the traffic back to stable. */
const DRAIN_FOLLOW_MS = 15 * 60_000;

/**
 * Carries running canaries on, once per tick on one replica (scheduled
 * through the scheduler service, global scope):
 * - gateway-api: the portal is the engine: when a timed pause has ended
 *   (or a step has none) it moves to the next step; with Prometheus, each
 *   tick checks the canary pods' error rate and TTFT p95 against the
 *   endpoint's SLO targets (canaryAnalysis.ts), and a failure aborts;
 * - argo-rollouts: Argo runs the steps, pauses and its AnalysisTemplate;
 *   the driver observes the Rollout and mirrors step and phase into the
 *   store, each change an event, ending the canary as Argo ends it.
 * Also settles ended canaries a crash left unsettled (record still
 * `canary`, GPUs still held), and ends a canary whose promote record was
 * ended by someone else. After a restart it resumes from the store.
 */
export class CanaryDriver {
  constructor(
    private readonly options: {
      canaries: CanaryService;
      deployments: Pick<DeploymentStore, 'get'>;
      reader?: Pick<SloReader, 'currentFigures'>;
      logger: LoggerService;
    },
  ) {}

  /** One pass over every running canary; errors of one do not stop the others. */
  async tick(): Promise<void> {
    const { canaries, logger } = this.options;
    for (const ended of await canaries.store.unreleased()) {
      await canaries.settle(ended).catch(error =>
        logger.error('Could not settle an ended canary', {
          endpoint: ended.endpointRef,
          error: String(error),
        }),
      );
    }
    for (const aborted of await canaries.store.abortedDraining(
      new Date(Date.parse(canaries.now()) - DRAIN_FOLLOW_MS).toISOString(),
    )) {
      await this.followDrain(aborted).catch(error =>
        logger.warn('Could not read the split of an aborted canary', {
          endpoint: aborted.endpointRef,
          error: String(error),
        }),
      );
    }
    for (const canary of await canaries.store.running()) {
      try {
        await this.drive(canary);
      } catch (error) {
        logger.warn('The canary driver could not carry a canary on', {
          endpoint: canary.endpointRef,
          error: String(error),
        });
        await canaries.store
          .update(
            canary.deploymentId,
            {
              message: `the driver could not reach the canary: ${
                error instanceof Error ? error.message : String(error)
              } (it tries again on its next run)`,
            },
            canaries.now(),
          )
          .catch(() => undefined);
      }
    }
  }

  /**
   * After an abort the engine moves the traffic back to stable (at once
   * for route weights; as pods go for a replica-count split): the split
   * is read again, only read, until no request reaches the canary.
   */
  private async followDrain(canary: StoredCanary): Promise<void> {
    const { canaries } = this.options;
    const seen = await canaries
      .engineOf(canary)
      .observe(canaries.target(canary), canary.steps, { readOnly: true });
    const draining =
      seen.split.actualCanaryPercent > 0 || seen.split.canaryReplicas > 0;
    await canaries.store.recordSplit(
      canary.deploymentId,
      {
        ...seen.split,
        desiredCanaryPercent: 0,
        note: draining
          ? `aborted: traffic is going back to ${canary.stableVersion} (${seen.split.canaryReplicas} canary pods left)`
          : `aborted: all traffic on ${canary.stableVersion}`,
      },
      canaries.now(),
    );
  }

  private async drive(canary: StoredCanary): Promise<void> {
    const { canaries } = this.options;
    const record = await this.options.deployments.get(canary.deploymentId);
    if (record.state !== 'canary') {
      if (record.state === 'rolling-out' || record.state === 'applying') {
        return; // the promote is still starting it
      }
      // The promote's record ended some other way (e.g. swept as
      // interrupted before the canary took over): no canary without it.
      await canaries.abortCanary(canary, {
        actor: SYSTEM_ACTOR,
        type: 'failed',
        message: `the promote's record (revision ${canary.revision}) ended ${record.state}`,
      });
      return;
    }
    const observation = await canaries
      .engineOf(canary)
      .observe(canaries.target(canary), canary.steps);
    if (canary.engine === 'argo-rollouts') {
      await this.mirror(canary, observation);
    } else {
      await this.step(canary, observation);
    }
  }

  /** argo-rollouts: the Rollout's step, phase and analysis, into the store. */
  private async mirror(
    canary: StoredCanary,
    seen: CanaryObservation,
  ): Promise<void> {
    const { canaries } = this.options;
    if (seen.phase === 'aborted' || seen.phase === 'failed') {
      const byAnalysis = seen.analysis?.status === 'failed';
      await canaries.finish(
        canary,
        {
          phase: seen.phase,
          type: byAnalysis ? 'analysis-failed' : seen.phase,
          actor: SYSTEM_ACTOR,
          message: byAnalysis
            ? `Argo Rollouts' analysis failed (${
                seen.analysis!.message
              }); the Rollout aborted, all traffic is back on ${
                canary.stableVersion
              }`
            : `Argo Rollouts: ${seen.message}`,
        },
        seen.analysis,
      );
      return;
    }
    if (seen.phase === 'succeeded') {
      await canaries.finish(
        canary,
        {
          phase: 'succeeded',
          type: 'succeeded',
          actor: SYSTEM_ACTOR,
          message: `Argo Rollouts finished: all traffic on ${canary.canaryVersion}, which is the stable version now`,
        },
        seen.analysis,
      );
      return;
    }
    const moved =
      seen.stepIndex !== canary.stepIndex || seen.phase !== canary.phase;
    const step = canary.steps[seen.stepIndex];
    await canaries.store.update(
      canary.deploymentId,
      {
        stepIndex: seen.stepIndex,
        phase: seen.phase,
        message: `Argo Rollouts: ${seen.message}`,
        split: seen.split,
        ...(seen.analysis ? { analysis: seen.analysis } : {}),
        ...(moved
          ? {
              pauseEndsAt:
                step?.pause && 'durationSeconds' in step.pause
                  ? new Date(
                      Date.parse(canaries.now()) +
                        step.pause.durationSeconds * 1000,
                    ).toISOString()
                  : null,
            }
          : {}),
      },
      canaries.now(),
    );
    if (moved) {
      await canaries.recordEvent(canary, {
        type: seen.stepIndex !== canary.stepIndex ? 'step' : seen.phase,
        stepIndex: seen.stepIndex,
        actor: SYSTEM_ACTOR,
        message: `Argo Rollouts is on step ${seen.stepIndex + 1} of ${
          canary.steps.length
        } (${step?.weight ?? '?'} %), ${seen.phase}: ${seen.message}`,
      });
    }
  }

  /** gateway-api: the split as observed, the analysis, and the next step when due. */
  private async step(
    canary: StoredCanary,
    seen: CanaryObservation,
  ): Promise<void> {
    const { canaries, reader } = this.options;
    const now = canaries.now();
    let analysis = canary.analysis;
    if (reader && canary.analysisTargets && canary.analysis.status !== 'none') {
      const engine = canaries.engineOf(canary);
      analysis = await analyseCanary({
        reader,
        cluster: canary.cluster,
        namespace: canary.namespace,
        workload:
          engine.canaryWorkloadName?.(canary.name) ?? `${canary.name}-canary`,
        targets: canary.analysisTargets,
        now,
      });
      if (analysis.status === 'failed') {
        await canaries.abortCanary(
          canary,
          {
            actor: SYSTEM_ACTOR,
            type: 'analysis-failed',
            message: `analysis failed on step ${canary.stepIndex + 1}: ${
              analysis.message
            }`,
          },
          analysis,
        );
        return;
      }
    }
    await canaries.store.update(
      canary.deploymentId,
      { split: seen.split, analysis },
      now,
    );
    const current = canary.steps[canary.stepIndex];
    const last = canary.stepIndex === canary.steps.length - 1;
    if (last) {
      // On 100 % but not ended: completing was cut short (a restart, a
      // cluster error), or runs in this process right now. complete() is
      // idempotent; it runs after this tick, so that a stable rollout of
      // many minutes holds up no other canary.
      canaries.completeLater(canary, SYSTEM_ACTOR);
      return;
    }
    const due =
      holdPhase(current) === 'progressing' ||
      (canary.phase === 'paused' &&
        canary.pauseEndsAt !== undefined &&
        canary.pauseEndsAt <= now);
    // A Prometheus that could not be read holds the step.
    const unread =
      analysis.status === 'running' &&
      analysis.errorRate === undefined &&
      /could not be read/.test(analysis.message);
    if (!due || unread) return;
    await canaries.moveOn(
      { ...canary, analysis },
      {
        actor: SYSTEM_ACTOR,
        type: 'step',
        message:
          canary.phase === 'paused'
            ? `the ${
                current.pause && 'durationSeconds' in current.pause
                  ? `${current.pause.durationSeconds} s `
                  : ''
              }pause of step ${canary.stepIndex + 1} ended${
                analysis.status === 'running'
                  ? ' with the analysis holding'
                  : ''
              }`
            : `step ${canary.stepIndex + 1} has no pause`,
      },
    );
  }
}

/**
 * Schedules the driver every CANARY_DRIVER_SECONDS on one replica at a
 * time (the scheduler's global scope), first soon after start, so a
 * restart resumes the canaries where the store has them.
 */
export async function scheduleCanaryDriver(options: {
  scheduler: SchedulerService;
  driver: CanaryDriver;
}): Promise<void> {
  await options.scheduler.scheduleTask({
    id: 'ai-platform-canary-driver',
    scope: 'global',
    frequency: { seconds: CANARY_DRIVER_SECONDS },
    // A gateway-api canary's last step waits for the stable Deployment's
    // rollout (complete()); the next run starts only after this one.
    timeout: { minutes: 30 },
    initialDelay: { seconds: 10 },
    fn: () => options.driver.tick(),
  });
}

/*
 * Just over 500 lines on purpose: every way a canary changes (start, the
 * three actions, moving on, ending once, settling the reservation) is here,
 * so that the once-only rules (one ending, one release) sit side by side;
 * the scheduled work is CanaryDriver.ts, the store DatabaseCanaryStore.ts.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  type CanaryAnalysis,
  type CanaryEvent,
  type CanaryPhase,
  type CanaryStatus,
  type CanaryStep,
  FINAL_CANARY_PHASES,
} from '@internal/plugin-ai-platform-common';
import type { AuditLog } from '../../audit/AuditLog';
import type { QuotaService } from '../../quotas/QuotaService';
import type { DeploymentStore } from '../DatabaseDeploymentStore';
import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import type {
  DatabaseCanaryStore,
  NewCanary,
  StoredCanary,
} from './DatabaseCanaryStore';
import type { CanaryEngines } from './planCanary';
import type { CanaryTarget } from './types';

/** The actor of step changes no person made: timers, analysis, the engine. */
export const SYSTEM_ACTOR = 'system';

/** Told when a canary ends (e.g. to notify the owners of an abort by analysis). */
export type CanaryEndedListener = (
  canary: StoredCanary,
  how: { type: string; actor: string },
) => Promise<void>;

/** What a canary needs to reach its cluster; undefined when not configured. */
export type CanaryClientOf = (
  cluster: string,
) => KubernetesClusterClient | undefined;

export type CanaryServiceOptions = {
  store: DatabaseCanaryStore;
  deployments: Pick<DeploymentStore, 'get' | 'update' | 'appendEvent'>;
  quotas: Pick<QuotaService, 'releaseSurge'>;
  engines: CanaryEngines;
  clientOf: CanaryClientOf;
  auditLog: Pick<AuditLog, 'recordCompleted'>;
  logger: LoggerService;
  onEnded?: CanaryEndedListener;
  now?: () => Date;
};

/** The phase of a step once its weight is set: its pause decides. */
export function holdPhase(step: CanaryStep | undefined): CanaryPhase {
  if (!step?.pause) return 'progressing';
  return 'approval' in step.pause ? 'awaiting-approval' : 'paused';
}

/**
 * The canary workflow, engine-independent: state, step changes, the
 * reservation, audit and notifications. The engines (argoRollouts/,
 * gatewayApi/) only render objects and talk to the cluster; the scheduled
 * driver (CanaryDriver) calls `observe`-based ticks.
 *
 * Every step change is an event of the canary (and of its deployment
 * record) and an audit record: the person's own call (one record per call,
 * through service/mutation.ts), or `system` for timers, analysis and the
 * engine. A canary ends once (the store lets one ending win); its reserved
 * GPUs go back once, recorded in the canary's row.
 */
export class CanaryService {
  constructor(private readonly options: CanaryServiceOptions) {}

  now(): string {
    return (this.options.now ?? (() => new Date()))().toISOString();
  }

  get store(): DatabaseCanaryStore {
    return this.options.store;
  }

  /** The engine and the cluster objects of a canary. */
  target(canary: StoredCanary): CanaryTarget {
    const client = this.options.clientOf(canary.cluster);
    if (!client) {
      throw new ConflictError(
        `cluster ${canary.cluster} of the canary of ${canary.endpointRef} is no longer configured in kubernetes.clusterLocatorMethods`,
      );
    }
    return {
      client,
      cluster: canary.cluster,
      namespace: canary.namespace,
      name: canary.name,
    };
  }

  engineOf(canary: StoredCanary) {
    return this.options.engines[canary.engine];
  }

  /**
   * Starts the canary of an applied canary promote (the rollout step calls
   * it): the engine's objects are on the cluster at step 1, so the canary
   * holds step 1 as its pause says. From here the canary owns the GPUs
   * reserved for its pods (`reservedGpus`, 0 when nothing was reserved).
   */
  async start(options: {
    deploymentId: string;
    revision: number;
    plan: DeploymentPlan;
    requestedBy: string;
    reservedGpus: number;
  }): Promise<StoredCanary> {
    const { plan } = options;
    const canary = plan.canary;
    if (!canary) throw new Error('not a canary promote');
    const steps = canary.plan.steps;
    const first = steps[0];
    const at = this.now();
    const phase = steps.length === 1 ? 'progressing' : holdPhase(first);
    const analysis: CanaryAnalysis = canary.prometheusUrl
      ? {
          status: 'running',
          message:
            canary.plan.engine === 'argo-rollouts'
              ? `Argo Rollouts runs the analysis (AnalysisTemplate against Prometheus at ${canary.prometheusUrl})`
              : `the portal checks the canary's error rate and TTFT p95 against Prometheus at ${canary.prometheusUrl} on every driver run`,
        }
      : {
          status: 'none',
          message: `No Prometheus is configured for cluster ${plan.pool.spec.cluster} (aiPlatform.cost.prometheus): no analysis runs; steps move on their pauses and approvals only`,
        };
    const stored: NewCanary = {
      deploymentId: options.deploymentId,
      endpointRef: plan.endpointRef,
      revision: options.revision,
      engine: canary.plan.engine,
      cluster: plan.pool.spec.cluster,
      namespace: canary.namespace,
      name: canary.name,
      team: plan.team,
      poolRef: stringifyEntityRef(plan.pool),
      stableVersion: canary.stableVersion,
      canaryVersion: plan.modelVersion,
      steps,
      stepIndex: 0,
      phase,
      message: `step 1 of ${steps.length}: ${first.weight} % to ${plan.modelVersion}`,
      ...(first.pause && 'durationSeconds' in first.pause
        ? {
            pauseEndsAt: new Date(
              Date.parse(at) + first.pause.durationSeconds * 1000,
            ).toISOString(),
          }
        : {}),
      // The split is what the cluster reports (the driver's first run);
      // the predicted one is the record's canary.splits.
      analysis,
      analysisTargets: canary.targets,
      settings: canary.settings,
      warnings: canary.plan.warnings ?? [],
      reservedGpus: options.reservedGpus,
      requestedBy: options.requestedBy,
      startedAt: at,
    };
    await this.options.store.create(stored, {
      at,
      type: 'started',
      stepIndex: 0,
      actor: options.requestedBy,
      message: `canary of ${plan.modelVersion} started through ${
        canary.plan.engine
      } (stable ${canary.stableVersion}): ${first.weight} % of the traffic${
        options.reservedGpus
          ? `; ${options.reservedGpus} GPUs reserved for its pods`
          : ''
      }`,
    });
    return this.options.store.get(options.deploymentId);
  }

  /** `GET /endpoints/{namespace}/{name}/canary`: the newest canary of the endpoint. */
  async status(endpointRef: string): Promise<CanaryStatus> {
    const canary = await this.options.store.latest(endpointRef);
    if (!canary) {
      throw new NotFoundError(`${endpointRef} has had no canary`);
    }
    return this.statusOf(canary);
  }

  /** A stored canary as the API answers it. */
  async statusOf(canary: StoredCanary): Promise<CanaryStatus> {
    const events = await this.options.store.events(canary.deploymentId);
    return {
      endpointRef: canary.endpointRef,
      deploymentId: canary.deploymentId,
      revision: canary.revision,
      engine: canary.engine,
      stableVersion: canary.stableVersion,
      canaryVersion: canary.canaryVersion,
      steps: canary.steps,
      stepIndex: canary.stepIndex,
      phase: canary.phase,
      message: canary.message,
      ...(canary.split ? { split: canary.split } : {}),
      analysis: canary.analysis,
      ...(canary.pauseEndsAt ? { pauseEndsAt: canary.pauseEndsAt } : {}),
      reservedGpus: canary.reservationReleasedAt ? 0 : canary.reservedGpus,
      warnings: canary.warnings,
      events,
      startedAt: canary.startedAt,
      ...(canary.endedAt ? { endedAt: canary.endedAt } : {}),
    };
  }

  /** The running canary of an endpoint, or a 404 / 409 saying why there is none. */
  async running(endpointRef: string): Promise<StoredCanary> {
    const canary = await this.options.store.latest(endpointRef);
    if (!canary) throw new NotFoundError(`${endpointRef} has had no canary`);
    if (canary.endedAt) {
      throw new ConflictError(
        `the canary of ${endpointRef} (revision ${canary.revision}) has ended: ${canary.phase}`,
      );
    }
    return canary;
  }

  /**
   * Records a step change: an event of the canary and of its deployment
   * record; for the system actor also an audit record (a person's change is
   * audited by their call).
   */
  async recordEvent(
    canary: StoredCanary,
    event: Omit<CanaryEvent, 'at'>,
  ): Promise<void> {
    const at = this.now();
    await this.options.store.appendEvent(canary.deploymentId, {
      ...event,
      at,
    });
    await this.options.deployments
      .appendEvent(canary.deploymentId, {
        at,
        level: /failed|aborted/.test(event.type) ? 'error' : 'info',
        message: `canary ${event.type} (step ${event.stepIndex + 1} of ${
          canary.steps.length
        }, by ${event.actor}): ${event.message}`,
      })
      .catch(() => undefined);
    if (event.actor === SYSTEM_ACTOR) {
      await this.options.auditLog.recordCompleted({
        actor: SYSTEM_ACTOR,
        action: `endpoint.canary.${event.type}`,
        target: canary.endpointRef,
        request: {
          deploymentId: canary.deploymentId,
          revision: canary.revision,
          stepIndex: event.stepIndex,
          weight: canary.steps[event.stepIndex]?.weight ?? null,
        },
        outcome: /failed|aborted/.test(event.type) ? 'failure' : 'success',
        message: event.message,
      });
    }
  }

  /**
   * Moves a running canary from its current step to the next: the engine
   * sets the next weight (and, past the last pause, completes), then the
   * store records it if nobody moved it meanwhile. Used by advance,
   * approve and the driver.
   */
  async moveOn(
    canary: StoredCanary,
    how: { actor: string; type: string; message: string },
  ): Promise<StoredCanary> {
    const next = canary.stepIndex + 1;
    const step = canary.steps[next];
    if (!step) {
      throw new ConflictError(
        `the canary of ${canary.endpointRef} is on its last step`,
      );
    }
    const engine = this.engineOf(canary);
    const target = this.target(canary);
    await engine.advance(target, canary.steps, next);
    const last = next === canary.steps.length - 1;
    const phase = last ? 'progressing' : holdPhase(step);
    const at = this.now();
    const moved = await this.options.store.update(
      canary.deploymentId,
      {
        stepIndex: next,
        phase,
        message: `${how.message}; step ${next + 1} of ${canary.steps.length}: ${
          step.weight
        } % to ${canary.canaryVersion}`,
        pauseEndsAt:
          step.pause && 'durationSeconds' in step.pause
            ? new Date(
                Date.parse(at) + step.pause.durationSeconds * 1000,
              ).toISOString()
            : null,
      },
      at,
      { stepIndex: canary.stepIndex, phase: canary.phase },
    );
    if (!moved) {
      throw new ConflictError(
        `the canary of ${canary.endpointRef} moved on meanwhile; look at its status again`,
      );
    }
    await this.recordEvent(canary, {
      type: how.type,
      stepIndex: next,
      actor: how.actor,
      message: `${how.message}: ${step.weight} % of the traffic to ${canary.canaryVersion}`,
    });
    const moved2 = await this.options.store.get(canary.deploymentId);
    if (last && canary.engine === 'gateway-api') {
      // The portal's own engine: the canary becomes the stable now. That
      // waits for the stable Deployment's rollout (minutes for a model
      // server), so it runs after the answer: the caller sees `progressing`
      // and the card follows it. A restart cuts it short; the driver then
      // completes a canary left on its last step (complete() is idempotent).
      this.completeLater(moved2, how.actor);
    }
    return moved2;
  }

  /** Completions running in this process, by deployment id. */
  private readonly completing = new Map<string, Promise<void>>();

  /**
   * Completes a canary on its last step after the caller's answer (the
   * stable's rollout takes minutes); once per canary in this process.
   */
  completeLater(canary: StoredCanary, actor: string) {
    if (this.completing.has(canary.deploymentId)) return;
    const done: Promise<void> = (async () => {
      await this.engineOf(canary).complete(this.target(canary));
      // Audited as the system's (the approval was the person's own call).
      await this.finish(canary, {
        phase: 'succeeded',
        type: 'succeeded',
        actor: SYSTEM_ACTOR,
        message: `all traffic on ${
          canary.canaryVersion
        }, which is the stable version now${
          actor === SYSTEM_ACTOR ? '' : ` (completing the approval by ${actor})`
        }`,
      });
    })()
      .catch(error =>
        this.options.logger.warn(
          `Completing the canary of ${canary.endpointRef} failed; the canary driver tries again: ${error}`,
        ),
      )
      .finally(() => this.completing.delete(canary.deploymentId));
    this.completing.set(canary.deploymentId, done);
  }

  /** Resolves once the completions started by this process have ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.completing.size) {
      await Promise.all([...this.completing.values()]);
    }
  }

  /** `advance`: skips the current step's timed pause. */
  async advance(
    endpointRef: string,
    actor: string,
    reason?: string,
  ): Promise<CanaryStatus> {
    const canary = await this.running(endpointRef);
    if (canary.phase === 'awaiting-approval') {
      throw new ConflictError(
        `step ${
          canary.stepIndex + 1
        } of the canary of ${endpointRef} waits for an approval, not a timer: approve it instead`,
      );
    }
    if (canary.phase !== 'paused') {
      throw new ConflictError(
        `the canary of ${endpointRef} is ${canary.phase} on step ${
          canary.stepIndex + 1
        }, not in a timed pause: there is no pause to skip`,
      );
    }
    const moved = await this.moveOn(canary, {
      actor,
      type: 'advanced',
      message: `pause skipped by ${actor}${reason ? ` (${reason})` : ''}`,
    });
    return this.statusOf(moved);
  }

  /** `approve`: passes a manual approval step. */
  async approve(
    endpointRef: string,
    actor: string,
    reason?: string,
  ): Promise<CanaryStatus> {
    const canary = await this.running(endpointRef);
    if (canary.phase !== 'awaiting-approval') {
      throw new ConflictError(
        `the canary of ${endpointRef} is ${canary.phase} on step ${
          canary.stepIndex + 1
        }: there is no approval to give${
          canary.phase === 'paused' ? ' (a timed pause: advance skips it)' : ''
        }`,
      );
    }
    if (canary.analysis.status === 'failed') {
      throw new ConflictError(
        `the canary of ${endpointRef} failed its analysis (${canary.analysis.message}); it cannot be approved`,
      );
    }
    const moved = await this.moveOn(canary, {
      actor,
      type: 'approved',
      message: `approved by ${actor}${reason ? ` (${reason})` : ''}`,
    });
    return this.statusOf(moved);
  }

  /** `abort`: all traffic back to the stable version, the canary's pods gone. */
  async abort(
    endpointRef: string,
    actor: string,
    reason: string,
  ): Promise<CanaryStatus> {
    const canary = await this.running(endpointRef);
    await this.abortCanary(canary, {
      actor,
      type: 'aborted',
      message: `aborted by ${actor}: ${reason}`,
    });
    return this.statusOf(await this.options.store.get(canary.deploymentId));
  }

  /** The engine's abort, then the end of the canary (aborted). */
  async abortCanary(
    canary: StoredCanary,
    how: { actor: string; type: string; message: string },
    analysis?: CanaryAnalysis,
  ): Promise<void> {
    await this.engineOf(canary).abort(this.target(canary));
    const ended = await this.finish(
      canary,
      {
        phase: 'aborted',
        ...how,
        message: `${how.message}; all traffic is back on ${canary.stableVersion}`,
      },
      analysis,
    );
    if (!ended) {
      // Another request, replica or the driver ended it first: say how,
      // rather than answering (and auditing) an abort that did not happen.
      const now = await this.options.store.get(canary.deploymentId);
      throw new ConflictError(
        `the canary of ${canary.endpointRef} ended ${now.phase} meanwhile: ${now.message}`,
      );
    }
  }

  /**
   * Ends a canary once: the store's end (one ending wins), its event and
   * audit, the deployment record's final state (succeeded, or failed with
   * the reason), the reserved GPUs back, and the listener told.
   */
  async finish(
    canary: StoredCanary,
    end: { phase: CanaryPhase; type: string; actor: string; message: string },
    analysis?: CanaryAnalysis,
  ): Promise<boolean> {
    if (!FINAL_CANARY_PHASES.includes(end.phase)) {
      throw new Error(`${end.phase} is not a final canary phase`);
    }
    const at = this.now();
    if (analysis) {
      await this.options.store.update(canary.deploymentId, { analysis }, at);
    }
    const ended = await this.options.store.end(
      canary.deploymentId,
      { phase: end.phase, message: end.message },
      at,
    );
    if (!ended) return false;
    await this.recordEvent(canary, {
      type: end.type,
      stepIndex: canary.stepIndex,
      actor: end.actor,
      message: end.message,
    });
    await this.settle(await this.options.store.get(canary.deploymentId));
    if (this.options.onEnded) {
      this.options
        .onEnded(await this.options.store.get(canary.deploymentId), end)
        .catch(error =>
          this.options.logger.warn('A canary listener failed', {
            endpoint: canary.endpointRef,
            error: String(error),
          }),
        );
    }
    return true;
  }

  /**
   * After a canary ended: its deployment record goes final (if still
   * `canary`) and its reserved GPUs go back, once. Safe to repeat: the
   * driver calls it for ended canaries a crash left unsettled.
   */
  async settle(canary: StoredCanary): Promise<void> {
    if (!canary.endedAt) return;
    const record = await this.options.deployments.get(canary.deploymentId);
    if (record.state === 'canary') {
      const succeeded = canary.phase === 'succeeded';
      // A succeeded revision records what runs now (a rollback to it, an
      // automatic rollback and the next deploy's comparison read it); a
      // failed one is never restored (not applied), so it keeps the render.
      const runs = succeeded
        ? this.engineOf(canary).succeededManifests?.(record.manifests)
        : undefined;
      await this.options.deployments.update(canary.deploymentId, {
        state: succeeded ? 'succeeded' : 'failed',
        finishedAt: canary.endedAt,
        ...(runs ? { manifests: runs } : {}),
        ...(succeeded
          ? {}
          : {
              error: {
                check: 'rollout',
                message: `canary ${canary.phase}: ${canary.message}`,
              },
            }),
      });
    }
    if (
      !canary.reservationReleasedAt &&
      (await this.options.store.claimRelease(canary.deploymentId, this.now()))
    ) {
      const held = await this.options.quotas.releaseSurge({
        deploymentId: canary.deploymentId,
      });
      if (held) {
        await this.options.store.appendEvent(canary.deploymentId, {
          at: this.now(),
          type: 'released',
          stepIndex: canary.stepIndex,
          actor: SYSTEM_ACTOR,
          message: `the ${canary.reservedGpus} GPUs reserved for the canary's pods are free again`,
        });
      }
    }
  }
}

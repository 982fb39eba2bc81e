import type { ObjectStore } from '../ObjectStore';
import type { KubeObject } from '../types';
import { timestamp } from '../util';
import { replicasOfSet } from '../workload/pods';
import { ensureAnalysisRun } from './analysisRuns';
import { durationMs } from './duration';
import type {
  AnalysisRunStatusRef,
  CanaryStep,
  RolloutSpec,
  RolloutStatus,
} from './types';

/** A run's state as the Rollout's status records it, or the reason it could not be created. */
export function analysisStatus(
  run: KubeObject | string,
): AnalysisRunStatusRef | string {
  if (typeof run === 'string') return run;
  const st = (run.status ?? {}) as { phase?: string; message?: string };
  return {
    name: run.metadata.name!,
    status: st.phase ?? 'Pending',
    ...(st.message ? { message: st.message } : {}),
  };
}

/** Failed and Error runs abort the rollout. */
export const failed = (ref: AnalysisRunStatusRef) =>
  ref.status === 'Failed' || ref.status === 'Error';

export type StepContext = {
  store: ObjectStore;
  rollout: KubeObject;
  spec: RolloutSpec;
  /** The status being built; the steps move currentStepIndex and pause conditions. */
  s: RolloutStatus;
  steps: CanaryStep[];
  hash: string;
  revision: string;
  replicas: number;
  routed: boolean;
  current: KubeObject;
  readyOf: (rs: KubeObject | undefined) => number;
  now: number;
  event: (reason: string, message: string, type?: 'Normal' | 'Warning') => void;
  /** Reconcile again in `ms`. */
  queue: (ms: number) => void;
};

export type StepOutcome = {
  /** The step the rollout is at (steps.length once all are done). */
  i: number;
  weight: number;
  canaryTarget: number;
  stableTarget: number;
  waitingFor?: string;
  abortMessage?: string;
  /** Why the rollout's spec is invalid (a missing template). */
  invalid?: string;
};

/**
 * Runs the canary steps from status.currentStepIndex as far as they can go
 * now, as rollout/canary.go does: setWeight (done once the canary's pods
 * are ready; by replica count `ceil(replicas * weight / 100)` canary and
 * the rest stable, or with traffic routing the stable at full scale),
 * pause (a CanaryPauseStep pause condition and controllerPause; a duration
 * ends it, a promote clears it), analysis (an AnalysisRun; Successful goes
 * on, Failed or Error aborts, Inconclusive pauses), setCanaryScale. Other
 * step kinds pass. spec.paused stops them where they are.
 */
export function runCanarySteps(ctx: StepContext): StepOutcome {
  const {
    s,
    spec,
    steps,
    replicas,
    routed,
    current,
    readyOf,
    hash,
    revision,
    rollout,
    now,
  } = ctx;
  let weight = 0;
  let canaryTarget = 0;
  let stableTarget = replicas;
  let waitingFor: string | undefined;
  let abortMessage: string | undefined;
  const outcome = (): StepOutcome => ({
    i: s.currentStepIndex ?? 0,
    weight,
    canaryTarget,
    stableTarget,
    waitingFor,
    abortMessage,
  });
  let i = s.promoteFull ? steps.length : s.currentStepIndex ?? 0;
  for (const step of steps.slice(0, i)) {
    if (typeof step.setWeight === 'number') weight = step.setWeight;
  }
  let canaryScale: number | undefined;
  const targets = () => {
    canaryTarget = canaryScale ?? Math.ceil((replicas * weight) / 100);
    canaryTarget = Math.min(canaryTarget, replicas);
    stableTarget = routed ? replicas : Math.max(0, replicas - canaryTarget);
  };
  targets();
  let blocked = false;
  while (i < steps.length && !blocked && !spec.paused) {
    const step = steps[i];
    if (typeof step.setWeight === 'number') {
      weight = step.setWeight;
      targets();
      if (
        readyOf(current) >= canaryTarget &&
        replicasOfSet(current) >= canaryTarget
      ) {
        ctx.event(
          'RolloutStepCompleted',
          `Rollout step ${i + 1}/${
            steps.length
          } completed (setWeight: ${weight})`,
        );
        i++;
      } else {
        waitingFor = 'more replicas need to be updated';
        blocked = true;
      }
    } else if (step.pause) {
      if (spec.paused) {
        blocked = true;
        break;
      }
      const pc = s.pauseConditions?.find(p => p.reason === 'CanaryPauseStep');
      if (s.controllerPause && !pc) {
        // Resumed (promoted): the pause condition was cleared.
        delete s.controllerPause;
        ctx.event('RolloutResumed', `Rollout is resumed`);
        ctx.event(
          'RolloutStepCompleted',
          `Rollout step ${i + 1}/${steps.length} completed (pause)`,
        );
        i++;
        continue;
      }
      const startTime = pc?.startTime ?? timestamp();
      if (!pc) {
        s.pauseConditions = [
          ...(s.pauseConditions ?? []),
          { reason: 'CanaryPauseStep', startTime },
        ];
        s.controllerPause = true;
        ctx.event('RolloutPaused', 'Rollout is paused (CanaryPauseStep)');
      }
      const duration = durationMs(step.pause.duration);
      if (duration !== undefined) {
        const left = Date.parse(startTime) + duration - now;
        if (left <= 0) {
          s.pauseConditions = s.pauseConditions?.filter(
            p => p.reason !== 'CanaryPauseStep',
          );
          if (!s.pauseConditions?.length) delete s.pauseConditions;
          delete s.controllerPause;
          ctx.event(
            'RolloutStepCompleted',
            `Rollout step ${i + 1}/${steps.length} completed (pause: ${
              step.pause.duration
            })`,
          );
          i++;
          continue;
        }
        ctx.queue(left + 5);
      }
      blocked = true;
    } else if (step.analysis) {
      const ref = analysisStatus(
        ensureAnalysisRun(ctx.store, {
          rollout,
          analysis: step.analysis,
          hash,
          revision,
          stepIndex: i,
        }),
      );
      if (typeof ref === 'string') {
        return { ...outcome(), invalid: ref };
      }
      s.canary = { ...s.canary, currentStepAnalysisRunStatus: ref };
      if (ref.status === 'Successful') {
        ctx.event(
          'AnalysisRunSuccessful',
          `Step Analysis Run '${ref.name}' Status New: 'Successful' Previous: 'Running'`,
        );
        i++;
      } else if (failed(ref)) {
        ctx.event(
          'AnalysisRunFailed',
          `Step Analysis Run '${ref.name}' Status New: '${ref.status}' Previous: 'Running'`,
          'Warning',
        );
        s.abort = true;
        abortMessage = ref.message;
        blocked = true;
      } else if (ref.status === 'Inconclusive') {
        const pc = s.pauseConditions?.find(
          p => p.reason === 'InconclusiveAnalysisRun',
        );
        if (s.controllerPause && !pc) {
          delete s.controllerPause;
          i++;
          continue;
        }
        if (!pc) {
          s.pauseConditions = [
            ...(s.pauseConditions ?? []),
            { reason: 'InconclusiveAnalysisRun', startTime: timestamp() },
          ];
          s.controllerPause = true;
        }
        blocked = true;
      } else {
        waitingFor = 'waiting for analysis to complete';
        blocked = true;
      }
    } else if (step.setCanaryScale) {
      const sc = step.setCanaryScale;
      canaryScale = sc.matchTrafficWeight
        ? undefined
        : sc.replicas ?? Math.ceil((replicas * (sc.weight ?? 0)) / 100);
      targets();
      i++;
    } else {
      // experiment, setHeaderRoute, setMirrorRoute, plugin: not
      // simulated; the step passes.
      i++;
    }
  }
  if (steps.length) s.currentStepIndex = i;
  return { ...outcome(), i };
}

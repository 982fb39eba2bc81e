import type {
  CanaryAnalysis,
  CanaryPhase,
  CanarySplit,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { LiveObject } from '../../kube/KubernetesClusterClient';
import type { CanaryObservation } from '../types';
import { portalStepOf } from './argoSteps';

/**
 * Reads a live Rollout (and its newest AnalysisRun) as the portal's
 * CanaryObservation. Follows Argo Rollouts v1.8.x/v1.9.x:
 * utils/rollout/rolloututil.go GetRolloutPhase (the controller's
 * status.phase, unless the spec or the referenced workload has not been
 * observed yet) and pkg/apis/rollouts/v1alpha1/types.go (RolloutStatus,
 * PauseReason, AnalysisPhase).
 */

export type RolloutStatus = {
  abort?: boolean;
  pauseConditions?: Array<{ reason?: string; startTime?: string }>;
  controllerPause?: boolean;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  observedGeneration?: string;
  workloadObservedGeneration?: string;
  phase?: 'Healthy' | 'Degraded' | 'Progressing' | 'Paused' | string;
  message?: string;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  canary?: {
    weights?: {
      canary?: { weight?: number; podTemplateHash?: string };
      stable?: { weight?: number; podTemplateHash?: string };
    };
    currentBackgroundAnalysisRunStatus?: {
      name?: string;
      status?: string;
      message?: string;
    };
  };
};

/** Argo's annotation of the referenced workload's generation (utils/annotations). */
const WORKLOAD_GENERATION = 'rollout.argoproj.io/workload-generation';

/** Argo's GetRolloutPhase: the phase and message as Argo's own CLI shows them. */
export function rolloutPhase(rollout: LiveObject): {
  phase: string;
  message: string;
} {
  const status = (rollout.status ?? {}) as RolloutStatus;
  const observed = Number(status.observedGeneration);
  if (
    status.observedGeneration !== undefined &&
    Number.isInteger(observed) &&
    observed < (rollout.metadata.generation ?? 0)
  ) {
    return {
      phase: 'Progressing',
      message: 'waiting for rollout spec update to be observed',
    };
  }
  if (status.observedGeneration === undefined && !status.phase) {
    return {
      phase: 'Progressing',
      message:
        'waiting for the Argo Rollouts controller to observe the Rollout',
    };
  }
  if (status.controllerPause && !status.pauseConditions?.length) {
    return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  }
  const workloadGeneration =
    rollout.metadata.annotations?.[WORKLOAD_GENERATION];
  if (
    rollout.spec?.workloadRef &&
    workloadGeneration !== undefined &&
    status.workloadObservedGeneration !== undefined &&
    status.workloadObservedGeneration !== workloadGeneration
  ) {
    return {
      phase: 'Progressing',
      message:
        'waiting for rollout spec update to be observed for the reference workload',
    };
  }
  return {
    phase: status.phase ?? 'Progressing',
    message: status.message ?? '',
  };
}

/** The canary's and the stable's ready pods, as counted by pod template hash. */
export type ReadyPods = { canary: number; stable: number };

function percent(part: number, whole: number) {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

/** What the split really is. */
export function rolloutSplit(options: {
  rollout: LiveObject;
  desiredPercent: number;
  routed: boolean;
  pods: ReadyPods;
  done: boolean;
}): CanarySplit {
  const { pods, desiredPercent, done } = options;
  const status = (options.rollout.status ?? {}) as RolloutStatus;
  if (options.routed) {
    const weights = status.canary?.weights;
    const actual = done ? 100 : weights?.canary?.weight ?? 0;
    return {
      desiredCanaryPercent: desiredPercent,
      actualCanaryPercent: actual,
      basis: 'route-weights',
      stableReplicas: pods.stable,
      canaryReplicas: pods.canary,
      ...(actual !== desiredPercent
        ? {
            note: weights
              ? `the HTTPRoute sends ${actual} % to the canary (Argo Rollouts' status.canary.weights); the step asks ${desiredPercent} %`
              : `Argo Rollouts has not set the HTTPRoute's weights yet; the step asks ${desiredPercent} %`,
          }
        : {}),
    };
  }
  const total = pods.canary + pods.stable;
  const actual = percent(pods.canary, total);
  return {
    desiredCanaryPercent: desiredPercent,
    actualCanaryPercent: actual,
    basis: 'replica-count',
    stableReplicas: pods.stable,
    canaryReplicas: pods.canary,
    ...(actual !== desiredPercent
      ? {
          note:
            total === 0
              ? `no ready pods yet; the step asks ${desiredPercent} %`
              : `with ${total} ready pod${total === 1 ? '' : 's'} (${
                  pods.canary
                } canary, ${
                  pods.stable
                } stable) a ${desiredPercent} % step is ${actual} %: without traffic routing the Service spreads requests over all ready pods`,
        }
      : {}),
  };
}

type Measurement = { value?: string; phase?: string; finishedAt?: string };
type MetricResult = {
  name?: string;
  phase?: string;
  message?: string;
  measurements?: Measurement[];
};

/** The number a Prometheus measurement holds ("[0.012]" or "0.012"); undefined for none or NaN. */
export function measuredValue(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = Number(value);
  }
  const n = Array.isArray(parsed) ? Number(parsed[0]) : Number(parsed);
  return Number.isFinite(n) ? n : undefined;
}

/** The verdict of a background AnalysisRun (argoproj.io/v1alpha1). */
export function analysisOf(
  run: LiveObject | undefined,
  configured: boolean,
): CanaryAnalysis {
  if (!configured) {
    return {
      status: 'none',
      message:
        'No analysis: the Rollout has no AnalysisTemplate (no Prometheus is configured for the cluster)',
    };
  }
  if (!run) {
    return {
      status: 'running',
      message: 'Argo Rollouts has not started the analysis run yet',
    };
  }
  const status = (run.status ?? {}) as {
    phase?: string;
    message?: string;
    metricResults?: MetricResult[];
  };
  const results = status.metricResults ?? [];
  const latest = (name: string) => {
    const m = results.find(r => r.name === name)?.measurements ?? [];
    return m[m.length - 1];
  };
  const errorRate = measuredValue(latest('error-rate')?.value);
  const ttft = measuredValue(latest('ttft-p95')?.value);
  const checkedAt = [latest('error-rate'), latest('ttft-p95')]
    .map(m => m?.finishedAt)
    .filter((t): t is string => !!t)
    .sort()
    .pop();
  const phase = status.phase ?? 'Pending';
  const measured = [
    errorRate !== undefined
      ? `error rate ${Math.round(errorRate * 10000) / 100} %`
      : 'error rate not measured yet (or no requests)',
    ttft !== undefined
      ? `TTFT p95 ${Math.round(ttft * 1000) / 1000} s`
      : 'TTFT p95 not measured yet (or no requests)',
  ].join(', ');
  const failedMetrics = results
    .filter(r => r.phase === 'Failed' || r.phase === 'Error')
    .map(r => `${r.name}${r.message ? ` (${r.message})` : ''}`);
  const VERDICTS: Record<string, CanaryAnalysis['status']> = {
    Successful: 'passed',
    Failed: 'failed',
    Error: 'failed',
  };
  const verdict = VERDICTS[phase] ?? 'running';
  return {
    status: verdict,
    message: `AnalysisRun ${run.metadata.name} is ${phase}: ${measured}${
      failedMetrics.length ? `; failed: ${failedMetrics.join(', ')}` : ''
    }${status.message ? ` (${status.message})` : ''}`,
    ...(errorRate !== undefined ? { errorRate } : {}),
    ...(ttft !== undefined ? { ttftP95Seconds: ttft } : {}),
    ...(checkedAt ? { checkedAt } : {}),
  };
}

/**
 * Where the canary is: the portal step of Argo's status.currentStepIndex,
 * and the phase:
 * - `aborted` while status.abort is set (by a person or a failed analysis);
 * - `succeeded` once the Rollout is Healthy with the new pods stable and
 *   every step done;
 * - `failed` when Argo says Degraded without an abort (e.g. the progress
 *   deadline passed, an invalid spec);
 * - `awaiting-approval` / `paused` at a step's pause (a CanaryPauseStep
 *   pause condition), by the step's kind; an inconclusive analysis also
 *   waits for a person;
 * - else `progressing`.
 */
export function readRollout(options: {
  rollout: LiveObject;
  steps: CanaryStep[];
  routed: boolean;
  pods: ReadyPods;
  analysis: CanaryAnalysis;
}): CanaryObservation {
  const { rollout, steps, routed, pods, analysis } = options;
  const status = (rollout.status ?? {}) as RolloutStatus;
  const { phase: argoPhase, message: argoMessage } = rolloutPhase(rollout);
  const at = portalStepOf(steps, status.currentStepIndex);
  const step = steps[at.index];
  const stable = !!status.stableRS && status.stableRS === status.currentPodHash;
  const done = at.done && stable && argoPhase === 'Healthy';
  const split = rolloutSplit({
    rollout,
    desiredPercent: done ? 100 : step?.weight ?? 0,
    routed,
    pods,
    done,
  });
  const said = argoMessage ? ` (Argo Rollouts: ${argoMessage})` : '';
  const reasons = (status.pauseConditions ?? []).map(p => p.reason);
  let phase: CanaryPhase;
  let message: string;
  if (status.abort) {
    phase = 'aborted';
    message =
      analysis.status === 'failed'
        ? `Aborted after a failed analysis: all traffic is back on the stable version${said}`
        : `Aborted: all traffic is back on the stable version${said}`;
  } else if (done) {
    phase = 'succeeded';
    message = 'All steps done: the new version is the stable one';
  } else if (argoPhase === 'Degraded') {
    phase = 'failed';
    message = `The Rollout is Degraded${said}`;
  } else if (reasons.includes('InconclusiveAnalysisRun')) {
    phase = 'awaiting-approval';
    message = `The analysis was inconclusive: Argo Rollouts waits for a person to promote or abort${said}`;
  } else if (reasons.includes('CanaryPauseStep') && at.atPause) {
    const approval = !!step?.pause && 'approval' in step.pause;
    phase = approval ? 'awaiting-approval' : 'paused';
    message = approval
      ? `Holding ${step.weight} % until someone approves`
      : `Holding ${step?.weight} % for its pause`;
  } else {
    phase = 'progressing';
    message = `Moving to ${step?.weight ?? 0} %${said}`;
  }
  return { stepIndex: at.index, phase, message, split, analysis };
}

import type { CanaryStep } from '@internal/plugin-ai-platform-common';
import type { LiveObject } from '../../kube/KubernetesClusterClient';
import { argoIndexOf, argoSteps, portalStepOf } from './argoSteps';
import { analysisOf, measuredValue, readRollout } from './readRollout';
import { ABORT_PATCH, promotePatches } from './rolloutPatches';

const steps: CanaryStep[] = [
  { weight: 10, pause: { durationSeconds: 300 } },
  { weight: 50, pause: { approval: true } },
  { weight: 100 },
];

function rollout(status: Record<string, unknown>, extra: object = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'chat', namespace: 'team', generation: 2 },
    spec: { strategy: { canary: { steps: argoSteps(steps) } }, ...extra },
    status: { observedGeneration: '2', ...status },
  } as LiveObject;
}

const noAnalysis = analysisOf(undefined, false);

describe('Argo canary steps', () => {
  it('maps portal steps to Argo steps and back', () => {
    expect(argoSteps(steps)).toEqual([
      { setWeight: 10 },
      { pause: { duration: '300s' } },
      { setWeight: 50 },
      { pause: {} },
      { setWeight: 100 },
    ]);
    expect([0, 1, 2].map(i => argoIndexOf(steps, i))).toEqual([0, 2, 4]);
    expect(portalStepOf(steps, undefined)).toEqual({
      index: 0,
      atPause: false,
      done: false,
    });
    expect(portalStepOf(steps, 1)).toEqual({
      index: 0,
      atPause: true,
      done: false,
    });
    expect(portalStepOf(steps, 3)).toEqual({
      index: 1,
      atPause: true,
      done: false,
    });
    expect(portalStepOf(steps, 5)).toEqual({
      index: 2,
      atPause: false,
      done: true,
    });
  });
});

describe('promotePatches (kubectl argo rollouts promote)', () => {
  it('clears the pause conditions of a paused step, and nothing else', () => {
    expect(
      promotePatches(
        rollout({
          currentStepIndex: 1,
          pauseConditions: [{ reason: 'CanaryPauseStep' }],
        }),
      ),
    ).toEqual({ status: { status: { pauseConditions: null } } });
  });

  it('moves to the next step when nothing pauses (e.g. during analysis), and unpauses spec.paused', () => {
    expect(
      promotePatches(rollout({ currentStepIndex: 2 }, { paused: true })),
    ).toEqual({
      spec: { spec: { paused: false } },
      status: { status: { pauseConditions: null, currentStepIndex: 3 } },
    });
    // Past the last step the index stays.
    expect(promotePatches(rollout({ currentStepIndex: 5 }))).toEqual({
      status: { status: { pauseConditions: null, currentStepIndex: 5 } },
    });
    expect(ABORT_PATCH).toEqual({ status: { abort: true } });
  });
});

describe('readRollout', () => {
  it('reads a timed pause and an approval, with the split the replicas give', () => {
    const paused = readRollout({
      rollout: rollout({
        phase: 'Paused',
        currentStepIndex: 1,
        currentPodHash: 'new',
        stableRS: 'old',
        pauseConditions: [{ reason: 'CanaryPauseStep' }],
      }),
      steps,
      routed: false,
      pods: { canary: 1, stable: 1 },
      analysis: noAnalysis,
    });
    expect(paused).toMatchObject({
      stepIndex: 0,
      phase: 'paused',
      split: {
        desiredCanaryPercent: 10,
        actualCanaryPercent: 50,
        basis: 'replica-count',
        canaryReplicas: 1,
        stableReplicas: 1,
      },
    });
    expect(paused.split.note).toBe(
      'with 2 ready pods (1 canary, 1 stable) a 10 % step is 50 %: without traffic routing the Service spreads requests over all ready pods',
    );
    const approval = readRollout({
      rollout: rollout({
        phase: 'Paused',
        currentStepIndex: 3,
        currentPodHash: 'new',
        stableRS: 'old',
        pauseConditions: [{ reason: 'CanaryPauseStep' }],
      }),
      steps,
      routed: false,
      pods: { canary: 2, stable: 2 },
      analysis: noAnalysis,
    });
    expect(approval).toMatchObject({
      stepIndex: 1,
      phase: 'awaiting-approval',
      split: { actualCanaryPercent: 50 },
    });
    expect(approval.split.note).toBeUndefined();
  });

  it('reads route weights as Argo stored them, and progress while the spec is not yet observed', () => {
    const moving = readRollout({
      rollout: {
        ...rollout({
          phase: 'Healthy',
          observedGeneration: '1',
          currentPodHash: 'old',
          stableRS: 'old',
          currentStepIndex: 5,
        }),
      },
      steps,
      routed: true,
      pods: { canary: 0, stable: 2 },
      analysis: noAnalysis,
    });
    // generation 2 not observed: the Healthy of the last revision is not success.
    expect(moving.phase).toBe('progressing');
    const routed = readRollout({
      rollout: rollout({
        phase: 'Progressing',
        currentStepIndex: 2,
        currentPodHash: 'new',
        stableRS: 'old',
        canary: {
          weights: {
            canary: { weight: 10, podTemplateHash: 'new' },
            stable: { weight: 90, podTemplateHash: 'old' },
          },
        },
      }),
      steps,
      routed: true,
      pods: { canary: 1, stable: 6 },
      analysis: noAnalysis,
    });
    expect(routed).toMatchObject({
      stepIndex: 1,
      phase: 'progressing',
      split: {
        desiredCanaryPercent: 50,
        actualCanaryPercent: 10,
        basis: 'route-weights',
      },
    });
  });

  it('reads success, abort and a Degraded rollout', () => {
    expect(
      readRollout({
        rollout: rollout({
          phase: 'Healthy',
          currentStepIndex: 5,
          currentPodHash: 'new',
          stableRS: 'new',
        }),
        steps,
        routed: false,
        pods: { canary: 2, stable: 0 },
        analysis: noAnalysis,
      }),
    ).toMatchObject({
      stepIndex: 2,
      phase: 'succeeded',
      split: { actualCanaryPercent: 100 },
    });
    const failedRun = {
      metadata: { name: 'chat-abc-2' },
      status: {
        phase: 'Failed',
        metricResults: [
          {
            name: 'error-rate',
            phase: 'Failed',
            measurements: [
              {
                value: '[0.2]',
                phase: 'Failed',
                finishedAt: '2026-12-07T10:01:00Z',
              },
            ],
          },
          {
            name: 'ttft-p95',
            phase: 'Running',
            measurements: [
              { value: '0.31', finishedAt: '2026-12-07T10:00:00Z' },
            ],
          },
        ],
      },
    } as unknown as LiveObject;
    const analysis = analysisOf(failedRun, true);
    expect(analysis).toEqual({
      status: 'failed',
      message:
        'AnalysisRun chat-abc-2 is Failed: error rate 20 %, TTFT p95 0.31 s; failed: error-rate',
      errorRate: 0.2,
      ttftP95Seconds: 0.31,
      checkedAt: '2026-12-07T10:01:00Z',
    });
    expect(
      readRollout({
        rollout: rollout({
          phase: 'Degraded',
          abort: true,
          currentStepIndex: 0,
          currentPodHash: 'new',
          stableRS: 'old',
          message: 'RolloutAborted: metric "error-rate" assessed Failed',
        }),
        steps,
        routed: false,
        pods: { canary: 0, stable: 2 },
        analysis,
      }),
    ).toMatchObject({
      phase: 'aborted',
      message:
        'Aborted after a failed analysis: all traffic is back on the stable version (Argo Rollouts: RolloutAborted: metric "error-rate" assessed Failed)',
      split: { actualCanaryPercent: 0 },
    });
    expect(
      readRollout({
        rollout: rollout({
          phase: 'Degraded',
          message: 'ProgressDeadlineExceeded',
          currentPodHash: 'new',
          stableRS: 'old',
        }),
        steps,
        routed: false,
        pods: { canary: 0, stable: 2 },
        analysis: noAnalysis,
      }).phase,
    ).toBe('failed');
  });

  it('reads Prometheus measurements as Argo stores them', () => {
    expect(measuredValue('[0.012]')).toBe(0.012);
    expect(measuredValue('0.5')).toBe(0.5);
    expect(measuredValue('[NaN]')).toBeUndefined();
    expect(measuredValue('[]')).toBeUndefined();
    expect(measuredValue(undefined)).toBeUndefined();
    expect(analysisOf(undefined, true).status).toBe('running');
    expect(noAnalysis.status).toBe('none');
  });
});

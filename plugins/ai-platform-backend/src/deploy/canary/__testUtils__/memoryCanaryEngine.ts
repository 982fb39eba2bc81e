import type {
  CanaryEngineName,
  CanaryPhase,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { CanaryEngine, CanaryObservation, CanaryTarget } from '../types';

/**
 * An in-memory CanaryEngine for the workflow's tests: it renders the plan's
 * own objects (so the apply goes to the fake API server as a normal
 * Deployment), counts one canary pod's GPUs per replica, and keeps the
 * step, phase and traffic weight each call leaves, so a test can read what
 * the workflow asked of it, or set what the "cluster" reports (`set`).
 */
export function memoryCanaryEngine(name: CanaryEngineName) {
  const state = new Map<
    string,
    { stepIndex: number; phase: CanaryPhase; weight: number; message: string }
  >();
  const calls: string[] = [];
  const key = (t: CanaryTarget) => `${t.cluster}/${t.namespace}/${t.name}`;
  const get = (t: CanaryTarget, steps: CanaryStep[]) =>
    state.get(key(t)) ?? {
      stepIndex: 0,
      phase: 'progressing' as CanaryPhase,
      weight: steps[0]?.weight ?? 0,
      message: 'started',
    };
  const engine: CanaryEngine & {
    calls: string[];
    set(
      t: Pick<CanaryTarget, 'cluster' | 'namespace' | 'name'>,
      value: Partial<{
        stepIndex: number;
        phase: CanaryPhase;
        weight: number;
        message: string;
      }>,
    ): void;
    weightOf(
      t: Pick<CanaryTarget, 'cluster' | 'namespace' | 'name'>,
    ): number | undefined;
  } = {
    name,
    calls,
    render(input) {
      calls.push('render');
      const gpus = input.plan.gpusPerReplica;
      return {
        manifests: input.plan.manifests,
        canaryGpus: gpus,
        converting: false,
      };
    },
    async observe(target, steps, options): Promise<CanaryObservation> {
      calls.push(options?.readOnly ? 'observe:read-only' : 'observe');
      const s = get(target, steps);
      return {
        stepIndex: s.stepIndex,
        phase: s.phase,
        message: s.message,
        split: {
          desiredCanaryPercent: steps[s.stepIndex]?.weight ?? 0,
          actualCanaryPercent: s.weight,
          basis: 'route-weights',
          stableReplicas: 1,
          canaryReplicas: s.weight > 0 ? 1 : 0,
        },
      };
    },
    async advance(target, steps, toIndex) {
      calls.push(`advance:${toIndex}`);
      state.set(key(target), {
        ...get(target, steps),
        stepIndex: toIndex,
        weight: steps[toIndex].weight,
      });
    },
    async abort(target) {
      calls.push('abort');
      state.set(key(target), {
        ...get(target, []),
        phase: 'aborted',
        weight: 0,
      });
    },
    async complete(target) {
      calls.push('complete');
      state.set(key(target), {
        ...get(target, []),
        phase: 'succeeded',
        weight: 0,
      });
    },
    set(t, value) {
      const k = `${t.cluster}/${t.namespace}/${t.name}`;
      state.set(k, {
        ...(state.get(k) ?? {
          stepIndex: 0,
          phase: 'progressing',
          weight: 0,
          message: '',
        }),
        ...value,
      });
    },
    weightOf(t) {
      return state.get(`${t.cluster}/${t.namespace}/${t.name}`)?.weight;
    },
  };
  return engine;
}

export type MemoryCanaryEngine = ReturnType<typeof memoryCanaryEngine>;

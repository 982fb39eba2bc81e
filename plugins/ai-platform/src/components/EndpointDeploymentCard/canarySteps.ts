import {
  type CanaryStep,
  DEFAULT_CANARY_STEPS,
} from '@internal/plugin-ai-platform-common';

/** How a step of the editor waits before the next one. */
export type StepPauseKind = 'timed' | 'approval' | 'none';

/** One step as the editor holds it: the fields as typed. */
export type CanaryStepDraft = {
  weight: string;
  pause: StepPauseKind;
  /** The timed pause in seconds, as typed. */
  seconds: string;
};

/** The problems of one step, per field. */
export type CanaryStepErrors = { weight?: string; seconds?: string };

/** The steps, when they are valid, and what is wrong otherwise. */
export type CanaryStepsValidation = {
  steps?: CanaryStep[];
  /** Per step, in the order of the drafts. */
  stepErrors: CanaryStepErrors[];
  /** What is wrong with the steps as a whole. */
  error?: string;
};

/** At most this many steps (the backend's bound). */
export const MAX_CANARY_STEPS = 20;
/** A timed pause's bounds in seconds: a tick of the backend's driver to a day. */
export const PAUSE_SECONDS = { min: 30, max: 86_400 } as const;

function pauseKindOf(step: CanaryStep): StepPauseKind {
  if (!step.pause) return 'none';
  return 'approval' in step.pause ? 'approval' : 'timed';
}

/** The editor's drafts of some steps (the default ones when opened). */
export function draftsOf(
  steps: readonly CanaryStep[] = DEFAULT_CANARY_STEPS,
): CanaryStepDraft[] {
  return steps.map(s => ({
    weight: String(s.weight),
    pause: pauseKindOf(s),
    seconds:
      s.pause && 'durationSeconds' in s.pause
        ? String(s.pause.durationSeconds)
        : '300',
  }));
}

const wholeNumber = (text: string) =>
  /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;

/**
 * Checks the steps as the backend does (docs/canary.md): 1 to 20 steps;
 * each weight a whole percent from 1 to 100, rising from step to step, the
 * last 100; a timed pause from 30 seconds to a day. The last step ends the
 * canary, so its pause is left out. Says per field what is wrong.
 */
export function validateCanarySteps(
  drafts: CanaryStepDraft[],
): CanaryStepsValidation {
  if (drafts.length === 0) {
    return { stepErrors: [], error: 'Add at least one step (the last 100 %).' };
  }
  const stepErrors: CanaryStepErrors[] = drafts.map(() => ({}));
  const steps: CanaryStep[] = [];
  let previous: number | undefined;
  drafts.forEach((d, i) => {
    const weight = wholeNumber(d.weight);
    if (weight === undefined || weight < 1 || weight > 100) {
      stepErrors[i].weight = 'A whole percent from 1 to 100.';
    } else if (previous !== undefined && weight <= previous) {
      stepErrors[i].weight = `Must be above step ${i}'s ${previous} %.`;
    } else if (i === drafts.length - 1 && weight !== 100) {
      stepErrors[i].weight = 'The last step sends all traffic: 100.';
    } else if (i < drafts.length - 1 && weight === 100) {
      stepErrors[i].weight = 'Only the last step may be 100.';
    }
    if (weight !== undefined) previous = weight;
    const last = i === drafts.length - 1;
    let pause: CanaryStep['pause'];
    if (d.pause === 'approval' && !last) pause = { approval: true };
    if (d.pause === 'timed' && !last) {
      const seconds = wholeNumber(d.seconds);
      if (
        seconds === undefined ||
        seconds < PAUSE_SECONDS.min ||
        seconds > PAUSE_SECONDS.max
      ) {
        stepErrors[
          i
        ].seconds = `Whole seconds from ${PAUSE_SECONDS.min} to ${PAUSE_SECONDS.max}.`;
      } else {
        pause = { durationSeconds: seconds };
      }
    }
    steps.push({ weight: weight ?? 0, ...(pause ? { pause } : {}) });
  });
  const error =
    drafts.length > MAX_CANARY_STEPS
      ? `At most ${MAX_CANARY_STEPS} steps.`
      : undefined;
  const valid = !error && stepErrors.every(e => !e.weight && !e.seconds);
  return { ...(valid ? { steps } : {}), stepErrors, error };
}

/** The problems of the steps in one sentence (for the dialog's blocked-by line). */
export function canaryStepsProblem(
  validation: CanaryStepsValidation,
): string | undefined {
  if (validation.error) return validation.error;
  const i = validation.stepErrors.findIndex(e => e.weight || e.seconds);
  if (i < 0) return undefined;
  const e = validation.stepErrors[i];
  return `Step ${i + 1}: ${[
    e.weight && `weight: ${e.weight}`,
    e.seconds && `pause: ${e.seconds}`,
  ]
    .filter(Boolean)
    .join(' ')}`;
}

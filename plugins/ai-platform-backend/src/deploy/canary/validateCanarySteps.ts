import { InputError } from '@backstage/errors';
import {
  type CanaryStep,
  DEFAULT_CANARY_STEPS,
} from '@internal/plugin-ai-platform-common';

/** Bounds of a timed pause: at least one driver tick, at most a day. */
export const PAUSE_SECONDS = { min: 30, max: 86_400 } as const;
/** At most this many steps. */
export const MAX_CANARY_STEPS = 20;

/**
 * The steps of a canary promote, checked: 1 to 20 steps; weights whole
 * percents 1 to 100, each above the one before, the last 100; a pause is
 * a duration of 30 s to 24 h or a manual approval; the last step (100 %)
 * has none, it ends the canary. Absent steps are DEFAULT_CANARY_STEPS.
 * Throws an InputError naming the field (`canary.steps[1].weight`).
 */
export function validateCanarySteps(steps: unknown): CanaryStep[] {
  if (steps === undefined) return DEFAULT_CANARY_STEPS.map(s => ({ ...s }));
  const field = 'canary.steps';
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InputError(
      `${field}: must be a list of 1 to ${MAX_CANARY_STEPS} steps`,
    );
  }
  if (steps.length > MAX_CANARY_STEPS) {
    throw new InputError(
      `${field}: at most ${MAX_CANARY_STEPS} steps, not ${steps.length}`,
    );
  }
  const out: CanaryStep[] = [];
  let before = 0;
  steps.forEach((raw, i) => {
    const at = `${field}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(`${at}: must be an object { weight, pause? }`);
    }
    const { weight, pause, ...extra } = raw as Record<string, unknown>;
    const unknownKeys = Object.keys(extra);
    if (unknownKeys.length) {
      throw new InputError(
        `${at}: unknown field ${unknownKeys[0]} (a step has weight and pause)`,
      );
    }
    if (
      typeof weight !== 'number' ||
      !Number.isInteger(weight) ||
      weight < 1 ||
      weight > 100
    ) {
      throw new InputError(
        `${at}.weight: must be a whole percent from 1 to 100, not ${JSON.stringify(
          weight,
        )}`,
      );
    }
    if (weight <= before) {
      throw new InputError(
        `${at}.weight: weights must increase; ${weight} follows ${before}`,
      );
    }
    before = weight;
    const last = i === steps.length - 1;
    if (last && weight !== 100) {
      throw new InputError(
        `${at}.weight: the last step must send all traffic to the new version (100), not ${weight}`,
      );
    }
    if (!last && weight === 100) {
      throw new InputError(`${at}.weight: only the last step may be 100`);
    }
    if (pause === undefined) {
      out.push({ weight });
      return;
    }
    if (last) {
      throw new InputError(
        `${at}.pause: the last step (100) ends the canary and has no pause`,
      );
    }
    out.push({ weight, pause: validatePause(pause, `${at}.pause`) });
  });
  return out;
}

function validatePause(
  pause: unknown,
  at: string,
): NonNullable<CanaryStep['pause']> {
  if (typeof pause !== 'object' || pause === null || Array.isArray(pause)) {
    throw new InputError(
      `${at}: must be { durationSeconds } or { approval: true }`,
    );
  }
  const p = pause as Record<string, unknown>;
  const keys = Object.keys(p);
  if (keys.length === 1 && keys[0] === 'approval') {
    if (p.approval !== true) {
      throw new InputError(`${at}.approval: must be true`);
    }
    return { approval: true };
  }
  if (keys.length === 1 && keys[0] === 'durationSeconds') {
    const d = p.durationSeconds;
    if (
      typeof d !== 'number' ||
      !Number.isInteger(d) ||
      d < PAUSE_SECONDS.min ||
      d > PAUSE_SECONDS.max
    ) {
      throw new InputError(
        `${at}.durationSeconds: must be whole seconds from ${
          PAUSE_SECONDS.min
        } to ${PAUSE_SECONDS.max} (24 h), not ${JSON.stringify(d)}`,
      );
    }
    return { durationSeconds: d };
  }
  throw new InputError(
    `${at}: must be { durationSeconds } or { approval: true }, not ${JSON.stringify(
      pause,
    )}`,
  );
}

import { DEFAULT_CANARY_STEPS } from '@internal/plugin-ai-platform-common';
import { validateCanarySteps } from './validateCanarySteps';

describe('validateCanarySteps', () => {
  it('takes the default steps when none are given, and good steps as they are', () => {
    expect(validateCanarySteps(undefined)).toEqual(DEFAULT_CANARY_STEPS);
    const steps = [
      { weight: 5, pause: { durationSeconds: 30 } },
      { weight: 20 },
      { weight: 60, pause: { approval: true } },
      { weight: 100 },
    ];
    expect(validateCanarySteps(steps)).toEqual(steps);
  });

  it.each([
    [[], /canary\.steps: must be a list of 1 to 20 steps/],
    [
      Array.from({ length: 21 }, (_, i) => ({ weight: i + 1 })),
      /at most 20 steps/,
    ],
    [
      [{ weight: 0 }, { weight: 100 }],
      /steps\[0\]\.weight: must be a whole percent from 1 to 100, not 0/,
    ],
    [
      [{ weight: 10.5 }, { weight: 100 }],
      /steps\[0\]\.weight: must be a whole percent/,
    ],
    [
      [{ weight: 50 }, { weight: 40 }, { weight: 100 }],
      /steps\[1\]\.weight: weights must increase; 40 follows 50/,
    ],
    [
      [{ weight: 10 }, { weight: 90 }],
      /steps\[1\]\.weight: the last step must send all traffic to the new version \(100\), not 90/,
    ],
    [
      [{ weight: 100 }, { weight: 100 }],
      /steps\[0\]\.weight: only the last step may be 100/,
    ],
    [
      [{ weight: 10 }, { weight: 100, pause: { approval: true } }],
      /steps\[1\]\.pause: the last step \(100\) ends the canary and has no pause/,
    ],
    [
      [{ weight: 10, pause: { durationSeconds: 10 } }, { weight: 100 }],
      /steps\[0\]\.pause\.durationSeconds: must be whole seconds from 30 to 86400/,
    ],
    [
      [{ weight: 10, pause: { durationSeconds: 90_000 } }, { weight: 100 }],
      /durationSeconds: must be whole seconds from 30 to 86400 \(24 h\), not 90000/,
    ],
    [
      [{ weight: 10, pause: { approval: false } }, { weight: 100 }],
      /steps\[0\]\.pause\.approval: must be true/,
    ],
    [
      [
        { weight: 10, pause: { approval: true, durationSeconds: 60 } },
        { weight: 100 },
      ],
      /steps\[0\]\.pause: must be \{ durationSeconds \} or \{ approval: true \}/,
    ],
    [
      [{ weight: 10, wait: 3 }, { weight: 100 }],
      /steps\[0\]: unknown field wait/,
    ],
    [['ten', { weight: 100 }], /steps\[0\]: must be an object/],
  ])('refuses %j naming the field', (steps, message) => {
    expect(() => validateCanarySteps(steps)).toThrow(message);
  });
});

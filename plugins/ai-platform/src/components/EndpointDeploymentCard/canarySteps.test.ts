import { DEFAULT_CANARY_STEPS } from '@internal/plugin-ai-platform-common';
import {
  canaryStepsProblem,
  draftsOf,
  validateCanarySteps,
} from './canarySteps';

describe('canary steps', () => {
  it('starts from the default steps and gives them back unchanged', () => {
    const drafts = draftsOf();
    expect(drafts).toEqual([
      { weight: '10', pause: 'timed', seconds: '300' },
      { weight: '50', pause: 'approval', seconds: '300' },
      { weight: '100', pause: 'none', seconds: '300' },
    ]);
    const v = validateCanarySteps(drafts);
    expect(v.steps).toEqual(DEFAULT_CANARY_STEPS);
    expect(canaryStepsProblem(v)).toBeUndefined();
  });

  it('names the field of each step that is wrong', () => {
    const v = validateCanarySteps([
      { weight: '20', pause: 'timed', seconds: '0' },
      { weight: '20', pause: 'approval', seconds: '' },
      { weight: 'ten', pause: 'none', seconds: '' },
      { weight: '90', pause: 'none', seconds: '' },
    ]);
    expect(v.steps).toBeUndefined();
    expect(v.stepErrors).toEqual([
      { seconds: 'Whole seconds from 30 to 86400.' },
      { weight: "Must be above step 1's 20 %." },
      { weight: 'A whole percent from 1 to 100.' },
      { weight: 'The last step sends all traffic: 100.' },
    ]);
    expect(canaryStepsProblem(v)).toBe(
      'Step 1: pause: Whole seconds from 30 to 86400.',
    );
  });

  it('leaves out the pause of the last step, which ends the canary', () => {
    expect(
      validateCanarySteps([
        { weight: '30', pause: 'timed', seconds: '29' },
        { weight: '100', pause: 'approval', seconds: '' },
      ]),
    ).toEqual({
      stepErrors: [{ seconds: 'Whole seconds from 30 to 86400.' }, {}],
    });
    expect(
      validateCanarySteps([
        { weight: '30', pause: 'timed', seconds: '30' },
        { weight: '100', pause: 'timed', seconds: 'x' },
      ]).steps,
    ).toEqual([
      { weight: 30, pause: { durationSeconds: 30 } },
      { weight: 100 },
    ]);
  });

  it('refuses 100 before the last step, fractions and an empty list', () => {
    expect(
      validateCanarySteps([
        { weight: '100', pause: 'approval', seconds: '' },
        { weight: '100', pause: 'none', seconds: '' },
      ]).stepErrors[0],
    ).toEqual({ weight: 'Only the last step may be 100.' });
    expect(
      validateCanarySteps([
        { weight: '12.5', pause: 'timed', seconds: '60' },
        { weight: '100', pause: 'none', seconds: '' },
      ]).stepErrors[0],
    ).toEqual({ weight: 'A whole percent from 1 to 100.' });
    expect(canaryStepsProblem(validateCanarySteps([]))).toBe(
      'Add at least one step (the last 100 %).',
    );
  });

  it('allows at most twenty steps', () => {
    const drafts = Array.from({ length: 21 }, (_, i) => ({
      weight: String(i === 20 ? 100 : (i + 1) * 4),
      pause: 'timed' as const,
      seconds: '30',
    }));
    const tooMany = validateCanarySteps(drafts);
    expect(tooMany.steps).toBeUndefined();
    expect(tooMany.error).toBe('At most 20 steps.');
    expect(validateCanarySteps(drafts.slice(1)).steps).toHaveLength(20);
  });
});

import { formatSeconds, pauseText, splitBasisText } from './canaryFormat';

describe('canaryFormat', () => {
  it('says durations and pauses in words', () => {
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(300)).toBe('5 min');
    expect(formatSeconds(5430)).toBe('1 h 30 min 30 s');
    expect(formatSeconds(0)).toBe('0 s');
    expect(pauseText({ weight: 10, pause: { durationSeconds: 90 } })).toBe(
      'for 1 min 30 s',
    );
    expect(pauseText({ weight: 50, pause: { approval: true } })).toBe(
      'until approved',
    );
    expect(pauseText({ weight: 100 })).toBe('goes on at once');
  });

  it('says where the actual split comes from', () => {
    expect(
      splitBasisText({
        desiredCanaryPercent: 10,
        actualCanaryPercent: 50,
        basis: 'replica-count',
        stableReplicas: 1,
        canaryReplicas: 1,
      }),
    ).toBe('replica count: 1 canary of 2 pods');
    expect(
      splitBasisText({
        desiredCanaryPercent: 10,
        actualCanaryPercent: 10,
        basis: 'route-weights',
        stableReplicas: 2,
        canaryReplicas: 1,
      }),
    ).toBe('route weights, as the cluster stores them');
  });
});

import {
  checkGenerationWeight,
  promptShare,
  splitFigures,
  type SplitSums,
} from './tokenSplit';

describe('promptShare', () => {
  it('rests on measured prefill and decode time where both were read', () => {
    // 30 s of prefill, 270 s of decode: a tenth of the time is prefill.
    expect(
      promptShare({
        promptTokens: 900_000,
        generationTokens: 100_000,
        prefillSeconds: 30,
        decodeSeconds: 270,
      }),
    ).toEqual({ share: 0.1, basis: 'measured' });
  });

  it('weights token counts by the generation weight otherwise', () => {
    // 600 prompt tokens, 100 generated x 4 = 400: 600 / 1000.
    expect(promptShare({ promptTokens: 600, generationTokens: 100 })).toEqual({
      share: 0.6,
      basis: 'weighted',
    });
    // With a weight of 2: 600 / (600 + 200).
    expect(
      promptShare({ promptTokens: 600, generationTokens: 100 }, 2),
    ).toEqual({ share: 0.75, basis: 'weighted' });
    // Time measured as zero (no request finished) falls back to the tokens.
    expect(
      promptShare({
        promptTokens: 100,
        generationTokens: 25,
        prefillSeconds: 0,
        decodeSeconds: 0,
      }),
    ).toEqual({ share: 0.5, basis: 'weighted' });
  });

  it('does not split an interval without tokens or time', () => {
    expect(promptShare({})).toBeUndefined();
    expect(
      promptShare({ promptTokens: 0, generationTokens: 0 }),
    ).toBeUndefined();
    expect(promptShare({ prefillSeconds: 3 })).toBeUndefined();
  });
});

describe('checkGenerationWeight', () => {
  it('defaults to 4 and refuses a weight that is not positive', () => {
    expect(checkGenerationWeight(undefined)).toBe(4);
    expect(checkGenerationWeight(2.5)).toBe(2.5);
    expect(() => checkGenerationWeight(0)).toThrow(
      'aiPlatform.cost.tokenSplit.generationWeight must be a positive number; got 0',
    );
    expect(() => checkGenerationWeight(NaN)).toThrow(/generationWeight/);
  });
});

describe('splitFigures', () => {
  const none: SplitSums = {
    tokenCost: 0,
    tokenGpuHours: 0,
    promptTokens: 0,
    generationTokens: 0,
    promptTokenCost: 0,
    splitCost: 0,
    splitMeasuredGpuHours: 0,
    requests: 0,
    requestCost: 0,
    cost: 0,
  };

  it('derives the figures from known samples (hand-computed)', () => {
    // Three samples of one endpoint, summed by hand:
    //   A measured: cost 12 (3 GPU-hours), prefill share 0.1 -> prompt 1.2
    //   B weighted: cost 12, 600 prompt / (600 + 100 x 4) = 0.6 -> 7.2
    //   C idle (tokens 0, no time): cost 6, not split
    // token cost 30, split cost 24, prompt cost of the split 8.4:
    // prompt share 8.4 / 24 = 0.35 of 30 = 10.5, generation 19.5.
    const figures = splitFigures({
      tokenCost: 30,
      tokenGpuHours: 7.5,
      promptTokens: 2_000_000,
      generationTokens: 500_000,
      promptTokenCost: 8.4,
      splitCost: 24,
      splitMeasuredGpuHours: 3,
      requests: 1_500,
      requestCost: 24,
      cost: 36,
    });
    expect(figures.promptTokenCost).toBeCloseTo(10.5, 10);
    expect(figures.generationTokenCost).toBeCloseTo(19.5, 10);
    // 10.5 / 2M x 1M = 5.25; 19.5 / 0.5M x 1M = 39.
    expect(figures.costPerMillionPromptTokens).toBeCloseTo(5.25, 10);
    expect(figures.costPerMillionGenerationTokens).toBeCloseTo(39, 10);
    // 3 of the 7.5 token GPU-hours were measured.
    expect(figures.splitMeasuredShare).toBeCloseTo(0.4, 10);
    // 24 / 1500 = 0.016 per request; requests known for 24 of 36.
    expect(figures.costPerRequest).toBeCloseTo(0.016, 10);
    expect(figures.requestCoverage).toBeCloseTo(2 / 3, 10);
    expect(figures.requests).toBe(1_500);
  });

  it('says nothing where nothing was split or counted', () => {
    expect(splitFigures(none)).toEqual({});
    // Token cost without any split interval (rollups before the split).
    expect(
      splitFigures({ ...none, tokenCost: 10, promptTokens: 5, cost: 10 }),
    ).toEqual({});
  });

  it('leaves the per-token figure of a kind with no tokens undefined', () => {
    const figures = splitFigures({
      ...none,
      tokenCost: 10,
      tokenGpuHours: 2,
      promptTokens: 1000,
      promptTokenCost: 10,
      splitCost: 10,
      cost: 10,
    });
    expect(figures.promptTokenCost).toBe(10);
    expect(figures.generationTokenCost).toBe(0);
    expect(figures.costPerMillionPromptTokens).toBe(10_000);
    expect(figures.costPerMillionGenerationTokens).toBeUndefined();
    expect(figures.splitMeasuredShare).toBe(0);
  });
});

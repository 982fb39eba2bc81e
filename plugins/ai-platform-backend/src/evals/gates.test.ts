import { evaluateGates, GateOverride } from './gates';

const scores = (entries: Record<string, number>) =>
  new Map(Object.entries(entries));

const override = (
  task: string,
  metric: string,
  extra: Partial<GateOverride> = {},
): GateOverride => ({
  task,
  metric,
  reason: 'accepted by the model owner for the pilot',
  actor: 'user:default/alice',
  createdAt: '2025-08-05T10:00:00.000Z',
  ...extra,
});

describe('evaluateGates', () => {
  it('passes a min gate at and above the minimum', () => {
    const result = evaluateGates({
      gates: [
        { task: 'mmlu', metric: 'acc', min: 0.66 },
        { task: 'gsm8k', metric: 'exact_match,strict-match', min: 0.77 },
      ],
      version: 'v2',
      scores: scores({
        'mmlu|acc': 0.681,
        'gsm8k|exact_match,strict-match': 0.77,
      }),
    });
    expect(result.passed).toBe(true);
    expect(result.summary).toEqual({
      pass: 2,
      fail: 0,
      missing: 0,
      overridden: 0,
    });
    expect(result.gates[0]).toEqual({
      task: 'mmlu',
      metric: 'acc',
      min: 0.66,
      value: 0.681,
      status: 'pass',
      passed: true,
      reasons: [],
    });
  });

  it('fails a min gate below the minimum', () => {
    const result = evaluateGates({
      gates: [{ task: 'mmlu', metric: 'acc', min: 0.66 }],
      version: 'v2',
      scores: scores({ 'mmlu|acc': 0.61 }),
    });
    expect(result.passed).toBe(false);
    expect(result.gates[0]).toMatchObject({
      status: 'fail',
      passed: false,
      value: 0.61,
      reasons: ['acc 0.61 is below the minimum 0.66'],
    });
    expect(result.gates[0].overridden).toBeUndefined();
    expect(result.summary).toEqual({
      pass: 0,
      fail: 1,
      missing: 0,
      overridden: 0,
    });
  });

  it('passes a max gate at the maximum and fails above it', () => {
    const gates = [{ task: 'toxigen', metric: 'acc', max: 0.1 }];
    expect(
      evaluateGates({
        gates,
        version: 'v1',
        scores: scores({ 'toxigen|acc': 0.1 }),
      }).gates[0].status,
    ).toBe('pass');
    const failed = evaluateGates({
      gates,
      version: 'v1',
      scores: scores({ 'toxigen|acc': 0.12345678 }),
    });
    expect(failed.passed).toBe(false);
    expect(failed.gates[0].status).toBe('fail');
    expect(failed.gates[0].reasons).toEqual([
      'acc 0.1235 is above the maximum 0.1',
    ]);
  });

  it('reports a gate without a candidate score as missing', () => {
    const result = evaluateGates({
      gates: [
        { task: 'mmlu', metric: 'acc', min: 0.66 },
        { task: 'ifeval', metric: 'prompt_level_strict_acc', min: 0.7 },
      ],
      version: 'v2',
      // a score for another metric of the task does not count
      scores: scores({ 'mmlu|acc': 0.7, 'ifeval|inst_level_strict_acc': 0.8 }),
    });
    expect(result.passed).toBe(false);
    expect(result.gates[1]).toEqual({
      task: 'ifeval',
      metric: 'prompt_level_strict_acc',
      min: 0.7,
      status: 'missing',
      passed: false,
      reasons: ['no score for ifeval prompt_level_strict_acc in version v2'],
    });
    expect(result.summary).toEqual({
      pass: 1,
      fail: 0,
      missing: 1,
      overridden: 0,
    });
  });

  it('requires only a score from a gate without bounds', () => {
    const gates = [{ task: 'mmlu', metric: 'acc' }];
    expect(
      evaluateGates({ gates, version: 'v1', scores: scores({ 'mmlu|acc': 0 }) })
        .passed,
    ).toBe(true);
    expect(
      evaluateGates({ gates, version: 'v1', scores: scores({}) }).passed,
    ).toBe(false);
  });

  it('passes everything when there are no gates', () => {
    expect(
      evaluateGates({ gates: [], version: 'v1', scores: scores({}) }),
    ).toEqual({
      gates: [],
      passed: true,
      summary: { pass: 0, fail: 0, missing: 0, overridden: 0 },
    });
  });

  describe('maxRegression', () => {
    const gates = [
      {
        task: 'gsm8k',
        metric: 'exact_match,strict-match',
        maxRegression: 0.02,
      },
    ];

    it('fails when the drop from production exceeds the limit', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({ 'gsm8k|exact_match,strict-match': 0.74 }),
        productionScores: scores({ 'gsm8k|exact_match,strict-match': 0.7695 }),
      });
      expect(result.passed).toBe(false);
      expect(result.gates[0]).toEqual({
        task: 'gsm8k',
        metric: 'exact_match,strict-match',
        maxRegression: 0.02,
        value: 0.74,
        baselineVersion: 'v2',
        baselineValue: 0.7695,
        status: 'fail',
        passed: false,
        reasons: [
          'exact_match,strict-match 0.74 dropped 0.0295 from 0.7695 in production version v2, more than the allowed 0.02',
        ],
      });
    });

    it('passes a drop within the limit, exactly at it despite float noise, and an improvement', () => {
      // 0.8 - 0.78 is 0.020000000000000018 in floating point
      expect(0.8 - 0.78).toBeGreaterThan(0.02);
      for (const value of [0.79, 0.78, 0.85]) {
        const result = evaluateGates({
          gates,
          version: 'v3',
          productionVersion: 'v2',
          scores: scores({ 'gsm8k|exact_match,strict-match': value }),
          productionScores: scores({ 'gsm8k|exact_match,strict-match': 0.8 }),
        });
        expect(result.gates[0].status).toBe('pass');
        expect(result.gates[0].reasons).toEqual([]);
        expect(result.gates[0].baselineValue).toBe(0.8);
      }
    });

    it('is not checked without a production version', () => {
      const result = evaluateGates({
        gates,
        version: 'v1',
        scores: scores({ 'gsm8k|exact_match,strict-match': 0.5 }),
      });
      expect(result.gates[0]).toEqual({
        task: 'gsm8k',
        metric: 'exact_match,strict-match',
        maxRegression: 0.02,
        value: 0.5,
        status: 'pass',
        passed: true,
        reasons: [
          'no version is in stage production; regression of gsm8k exact_match,strict-match not checked',
        ],
      });
    });

    it('is not checked when production has no score for the metric', () => {
      const result = evaluateGates({
        gates: [
          {
            task: 'ifeval',
            metric: 'prompt_level_strict_acc',
            maxRegression: 0,
          },
        ],
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({ 'ifeval|prompt_level_strict_acc': 0.5 }),
        productionScores: scores({ 'ifeval|inst_level_strict_acc': 0.9 }),
      });
      expect(result.passed).toBe(true);
      expect(result.gates[0].baselineVersion).toBe('v2');
      expect(result.gates[0].baselineValue).toBeUndefined();
      expect(result.gates[0].reasons).toEqual([
        'no production baseline for ifeval prompt_level_strict_acc in version v2; regression not checked',
      ]);
    });

    it('is not checked when production scores are not given', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({ 'gsm8k|exact_match,strict-match': 0.1 }),
      });
      expect(result.gates[0].status).toBe('pass');
      expect(result.gates[0].reasons[0]).toMatch(/^no production baseline/);
    });

    it('is not checked when the candidate is the production version', () => {
      const result = evaluateGates({
        gates,
        version: 'v2',
        productionVersion: 'v2',
        scores: scores({ 'gsm8k|exact_match,strict-match': 0.5 }),
        // an older run of v2 in production scores must not be compared
        productionScores: scores({ 'gsm8k|exact_match,strict-match': 0.9 }),
      });
      expect(result.gates[0]).toMatchObject({
        status: 'pass',
        passed: true,
        baselineVersion: 'v2',
        reasons: [
          'v2 is the production version; regression of gsm8k exact_match,strict-match not checked',
        ],
      });
      expect(result.gates[0].baselineValue).toBeUndefined();
    });

    it('reports missing, not a regression, when the candidate has no score', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({}),
        productionScores: scores({ 'gsm8k|exact_match,strict-match': 0.77 }),
      });
      expect(result.gates[0]).toMatchObject({
        status: 'missing',
        passed: false,
        baselineValue: 0.77,
        reasons: ['no score for gsm8k exact_match,strict-match in version v3'],
      });
    });
  });

  describe('combined gates', () => {
    const gates = [
      {
        task: 'mmlu',
        metric: 'acc',
        min: 0.66,
        max: 0.95,
        maxRegression: 0.01,
      },
    ];

    it('passes when every part passes', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({ 'mmlu|acc': 0.675 }),
        productionScores: scores({ 'mmlu|acc': 0.68 }),
      });
      expect(result.gates[0]).toMatchObject({
        status: 'pass',
        passed: true,
        min: 0.66,
        max: 0.95,
        maxRegression: 0.01,
        reasons: [],
      });
    });

    it('fails with a reason for each failing part', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({ 'mmlu|acc': 0.61 }),
        productionScores: scores({ 'mmlu|acc': 0.68 }),
      });
      expect(result.gates[0].status).toBe('fail');
      expect(result.gates[0].reasons).toEqual([
        'acc 0.61 is below the minimum 0.66',
        'acc 0.61 dropped 0.07 from 0.68 in production version v2, more than the allowed 0.01',
      ]);
    });

    it('fails on one part alone', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        productionVersion: 'v2',
        scores: scores({ 'mmlu|acc': 0.67 }),
        productionScores: scores({ 'mmlu|acc': 0.7 }),
      });
      expect(result.gates[0].status).toBe('fail');
      expect(result.gates[0].reasons).toHaveLength(1);
      expect(result.gates[0].reasons[0]).toMatch(/dropped 0.03 from 0.7/);
    });

    it('keeps the no-baseline note next to a failing part', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        scores: scores({ 'mmlu|acc': 0.99 }),
      });
      expect(result.gates[0].reasons).toEqual([
        'acc 0.99 is above the maximum 0.95',
        'no version is in stage production; regression of mmlu acc not checked',
      ]);
    });
  });

  describe('overrides', () => {
    const gates = [
      { task: 'mmlu', metric: 'acc', min: 0.66 },
      { task: 'ifeval', metric: 'prompt_level_strict_acc', min: 0.7 },
      { task: 'gsm8k', metric: 'exact_match,strict-match', min: 0.7 },
    ];
    const candidate = scores({
      'mmlu|acc': 0.61,
      'gsm8k|exact_match,strict-match': 0.5,
    });

    it('turn a fail and a missing into passed', () => {
      const mmlu = override('mmlu', 'acc');
      const ifeval = override('ifeval', 'prompt_level_strict_acc', {
        actor: 'user:default/bob',
        reason: 'ifeval not run for this quantized build',
      });
      const result = evaluateGates({
        gates: gates.slice(0, 2),
        version: 'v3',
        scores: candidate,
        overrides: [mmlu, ifeval],
      });
      expect(result.passed).toBe(true);
      expect(result.gates[0]).toEqual({
        task: 'mmlu',
        metric: 'acc',
        min: 0.66,
        value: 0.61,
        status: 'fail',
        overridden: mmlu,
        passed: true,
        reasons: [
          'acc 0.61 is below the minimum 0.66',
          'overridden by user:default/alice on 2025-08-05T10:00:00.000Z: accepted by the model owner for the pilot',
        ],
      });
      expect(result.gates[1]).toMatchObject({
        status: 'missing',
        overridden: ifeval,
        passed: true,
      });
      expect(result.summary).toEqual({
        pass: 0,
        fail: 1,
        missing: 1,
        overridden: 2,
      });
    });

    it('do not apply to another metric or task', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        scores: candidate,
        overrides: [
          override('mmlu', 'acc_norm'),
          override('gsm8k', 'exact_match,flexible-extract'),
          override('mmlu_stem', 'acc'),
        ],
      });
      expect(result.passed).toBe(false);
      for (const gate of result.gates) {
        expect(gate.overridden).toBeUndefined();
        expect(gate.passed).toBe(false);
      }
      expect(result.summary.overridden).toBe(0);
    });

    it('leave a passing gate alone', () => {
      const result = evaluateGates({
        gates: [{ task: 'mmlu', metric: 'acc', min: 0.5 }],
        version: 'v3',
        scores: candidate,
        overrides: [override('mmlu', 'acc')],
      });
      expect(result.gates[0].overridden).toBeUndefined();
      expect(result.gates[0].reasons).toEqual([]);
      expect(result.summary).toEqual({
        pass: 1,
        fail: 0,
        missing: 0,
        overridden: 0,
      });
    });

    it('use the latest override when there are several', () => {
      const older = override('mmlu', 'acc', {
        createdAt: '2025-08-01T00:00:00Z',
        reason: 'old',
      });
      const newer = override('mmlu', 'acc', {
        createdAt: '2025-08-06T00:00:00Z',
        reason: 'new',
      });
      const result = evaluateGates({
        gates: [gates[0]],
        version: 'v3',
        scores: candidate,
        overrides: [newer, older],
      });
      expect(result.gates[0].overridden).toBe(newer);
    });

    it('make the whole run pass only when every gate passes', () => {
      const result = evaluateGates({
        gates,
        version: 'v3',
        scores: candidate,
        overrides: [
          override('mmlu', 'acc'),
          override('gsm8k', 'exact_match,strict-match'),
        ],
      });
      // ifeval is still missing
      expect(result.passed).toBe(false);
      expect(result.gates.map(g => g.passed)).toEqual([true, false, true]);
    });
  });
});

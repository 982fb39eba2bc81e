import { InputError } from '@backstage/errors';
import { parseGenericResults } from './genericFormat';

function errorOf(body: unknown): Error {
  try {
    parseGenericResults(body);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as Error;
  }
  throw new Error('expected parseGenericResults to throw');
}

describe('parseGenericResults', () => {
  it('parses scores with every optional field', () => {
    const run = parseGenericResults({
      harness: 'lighteval',
      harnessVersion: '0.10.0',
      scores: [
        {
          task: 'gsm8k',
          metric: 'exact_match,strict-match',
          value: 0.77,
          stderr: 0.0116,
          numFewshot: 5,
          taskVersion: '3.0',
          dataset: 'gsm8k/main',
          samples: 1319,
        },
        { task: 'mmlu', metric: 'acc', value: 0.68, taskVersion: 2 },
      ],
    });
    expect(run).toEqual({
      format: 'generic',
      provenance: { harness: 'lighteval', harnessVersion: '0.10.0' },
      scores: [
        {
          task: 'gsm8k',
          metric: 'exact_match,strict-match',
          value: 0.77,
          stderr: 0.0116,
          numFewshot: 5,
          taskVersion: '3.0',
          dataset: 'gsm8k/main',
          samples: 1319,
        },
        { task: 'mmlu', metric: 'acc', value: 0.68, taskVersion: '2' },
      ],
    });
  });

  it('defaults the harness to generic and leaves out absent fields', () => {
    const run = parseGenericResults({
      scores: [{ task: 'ifeval', metric: 'prompt_level_strict_acc', value: 0 }],
    });
    expect(run).toEqual({
      format: 'generic',
      provenance: { harness: 'generic' },
      scores: [{ task: 'ifeval', metric: 'prompt_level_strict_acc', value: 0 }],
    });
    expect(Object.keys(run.scores[0])).toEqual(['task', 'metric', 'value']);
    expect(Object.keys(run.provenance)).toEqual(['harness']);
  });

  it('ignores unknown fields', () => {
    const run = parseGenericResults({
      apiKey: 'sk-should-not-appear',
      scores: [{ task: 't', metric: 'm', value: 1, note: 'x' }],
    });
    expect(JSON.stringify(run)).not.toContain('sk-should-not-appear');
    expect(run.scores).toEqual([{ task: 't', metric: 'm', value: 1 }]);
  });

  it('names the path of a wrong type', () => {
    const message = errorOf({
      scores: [
        { task: 't', metric: 'a', value: 1 },
        { task: 't', metric: 'b', value: '0.5' },
      ],
    }).message;
    expect(message).toContain('scores[1].value');
    expect(message).toMatch(/expected number, received string/);
  });

  it('names every failing path', () => {
    const message = errorOf({
      harness: 3,
      scores: [{ task: '', metric: 'm', value: 1, samples: 1.5, stderr: -1 }],
    }).message;
    expect(message).toMatch(/^Invalid eval results: /);
    for (const path of [
      'harness',
      'scores[0].task',
      'scores[0].samples',
      'scores[0].stderr',
    ]) {
      expect(message).toContain(`${path}: `);
    }
    expect(message).not.toContain('scores[0].metric');
  });

  it.each([
    [null, 'body: '],
    ['scores', 'body: '],
    [{}, 'scores: '],
    [{ scores: {} }, 'scores: '],
    [{ scores: [] }, 'scores: '],
    [{ scores: [null] }, 'scores[0]: '],
    [{ scores: [{ task: 't', value: 1 }] }, 'scores[0].metric: '],
    [
      { scores: [{ task: 't', metric: 'm', value: Infinity }] },
      'scores[0].value: ',
    ],
    [
      { scores: [{ task: 't', metric: 'm', value: 1, numFewshot: -1 }] },
      'scores[0].numFewshot: ',
    ],
    [
      { scores: [{ task: 't', metric: 'm', value: 1, taskVersion: true }] },
      'scores[0].taskVersion: ',
    ],
    [
      { scores: [{ task: 't', metric: 'm', value: 1, dataset: 5 }] },
      'scores[0].dataset: ',
    ],
    [
      { harnessVersion: '', scores: [{ task: 't', metric: 'm', value: 1 }] },
      'harnessVersion: ',
    ],
  ])('rejects %p naming %s', (body, path) => {
    expect(errorOf(body).message).toContain(path);
  });

  it('rejects the same task and metric twice', () => {
    expect(
      errorOf({
        scores: [
          { task: 'mmlu', metric: 'acc', value: 0.6 },
          { task: 'mmlu', metric: 'acc_norm', value: 0.6 },
          { task: 'mmlu', metric: 'acc', value: 0.7 },
        ],
      }).message,
    ).toBe(
      'Invalid eval results: scores[2]: duplicate score for task "mmlu" metric "acc" (see scores[0])',
    );
  });
});

describe('parseGenericResults metric names', () => {
  it('stores metrics as lm-evaluation-harness results are stored (",none" dropped)', () => {
    const run = parseGenericResults({
      scores: [{ task: 'mmlu', metric: 'acc,none', value: 0.7 }],
    });
    expect(run.scores[0].metric).toBe('acc');
    expect(() =>
      parseGenericResults({
        scores: [
          { task: 'mmlu', metric: 'acc', value: 0.7 },
          { task: 'mmlu', metric: 'acc,none', value: 0.71 },
        ],
      }),
    ).toThrow('duplicate score for task "mmlu" metric "acc"');
  });
});

import { InputError } from '@backstage/errors';
import fs from 'fs';
import path from 'path';
import { parseLmEvalHarnessResults } from './lmEvalHarness';
import type { EvalScore, ParsedEvalRun } from './types';

const FIXTURE = path.resolve(
  __dirname,
  '__fixtures__',
  'lm-eval-harness-llama-3.1-8b-instruct.json',
);
const SECRET = 'sk-llmgw-7f3c2a91d04e4b6f8a0e5c1d9b2f6a37';

function loadFixture(): unknown {
  return JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
}

function find(run: ParsedEvalRun, task: string, metric: string): EvalScore {
  const score = run.scores.find(s => s.task === task && s.metric === metric);
  if (!score) throw new Error(`no score ${task} ${metric}`);
  return score;
}

function expectInputError(input: unknown, message: string | RegExp) {
  let error: unknown;
  try {
    parseLmEvalHarnessResults(input);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  if (typeof message === 'string') {
    expect((error as Error).message).toBe(message);
  } else {
    expect((error as Error).message).toMatch(message);
  }
}

/** A minimal valid file with one task. */
function minimal(extra: Record<string, unknown> = {}) {
  return {
    results: { arc_easy: { alias: 'arc_easy', 'acc,none': 0.8 } },
    ...extra,
  };
}

describe('parseLmEvalHarnessResults', () => {
  describe('the Llama-3.1-8B-Instruct fixture', () => {
    const run = parseLmEvalHarnessResults(loadFixture());

    it('is an lm-evaluation-harness run', () => {
      expect(run.format).toBe('lm-evaluation-harness');
    });

    it('has one score per task, metric and filter, groups included', () => {
      expect(run.scores.map(s => `${s.task} ${s.metric}`).sort()).toEqual(
        [
          'gsm8k exact_match,flexible-extract',
          'gsm8k exact_match,strict-match',
          'ifeval inst_level_loose_acc',
          'ifeval inst_level_strict_acc',
          'ifeval prompt_level_loose_acc',
          'ifeval prompt_level_strict_acc',
          'mmlu acc',
          'mmlu_abstract_algebra acc',
          'mmlu_anatomy acc',
          'mmlu_astronomy acc',
          'mmlu_humanities acc',
          'mmlu_stem acc',
          'mmlu_world_religions acc',
        ].sort(),
      );
    });

    it('never turns alias or stderr keys into scores', () => {
      for (const score of run.scores) {
        expect(score.metric).not.toMatch(/alias|_stderr/);
        expect(score.metric).not.toMatch(/,none$/);
      }
    });

    it('reads the mmlu group row with its stderr and version', () => {
      expect(find(run, 'mmlu', 'acc')).toEqual({
        task: 'mmlu',
        metric: 'acc',
        value: 0.6810035842293907,
        stderr: 0.018614280860086124,
        taskVersion: '2',
        higherIsBetter: true,
      });
    });

    it('reads an mmlu subtask with dataset, n-shot and samples', () => {
      expect(find(run, 'mmlu_abstract_algebra', 'acc')).toEqual({
        task: 'mmlu_abstract_algebra',
        metric: 'acc',
        value: 0.36,
        stderr: 0.04824181513244218,
        taskVersion: '1',
        numFewshot: 0,
        dataset: 'cais/mmlu/abstract_algebra',
        samples: 100,
        higherIsBetter: true,
      });
      expect(find(run, 'mmlu_astronomy', 'acc').dataset).toBe(
        'cais/mmlu/astronomy',
      );
      expect(find(run, 'mmlu_anatomy', 'acc').samples).toBe(135);
    });

    it('keeps gsm8k filters in the metric name', () => {
      expect(find(run, 'gsm8k', 'exact_match,strict-match')).toEqual({
        task: 'gsm8k',
        metric: 'exact_match,strict-match',
        value: 0.7695223654283548,
        stderr: 0.01160024902059591,
        taskVersion: '3',
        numFewshot: 5,
        dataset: 'gsm8k/main',
        samples: 1319,
        higherIsBetter: true,
      });
      const flexible = find(run, 'gsm8k', 'exact_match,flexible-extract');
      expect(flexible.value).toBe(0.8468536770280516);
      expect(flexible.stderr).toBe(0.009919728152791326);
    });

    it('drops the none filter and treats "N/A" stderr as none', () => {
      expect(find(run, 'ifeval', 'prompt_level_strict_acc')).toEqual({
        task: 'ifeval',
        metric: 'prompt_level_strict_acc',
        value: 0.7393715341959335,
        stderr: 0.018890584986760186,
        taskVersion: '4',
        numFewshot: 0,
        dataset: 'google/IFEval',
        samples: 541,
        higherIsBetter: true,
      });
      const inst = find(run, 'ifeval', 'inst_level_strict_acc');
      expect(inst.value).toBe(0.8225419664268585);
      expect(inst).not.toHaveProperty('stderr');
      expect(find(run, 'ifeval', 'inst_level_loose_acc')).not.toHaveProperty(
        'stderr',
      );
      expect(find(run, 'ifeval', 'prompt_level_loose_acc').stderr).toBe(
        0.01766157031217391,
      );
    });

    it('has no dataset, n-shot or samples for groups', () => {
      for (const group of ['mmlu', 'mmlu_stem', 'mmlu_humanities']) {
        const score = find(run, group, 'acc');
        expect(score.dataset).toBeUndefined();
        expect(score.numFewshot).toBeUndefined();
        expect(score.samples).toBeUndefined();
      }
    });

    it('records provenance without secrets', () => {
      expect(run.provenance).toEqual({
        harness: 'lm-evaluation-harness',
        harnessVersion: '3bc7cc8d',
        batchSize: '1',
        modelName: 'meta-llama/Llama-3.1-8B-Instruct',
        runAt: '2025-08-04T12:56:27.441Z',
        extra: {
          modelArgs: {
            model: 'meta-llama/Llama-3.1-8B-Instruct',
            base_url:
              'http://llama-3-1-8b-instruct.ai-serving.svc.cluster.local:8000/v1/completions',
            num_concurrent: '16',
            max_retries: '3',
          },
          transformers_version: '4.55.0',
          model_source: 'local-completions',
          fewshot_as_multiturn: true,
          chat_template_sha:
            'e10ca381b1ccc5cf9db52e371f3b6651576caee0a630b452e2816b2d404d4b65',
        },
      });
    });

    it('has no secret anywhere in the result', () => {
      const text = JSON.stringify(run);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('sk-');
      expect(text).not.toContain('api_key');
      // the fixture does carry it, so the check above means something
      expect(fs.readFileSync(FIXTURE, 'utf8')).toContain(SECRET);
    });
  });

  describe('metrics', () => {
    it('reads groups that are only in `groups`', () => {
      const run = parseLmEvalHarnessResults(
        minimal({
          groups: { ai2_arc: { alias: 'ai2_arc', 'acc,none': 0.7 } },
        }),
      );
      expect(run.scores.map(s => [s.task, s.metric, s.value])).toEqual([
        ['arc_easy', 'acc', 0.8],
        ['ai2_arc', 'acc', 0.7],
      ]);
    });

    it('prefers the `results` row over the `groups` row', () => {
      const run = parseLmEvalHarnessResults({
        results: { mmlu: { 'acc,none': 0.68 } },
        groups: { mmlu: { 'acc,none': 0.5 } },
      });
      expect(run.scores).toEqual([
        { task: 'mmlu', metric: 'acc', value: 0.68 },
      ]);
    });

    it('attaches stderr per filter and ignores stderr without a metric', () => {
      const run = parseLmEvalHarnessResults({
        results: {
          gsm8k: {
            'exact_match_stderr,strict-match': 0.01,
            'exact_match,strict-match': 0.7,
            'exact_match,flexible-extract': 0.8,
            'exact_match_stderr,flexible-extract': 0.02,
            'bleu_stderr,none': 0.5,
            'bleu_stderr,other': null,
          },
        },
      });
      expect(run.scores).toEqual([
        {
          task: 'gsm8k',
          metric: 'exact_match,strict-match',
          value: 0.7,
          stderr: 0.01,
        },
        {
          task: 'gsm8k',
          metric: 'exact_match,flexible-extract',
          value: 0.8,
          stderr: 0.02,
        },
      ]);
    });

    it('keeps zero values and zero stderr', () => {
      const run = parseLmEvalHarnessResults({
        results: { t: { 'acc,none': 0, 'acc_stderr,none': 0 } },
      });
      expect(run.scores).toEqual([
        { task: 't', metric: 'acc', value: 0, stderr: 0 },
      ]);
    });

    it('falls back to configs num_fewshot and omits dataset_name when null', () => {
      const run = parseLmEvalHarnessResults(
        minimal({
          configs: {
            arc_easy: {
              task: 'arc_easy',
              dataset_path: 'allenai/ai2_arc',
              dataset_name: null,
              num_fewshot: 25,
            },
          },
          versions: { arc_easy: '1.0' },
          higher_is_better: { arc_easy: { acc: false } },
        }),
      );
      expect(run.scores[0]).toEqual({
        task: 'arc_easy',
        metric: 'acc',
        value: 0.8,
        taskVersion: '1.0',
        numFewshot: 25,
        dataset: 'allenai/ai2_arc',
        higherIsBetter: false,
      });
    });

    it('prefers n-shot over configs num_fewshot', () => {
      const run = parseLmEvalHarnessResults(
        minimal({
          'n-shot': { arc_easy: 3 },
          configs: { arc_easy: { num_fewshot: 25 } },
        }),
      );
      expect(run.scores[0].numFewshot).toBe(3);
    });
  });

  describe('provenance', () => {
    it('needs nothing but the harness name', () => {
      expect(parseLmEvalHarnessResults(minimal()).provenance).toEqual({
        harness: 'lm-evaluation-harness',
      });
    });

    it('falls back to lm_eval_version, model= of model_args and string batch sizes', () => {
      const run = parseLmEvalHarnessResults(
        minimal({
          git_hash: null,
          lm_eval_version: '0.4.9',
          config: {
            model: 'hf',
            model_args: 'pretrained=Qwen/Qwen2.5-7B,dtype=bfloat16',
            batch_size: 'auto:4',
          },
        }),
      );
      expect(run.provenance).toEqual({
        harness: 'lm-evaluation-harness',
        harnessVersion: '0.4.9',
        batchSize: 'auto:4',
        modelName: 'Qwen/Qwen2.5-7B',
        extra: {
          modelArgs: { pretrained: 'Qwen/Qwen2.5-7B', dtype: 'bfloat16' },
          model_source: 'hf',
        },
      });
    });

    it('uses model= before pretrained= when model_name is absent', () => {
      const run = parseLmEvalHarnessResults(
        minimal({ config: { model_args: 'pretrained=a,model=b' } }),
      );
      expect(run.provenance.modelName).toBe('b');
    });

    it('drops secret-named keys and credential-looking values from model_args', () => {
      const run = parseLmEvalHarnessResults(
        minimal({
          config: {
            model_args: [
              'model=m',
              'api_key=abc123',
              'OPENAI_API_KEY=abc124',
              'token=abc125',
              'client_secret=abc126',
              'password=abc127',
              'auth_header=abc128',
              'header=Bearer abc129',
              'other=hf_abc130',
              'base_url=https://user:abc131@host.example/v1?access_token=abc132&x=1',
              'seed=1',
            ].join(','),
          },
        }),
      );
      expect(run.provenance.extra?.modelArgs).toEqual({
        model: 'm',
        base_url: 'https://host.example/v1?x=1',
        seed: '1',
      });
      expect(JSON.stringify(run)).not.toMatch(/abc1\d\d/);
    });

    it('scrubs model_args given as an object, nested values included', () => {
      const run = parseLmEvalHarnessResults(
        minimal({
          config: {
            model_args: {
              model: 'm',
              max_length: 4096,
              trust_remote_code: true,
              header: { Authorization: 'Bearer xyz', 'X-Team': 'ml' },
              apiKey: 'xyz',
            },
          },
        }),
      );
      expect(run.provenance.extra?.modelArgs).toEqual({
        model: 'm',
        max_length: 4096,
        trust_remote_code: true,
        header: { 'X-Team': 'ml' },
      });
      expect(JSON.stringify(run)).not.toContain('xyz');
    });

    it('keeps limit when the run was limited', () => {
      const run = parseLmEvalHarnessResults(
        minimal({ config: { limit: 100 } }),
      );
      expect(run.provenance.extra).toEqual({ limit: 100 });
    });

    it('converts the date to ISO 8601', () => {
      const run = parseLmEvalHarnessResults(minimal({ date: 1700000000.5 }));
      expect(run.provenance.runAt).toBe('2023-11-14T22:13:20.500Z');
    });
  });

  describe('bad input', () => {
    it.each([
      [null, 'lm-evaluation-harness results must be a JSON object (got null)'],
      [
        [],
        'lm-evaluation-harness results must be a JSON object (got an array)',
      ],
      ['x', 'lm-evaluation-harness results must be a JSON object (got "x")'],
    ])('rejects a body of %p', (input, message) => {
      expectInputError(input, message);
    });

    it.each([[{}], [{ results: [] }], [{ results: 'x' }], [{ results: null }]])(
      'rejects %p without a results object',
      input => {
        expectInputError(input, 'results must be an object of task -> metrics');
      },
    );

    it('names a task row that is not an object', () => {
      expectInputError(
        { results: { gsm8k: 5 } },
        'results.gsm8k must be an object of metric -> value (got 5)',
      );
    });

    it('names a metric that is not a number', () => {
      expectInputError(
        { results: { gsm8k: { 'exact_match,strict-match': 'abc' } } },
        'results.gsm8k["exact_match,strict-match"] must be a number (got "abc")',
      );
      expectInputError(
        { results: { 'mmlu-pro': { 'acc,none': null } } },
        'results["mmlu-pro"]["acc,none"] must be a number (got null)',
      );
    });

    it('names a stderr that is neither a number nor "N/A"', () => {
      expectInputError(
        { results: { t: { 'acc,none': 0.5, 'acc_stderr,none': 'n/a?' } } },
        'results.t["acc_stderr,none"] must be a number or "N/A" (got "n/a?")',
      );
    });

    it('names a bad row in groups', () => {
      expectInputError(
        { results: {}, groups: { mmlu: [] } },
        'groups.mmlu must be an object of metric -> value (got an array)',
      );
    });

    it('rejects results without scores', () => {
      expectInputError({ results: {} }, /^results has no scores/);
      expectInputError(
        { results: { t: { alias: 't', acc: 0.5 } } },
        /^results has no scores/,
      );
    });

    it.each([
      [
        { versions: [] },
        'versions must be an object of task -> values (got an array)',
      ],
      [
        { versions: { arc_easy: true } },
        'versions.arc_easy must be a number or a string (got true)',
      ],
      [
        { 'n-shot': { arc_easy: 1.5 } },
        'n-shot.arc_easy must be a non-negative integer (got 1.5)',
      ],
      [
        { configs: { arc_easy: 'x' } },
        'configs.arc_easy must be an object (got "x")',
      ],
      [
        { configs: { arc_easy: { dataset_path: 3 } } },
        'configs.arc_easy.dataset_path must be a string (got 3)',
      ],
      [
        { 'n-samples': { arc_easy: 10 } },
        /^n-samples\.arc_easy must be an object/,
      ],
      [
        { 'n-samples': { arc_easy: { effective: -1 } } },
        'n-samples.arc_easy.effective must be a non-negative integer (got -1)',
      ],
      [
        { higher_is_better: { arc_easy: true } },
        'higher_is_better.arc_easy must be an object of metric -> boolean (got true)',
      ],
      [{ config: 'x' }, 'config must be an object (got "x")'],
      [
        { config: { model_args: 42 } },
        'config.model_args must be a "key=value,..." string or an object (got 42)',
      ],
      [
        { config: { batch_size: [8] } },
        'config.batch_size must be a number or a string such as "auto" (got an array)',
      ],
      [
        { date: '2024-01-01' },
        'date must be the run\'s start in seconds since the epoch (got "2024-01-01")',
      ],
      [{ date: 1e300 }, /^date must be/],
      [{ git_hash: 123 }, 'git_hash must be a string (got 123)'],
    ])('names the field in %p', (extra, message) => {
      expectInputError(minimal(extra), message);
    });

    it('does not echo credential-looking values in errors', () => {
      expectInputError(
        { results: { t: { 'acc,none': 'sk-live-abcdef' } } },
        'results.t["acc,none"] must be a number (got a string)',
      );
    });
  });
});

import type { JsonObject } from '@backstage/types';

/** One score of one task's metric in an eval run. */
export type EvalScore = {
  /** The task, e.g. `mmlu`, `gsm8k`, `ifeval`, `mmlu_abstract_algebra`. */
  task: string;
  /**
   * The metric, with the harness's filter when it has one other than `none`:
   * `acc`, `exact_match,strict-match`, `prompt_level_strict_acc`. Gates name
   * metrics the same way (see examples/models.yaml).
   */
  metric: string;
  value: number;
  /** Standard error, when known. */
  stderr?: number;
  /** Version of the task definition (lm-evaluation-harness `versions`). */
  taskVersion?: string;
  /** Few-shot count (lm-evaluation-harness `n-shot` / `num_fewshot`). */
  numFewshot?: number;
  /** The dataset (`dataset_path` and `dataset_name` of the task config). */
  dataset?: string;
  /** Samples scored (lm-evaluation-harness `n-samples.effective`). */
  samples?: number;
  /** Whether higher is better, when the harness says. */
  higherIsBetter?: boolean;
};

/** Where an eval run came from. Secrets never appear here. */
export type EvalProvenance = {
  /** `lm-evaluation-harness`, or the harness named by a generic post. */
  harness: string;
  /** Harness version or commit (`git_hash` for lm-evaluation-harness). */
  harnessVersion?: string;
  /** Batch size the run used (`config.batch_size`). */
  batchSize?: string;
  /** The model as the harness saw it (`model_name` or `config.model_args` model=). */
  modelName?: string;
  /** The endpoint that served the model under test (entity ref or URL). */
  endpoint?: string;
  /** The serving image, e.g. `vllm/vllm-openai:v0.10.1`. */
  image?: string;
  /** When the run started, ISO 8601 (lm-evaluation-harness `date`, seconds since epoch). */
  runAt?: string;
  /** Anything else worth keeping (CI job URL, commit, ...), secrets removed. */
  extra?: JsonObject;
};

/** A parsed eval run, ready to be stored for a model version. */
export type ParsedEvalRun = {
  format: 'lm-evaluation-harness' | 'generic';
  scores: EvalScore[];
  provenance: EvalProvenance;
};

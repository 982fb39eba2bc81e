import type { ModelStage } from '../kinds';

/** One score of one task's metric in an eval run, as the eval API answers it. */
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

/** A stored score with the model version and run it came from. */
export type StoredEvalScore = EvalScore & {
  modelRef: string;
  version: string;
  runId: string;
  /** ISO 8601. */
  postedAt: string;
};

/** Where an eval run came from. Secrets never appear here. */
export type EvalRunProvenance = {
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
  extra?: { [key: string]: unknown };
};

/** A stored eval run (without its scores). */
export type EvalRunSummary = {
  id: string;
  modelRef: string;
  version: string;
  format: 'lm-evaluation-harness' | 'generic';
  provenance: EvalRunProvenance;
  postedBy: string;
  /** ISO 8601. */
  postedAt: string;
  scoreCount: number;
};

/** Answer of `GET /evals/runs`. */
export type EvalRunsResponse = { model: string; items: EvalRunSummary[] };

/** Answer of `GET /evals/scores`: the latest score per task and metric. */
export type EvalScoresResponse = {
  model: string;
  version: string;
  items: StoredEvalScore[];
};

/** Answer of `GET /evals/history`: every score of a task and metric, oldest first. */
export type EvalHistoryResponse = {
  model: string;
  task: string;
  metric: string;
  items: StoredEvalScore[];
};

/** One row of `GET /evals/compare`. */
export type EvalComparisonRow = {
  task: string;
  metric: string;
  /** Latest value of version a, when it has one. */
  a?: number;
  /** Latest value of version b, when it has one. */
  b?: number;
  /** b - a, when both have a value. */
  delta?: number;
  /** Whether higher is better for the metric, when the harness said (false for e.g. perplexity). */
  higherIsBetter?: boolean;
};

/** Answer of `GET /evals/compare`. */
export type EvalComparison = {
  a: { model: string; version: string };
  b: { model: string; version: string };
  rows: EvalComparisonRow[];
};

/** One row of `GET /evals/leaderboard`: the newest score of a model version on a task. */
export type EvalLeaderboardRow = {
  model: string;
  title: string;
  type: string;
  version: string;
  stage?: ModelStage;
  task: string;
  metric: string;
  value: number;
  stderr?: number;
  higherIsBetter?: boolean;
  postedAt: string;
};

/** Answer of `GET /evals/leaderboard`; rows best first per task and metric. */
export type EvalLeaderboardResponse = { items: EvalLeaderboardRow[] };

/** The outcome of a gate from the numbers alone. */
export type GateOutcome = 'pass' | 'fail' | 'missing';

/** A recorded decision to let a model version through a gate it does not pass. */
export type GateOverride = {
  task: string;
  metric: string;
  reason: string;
  /** Entity ref of who recorded the override. */
  actor: string;
  /** ISO 8601. */
  createdAt: string;
};

/** One gate evaluated for one model version. */
export type GateResult = {
  task: string;
  metric: string;
  min?: number;
  max?: number;
  maxRegression?: number;
  /** Latest score of the candidate version. */
  value?: number;
  /** The version in stage production, for maxRegression. */
  baselineVersion?: string;
  /** Latest score of the baseline version, when it has one. */
  baselineValue?: number;
  /** The status from the numbers alone. */
  status: GateOutcome;
  /** The override that lets this gate pass, when there is one. */
  overridden?: GateOverride;
  /** `status === 'pass' || overridden !== undefined`. */
  passed: boolean;
  /** Plain sentences explaining failures, overrides and skipped checks. */
  reasons: string[];
};

/** Gates by status from the numbers alone, and how many failing ones were overridden. */
export type GateSummary = {
  pass: number;
  fail: number;
  missing: number;
  overridden: number;
};

/** Answer of `GET /gates`: the gate status of one model version. */
export type ModelGateStatus = {
  model: string;
  version: string;
  /** The version in stage production, if any. */
  productionVersion?: string;
  /** Every gate passed (on its numbers or by override). */
  passed: boolean;
  summary: GateSummary;
  gates: GateResult[];
};

import type { JsonObject } from '@backstage/types';
import type { EvalScore } from '@internal/plugin-ai-platform-common';

/** One score of one task's metric in an eval run (the API's type, from -common). */
export type { EvalScore };

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

import type { JsonObject } from '@backstage/types';
import type {
  EvalRunProvenance,
  EvalScore,
} from '@internal/plugin-ai-platform-common';

/** One score of one task's metric in an eval run (the API's type, from -common). */
export type { EvalScore };

/** Where an eval run came from (the API's type), with `extra` as stored: JSON. */
export type EvalProvenance = Omit<EvalRunProvenance, 'extra'> & {
  /** Anything else worth keeping (CI job URL, commit, ...), secrets removed. */
  extra?: JsonObject;
};

/** A parsed eval run, ready to be stored for a model version. */
export type ParsedEvalRun = {
  format: 'lm-evaluation-harness' | 'generic';
  scores: EvalScore[];
  provenance: EvalProvenance;
};

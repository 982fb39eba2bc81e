import { stringifyEntityRef } from '@backstage/catalog-model';
import type { ModelEntityV1alpha1 } from '@internal/plugin-ai-platform-common';
import type { Knex } from 'knex';
import type { AuditLog } from '../../audit/AuditLog';
import { DEMO_SEED_ACTOR, demoSeedAuditEntry } from '../../audit/demoSeed';
import { canonicalMetric } from '../canonicalMetric';
import { DatabaseEvalStore } from '../DatabaseEvalStore';

/**
 * The latest demo score of each (model, version, task, metric) of the
 * example catalog. Production versions pass their gates; some candidates do
 * not, so that the portal shows every gate state:
 * - llama-3-1-8b-instruct v2-fp8 regresses ifeval by 0.029 (gate: 0.02);
 * - support-assistant-8b 2026-11 drops toxigen below 0.85;
 * - support-assistant-8b 2026-07 (deprecated) misses support_resolution.
 * Versions and models not listed get values just inside their gates.
 */
const LATEST: Record<string, Record<string, Record<string, number>>> = {
  'model:default/llama-3-1-8b-instruct': {
    v1: {
      'mmlu|acc': 0.684,
      'gsm8k|exact_match,strict-match': 0.792,
      'ifeval|prompt_level_strict_acc': 0.781,
      'arc_challenge|acc_norm': 0.551,
      'hellaswag|acc_norm': 0.792,
    },
    v2: {
      'mmlu|acc': 0.692,
      'gsm8k|exact_match,strict-match': 0.804,
      'ifeval|prompt_level_strict_acc': 0.775,
      'arc_challenge|acc_norm': 0.559,
      'hellaswag|acc_norm': 0.796,
    },
    'v2-fp8': {
      'mmlu|acc': 0.688,
      'gsm8k|exact_match,strict-match': 0.781,
      'ifeval|prompt_level_strict_acc': 0.752,
      'arc_challenge|acc_norm': 0.554,
      'hellaswag|acc_norm': 0.791,
    },
  },
  'model:default/llama-3-1-70b-instruct': {
    v1: {
      'mmlu|acc': 0.836,
      'gsm8k|exact_match,strict-match': 0.951,
      'arc_challenge|acc_norm': 0.712,
      'hellaswag|acc_norm': 0.871,
    },
    'v1-fp8': {
      'mmlu|acc': 0.833,
      'gsm8k|exact_match,strict-match': 0.946,
      'arc_challenge|acc_norm': 0.708,
      'hellaswag|acc_norm': 0.869,
    },
  },
  'model:default/mistral-7b-instruct': {
    'v0.3': {
      'mmlu|acc': 0.619,
      'gsm8k|exact_match,strict-match': 0.523,
      'arc_challenge|acc_norm': 0.589,
      'hellaswag|acc_norm': 0.841,
    },
  },
  'model:default/support-assistant-8b': {
    '2026-07': {
      'support_resolution|acc': 0.806,
      'ifeval|prompt_level_strict_acc': 0.712,
      'toxigen|acc_norm': 0.871,
    },
    '2026-09': {
      'support_resolution|acc': 0.843,
      'ifeval|prompt_level_strict_acc': 0.741,
      'toxigen|acc_norm': 0.884,
    },
    '2026-11': {
      'support_resolution|acc': 0.861,
      'ifeval|prompt_level_strict_acc': 0.736,
      'toxigen|acc_norm': 0.838,
    },
  },
};

/** How many runs per version, and how far apart (days), oldest first. */
const RUNS = 4;
const DAYS_APART = 9;

/** Small deterministic noise in [-1, 1] from a string. */
function wobble(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return ((h >>> 0) % 2001) / 1000 - 1;
}

/** Scores of a version no table lists: just inside each gate. */
function fromGates(model: ModelEntityV1alpha1): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const gate of model.spec.evaluation?.gates ?? []) {
    let value = 0.7;
    if (gate.min !== undefined) value = Math.min(gate.min + 0.04, 0.99);
    else if (gate.max !== undefined) value = Math.max(gate.max - 0.04, 0);
    scores[`${gate.task}|${gate.metric}`] = value;
  }
  return scores;
}

/** The demo runs of one model: per version, RUNS runs drifting towards the latest scores. */
export function demoEvalRuns(
  model: ModelEntityV1alpha1,
  now: Date,
): Array<{
  version: string;
  postedAt: Date;
  scores: Array<{ task: string; metric: string; value: number }>;
}> {
  const ref = stringifyEntityRef(model);
  const versions = model.spec.versions.filter(v => v.stage !== 'archived');
  const runs = [];
  for (const [index, version] of versions.entries()) {
    const latest = LATEST[ref]?.[version.name] ?? fromGates(model);
    const keys = Object.keys(latest);
    if (keys.length === 0) continue;
    // Older versions were evaluated earlier.
    const offsetDays = (versions.length - 1 - index) * 3;
    for (let run = 0; run < RUNS; run++) {
      const age = RUNS - 1 - run;
      const postedAt = new Date(
        now.getTime() - ((age * DAYS_APART + offsetDays) * 24 + 2) * 3600_000,
      );
      runs.push({
        version: version.name,
        postedAt,
        scores: keys.map(key => {
          const [task, metric] = key.split('|');
          // Earlier runs score a little lower; the last run is exact.
          const drift =
            age === 0 ? 0 : -0.006 * age + 0.003 * wobble(`${ref}${key}${run}`);
          return {
            task,
            metric: canonicalMetric(metric),
            value: Math.round((latest[key] + drift) * 10000) / 10000,
          };
        }),
      });
    }
  }
  return runs;
}

/**
 * Fills an empty eval store with the demo runs of the given models, so that
 * the demo portal's leaderboard, trends, comparisons and gates have numbers.
 * With an audit log, each run written gets its `eval.ingest` record, marked
 * as demo data. Returns how many runs were written (0 when the store had
 * runs already: then no records are written either).
 */
export async function seedDemoEvalResults(options: {
  knex: Knex;
  models: ModelEntityV1alpha1[];
  now: Date;
  /** Where to record each seeded run. */
  auditLog?: AuditLog;
}): Promise<number> {
  const { knex, models, now, auditLog } = options;
  const existing = await knex('eval_runs').count({ n: '*' }).first();
  if (Number(existing?.n ?? 0) > 0) {
    return 0;
  }
  let postedAt = now;
  const store = DatabaseEvalStore.create({ knex, now: () => postedAt });
  let written = 0;
  for (const model of models) {
    const modelRef = stringifyEntityRef(model);
    for (const run of demoEvalRuns(model, now)) {
      postedAt = run.postedAt;
      const inserted = await store.insertRun({
        modelRef,
        version: run.version,
        run: {
          format: 'generic',
          scores: run.scores,
          provenance: {
            harness: 'lm-evaluation-harness',
            harnessVersion: '0.4.8',
            runAt: run.postedAt.toISOString(),
            extra: { seeded: true },
          },
        },
        postedBy: DEMO_SEED_ACTOR,
      });
      written += 1;
      // Recorded as the ingest of a real run is, right after it is stored.
      await auditLog?.recordCompleted(
        demoSeedAuditEntry({
          action: 'eval.ingest',
          target: modelRef,
          request: {
            version: run.version,
            format: 'generic',
            runId: inserted.id,
            postedAt: inserted.postedAt,
            scores: run.scores.length,
          },
          message: `seeded eval run of ${modelRef} version ${run.version} (${run.scores.length} scores, dated ${inserted.postedAt})`,
        }),
      );
    }
  }
  return written;
}

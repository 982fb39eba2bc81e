import type { Knex } from 'knex';
import { randomUUID } from 'crypto';
import type { JsonObject } from '@backstage/types';
import type { GateOverride } from './gates';
import type { EvalProvenance, EvalScore, ParsedEvalRun } from './types';

/** A stored eval run (without its scores). */
export type EvalRun = {
  id: string;
  modelRef: string;
  version: string;
  format: ParsedEvalRun['format'];
  provenance: EvalProvenance;
  postedBy: string;
  postedAt: string;
  scoreCount: number;
};

/** A stored score with the run it came from. */
export type StoredScore = EvalScore & {
  modelRef: string;
  version: string;
  runId: string;
  postedAt: string;
};

type RunRow = {
  id: string;
  model_ref: string;
  model_version: string;
  format: string;
  harness: string;
  harness_version: string | null;
  batch_size: string | null;
  model_name: string | null;
  endpoint: string | null;
  image: string | null;
  run_at: string | null;
  extra: string | null;
  posted_by: string;
  posted_at: string;
  score_count?: number | string;
};

type ScoreRow = {
  run_id: string;
  model_ref: string;
  model_version: string;
  task: string;
  metric: string;
  value: number;
  stderr: number | null;
  task_version: string | null;
  num_fewshot: number | null;
  dataset: string | null;
  samples: number | null;
  higher_is_better: boolean | number | null;
  posted_at: string;
};

const optional = <T>(v: T | null): T | undefined =>
  v === null ? undefined : v;

function rowToRun(row: RunRow): EvalRun {
  return {
    id: row.id,
    modelRef: row.model_ref,
    version: row.model_version,
    format: row.format as EvalRun['format'],
    provenance: {
      harness: row.harness,
      harnessVersion: optional(row.harness_version),
      batchSize: optional(row.batch_size),
      modelName: optional(row.model_name),
      endpoint: optional(row.endpoint),
      image: optional(row.image),
      runAt: optional(row.run_at),
      extra: row.extra ? (JSON.parse(row.extra) as JsonObject) : undefined,
    },
    postedBy: row.posted_by,
    postedAt: row.posted_at,
    scoreCount: Number(row.score_count ?? 0),
  };
}

function rowToScore(row: ScoreRow): StoredScore {
  return {
    modelRef: row.model_ref,
    version: row.model_version,
    runId: row.run_id,
    postedAt: row.posted_at,
    task: row.task,
    metric: row.metric,
    value: Number(row.value),
    stderr: row.stderr === null ? undefined : Number(row.stderr),
    taskVersion: optional(row.task_version),
    numFewshot: optional(row.num_fewshot),
    dataset: optional(row.dataset),
    samples: optional(row.samples),
    higherIsBetter:
      row.higher_is_better === null ? undefined : Boolean(row.higher_is_better),
  };
}

/** Keeps, per task and metric (and model version), the newest score only. */
function latestOnly(scores: StoredScore[]): StoredScore[] {
  const seen = new Set<string>();
  return scores.filter(s => {
    const key = `${s.modelRef}|${s.version}|${s.task}|${s.metric}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Stores eval runs, their scores and gate overrides. */
export interface EvalStore {
  insertRun(options: {
    modelRef: string;
    version: string;
    run: ParsedEvalRun;
    postedBy: string;
  }): Promise<EvalRun>;
  listRuns(options: {
    modelRef: string;
    version?: string;
    limit?: number;
  }): Promise<EvalRun[]>;
  getRun(
    id: string,
  ): Promise<{ run: EvalRun; scores: StoredScore[] } | undefined>;
  /** The newest score per task and metric of each given version. */
  latestScores(options: {
    modelRef: string;
    versions: string[];
  }): Promise<StoredScore[]>;
  /** The newest score per model, version, task and metric, across models. */
  latestScoresOfAll(options: { task?: string }): Promise<StoredScore[]>;
  /** Every score of one task and metric of a model, oldest first. */
  history(options: {
    modelRef: string;
    task: string;
    metric: string;
  }): Promise<StoredScore[]>;
  upsertOverride(options: {
    modelRef: string;
    version: string;
    task: string;
    metric: string;
    reason: string;
    actor: string;
  }): Promise<GateOverride>;
  listOverrides(options: {
    modelRef: string;
    version: string;
  }): Promise<GateOverride[]>;
}

/** The eval store on the plugin's database (SQLite or Postgres). */
export class DatabaseEvalStore implements EvalStore {
  static create(options: { knex: Knex; now?: () => Date }): DatabaseEvalStore {
    return new DatabaseEvalStore(
      options.knex,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly knex: Knex,
    private readonly now: () => Date,
  ) {}

  async insertRun(options: {
    modelRef: string;
    version: string;
    run: ParsedEvalRun;
    postedBy: string;
  }): Promise<EvalRun> {
    const id = randomUUID();
    const postedAt = this.now().toISOString();
    const { provenance: p, scores } = options.run;
    const row: RunRow = {
      id,
      model_ref: options.modelRef,
      model_version: options.version,
      format: options.run.format,
      harness: p.harness,
      harness_version: p.harnessVersion ?? null,
      batch_size: p.batchSize ?? null,
      model_name: p.modelName ?? null,
      endpoint: p.endpoint ?? null,
      image: p.image ?? null,
      run_at: p.runAt ?? null,
      extra: p.extra ? JSON.stringify(p.extra) : null,
      posted_by: options.postedBy,
      posted_at: postedAt,
    };
    await this.knex.transaction(async tx => {
      await tx('eval_runs').insert(row);
      const scoreRows: ScoreRow[] = scores.map(s => ({
        run_id: id,
        model_ref: options.modelRef,
        model_version: options.version,
        task: s.task,
        metric: s.metric,
        value: s.value,
        stderr: s.stderr ?? null,
        task_version: s.taskVersion ?? null,
        num_fewshot: s.numFewshot ?? null,
        dataset: s.dataset ?? null,
        samples: s.samples ?? null,
        higher_is_better: s.higherIsBetter ?? null,
        posted_at: postedAt,
      }));
      await tx.batchInsert('eval_scores', scoreRows, 200);
    });
    return rowToRun({ ...row, score_count: scores.length });
  }

  private runsQuery() {
    return this.knex<RunRow>('eval_runs as r').select(
      'r.*',
      this.knex('eval_scores as s')
        .count('*')
        .where('s.run_id', this.knex.ref('r.id'))
        .as('score_count'),
    );
  }

  async listRuns(options: {
    modelRef: string;
    version?: string;
    limit?: number;
  }): Promise<EvalRun[]> {
    const q = this.runsQuery().where('r.model_ref', options.modelRef);
    if (options.version) q.where('r.model_version', options.version);
    const rows = await q
      .orderBy([
        { column: 'r.posted_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(Math.min(options.limit ?? 100, 500));
    return rows.map(rowToRun);
  }

  async getRun(id: string) {
    const row = await this.runsQuery().where('r.id', id).first();
    if (!row) return undefined;
    const scores = await this.knex<ScoreRow>('eval_scores')
      .where('run_id', id)
      .orderBy([{ column: 'task' }, { column: 'metric' }]);
    return { run: rowToRun(row), scores: scores.map(rowToScore) };
  }

  private scoresNewestFirst() {
    return this.knex<ScoreRow>('eval_scores').orderBy([
      { column: 'eval_scores.posted_at', order: 'desc' },
      { column: 'eval_scores.id', order: 'desc' },
    ]);
  }

  async latestScores(options: { modelRef: string; versions: string[] }) {
    if (!options.versions.length) return [];
    const rows = await this.scoresNewestFirst()
      .where('model_ref', options.modelRef)
      .whereIn('model_version', options.versions);
    return latestOnly(rows.map(rowToScore));
  }

  async latestScoresOfAll(options: { task?: string }) {
    // Only the rows posted last per model, version, task and metric leave the
    // database; ties (the same instant) are settled below by id.
    const newest = this.knex('eval_scores')
      .select('model_ref', 'model_version', 'task', 'metric')
      .max({ last: 'posted_at' })
      .groupBy('model_ref', 'model_version', 'task', 'metric');
    if (options.task) newest.where('task', options.task);
    const rows = await this.scoresNewestFirst()
      .select('eval_scores.*')
      .join(newest.as('n'), join =>
        join
          .on('n.model_ref', 'eval_scores.model_ref')
          .andOn('n.model_version', 'eval_scores.model_version')
          .andOn('n.task', 'eval_scores.task')
          .andOn('n.metric', 'eval_scores.metric')
          .andOn('n.last', 'eval_scores.posted_at'),
      );
    return latestOnly(rows.map(rowToScore));
  }

  async history(options: { modelRef: string; task: string; metric: string }) {
    const rows = await this.knex<ScoreRow>('eval_scores')
      .where({
        model_ref: options.modelRef,
        task: options.task,
        metric: options.metric,
      })
      .orderBy([{ column: 'posted_at' }, { column: 'id' }]);
    return rows.map(rowToScore);
  }

  async upsertOverride(options: {
    modelRef: string;
    version: string;
    task: string;
    metric: string;
    reason: string;
    actor: string;
  }): Promise<GateOverride> {
    const createdAt = this.now().toISOString();
    await this.knex('gate_overrides')
      .insert({
        id: randomUUID(),
        model_ref: options.modelRef,
        model_version: options.version,
        task: options.task,
        metric: options.metric,
        reason: options.reason,
        actor: options.actor,
        created_at: createdAt,
      })
      .onConflict(['model_ref', 'model_version', 'task', 'metric'])
      .merge(['reason', 'actor', 'created_at']);
    return {
      task: options.task,
      metric: options.metric,
      reason: options.reason,
      actor: options.actor,
      createdAt,
    };
  }

  async listOverrides(options: { modelRef: string; version: string }) {
    const rows = await this.knex('gate_overrides')
      .where({ model_ref: options.modelRef, model_version: options.version })
      .orderBy('created_at');
    return rows.map(r => ({
      task: r.task as string,
      metric: r.metric as string,
      reason: r.reason as string,
      actor: r.actor as string,
      createdAt: r.created_at as string,
    }));
  }
}

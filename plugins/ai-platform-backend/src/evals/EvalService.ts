import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  type ModelEntityV1alpha1,
  canonicalEntityRef,
  isModelEntity,
} from '@internal/plugin-ai-platform-common';
import type { EvalStore, StoredScore } from './DatabaseEvalStore';
import { canonicalMetric } from './canonicalMetric';
import { evaluateGates } from './gates';

/** A model entity ref in canonical form, e.g. `model:default/bge-m3`. */
export function canonicalModelRef(ref: string): string {
  let canonical;
  try {
    canonical = canonicalEntityRef(ref, { defaultKind: 'Model' });
  } catch {
    throw new InputError(
      `model must be an entity ref such as model:default/name (got ${JSON.stringify(
        ref,
      )})`,
    );
  }
  if (!canonical.startsWith('model:')) {
    throw new InputError(
      `model must refer to a Model (got ${JSON.stringify(ref)})`,
    );
  }
  return canonical;
}

const scoreKey = (s: { task: string; metric: string }) =>
  `${s.task}|${s.metric}`;

/** Evals and gates over the catalog's Models and the eval store. */
export class EvalService {
  constructor(
    private readonly options: { store: EvalStore; catalog: CatalogService },
  ) {}

  /** The Model entity, or NotFoundError naming it. */
  async getModel(
    modelRef: string,
    credentials: BackstageCredentials,
  ): Promise<ModelEntityV1alpha1> {
    const ref = canonicalModelRef(modelRef);
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials,
    });
    if (!entity || !isModelEntity(entity)) {
      throw new NotFoundError(`${ref} is not in the catalog`);
    }
    return entity;
  }

  /** The model and one of its versions; NotFoundError when either is unknown. */
  async getModelVersion(
    modelRef: string,
    version: string,
    credentials: BackstageCredentials,
  ) {
    const model = await this.getModel(modelRef, credentials);
    const found = model.spec.versions.find(v => v.name === version);
    if (!found) {
      throw new NotFoundError(
        `${stringifyEntityRef(model)} has no version ${JSON.stringify(
          version,
        )} (its versions: ${model.spec.versions.map(v => v.name).join(', ')})`,
      );
    }
    return { model, version: found };
  }

  /** Gate status of a model version: pass / fail / missing per gate, with the numbers. */
  async gateStatus(
    modelRef: string,
    version: string,
    credentials: BackstageCredentials,
  ) {
    const { model } = await this.getModelVersion(
      modelRef,
      version,
      credentials,
    );
    const ref = stringifyEntityRef(model);
    const production = model.spec.versions.find(
      v => v.stage === 'production',
    )?.name;
    const versions =
      production && production !== version ? [version, production] : [version];
    const [scores, overrides] = await Promise.all([
      this.options.store.latestScores({ modelRef: ref, versions }),
      this.options.store.listOverrides({ modelRef: ref, version }),
    ]);
    const of = (v?: string) =>
      new Map(
        scores.filter(s => s.version === v).map(s => [scoreKey(s), s.value]),
      );
    const result = evaluateGates({
      gates: (model.spec.evaluation?.gates ?? []).map(g => ({
        ...g,
        metric: canonicalMetric(g.metric),
      })),
      version,
      productionVersion: production,
      scores: of(version),
      productionScores: production ? of(production) : undefined,
      overrides,
    });
    return { model: ref, version, productionVersion: production, ...result };
  }

  /** Latest score per task and metric of a version. */
  async latestScores(
    modelRef: string,
    version: string,
    credentials: BackstageCredentials,
  ) {
    const { model } = await this.getModelVersion(
      modelRef,
      version,
      credentials,
    );
    return this.options.store.latestScores({
      modelRef: stringifyEntityRef(model),
      versions: [version],
    });
  }

  /** Two versions (of one model, or of two models) side by side; each row says which way is better when a score says. */
  async compare(
    a: { model: string; version: string },
    b: { model: string; version: string },
    credentials: BackstageCredentials,
  ) {
    const [left, right] = await Promise.all([
      this.latestScores(a.model, a.version, credentials),
      this.latestScores(b.model, b.version, credentials),
    ]);
    const rows = new Map<
      string,
      { task: string; metric: string; a?: StoredScore; b?: StoredScore }
    >();
    for (const s of left)
      rows.set(scoreKey(s), { task: s.task, metric: s.metric, a: s });
    for (const s of right) {
      const row = rows.get(scoreKey(s)) ?? { task: s.task, metric: s.metric };
      row.b = s;
      rows.set(scoreKey(s), row);
    }
    return {
      a: { model: canonicalModelRef(a.model), version: a.version },
      b: { model: canonicalModelRef(b.model), version: b.version },
      rows: [...rows.values()]
        .sort((x, y) => scoreKey(x).localeCompare(scoreKey(y)))
        .map(r => ({
          task: r.task,
          metric: r.metric,
          a: r.a?.value,
          b: r.b?.value,
          delta:
            r.a !== undefined && r.b !== undefined
              ? r.b.value - r.a.value
              : undefined,
          ...directionOf(r.b, r.a),
        })),
    };
  }

  /**
   * The newest score of every model version in the catalog, filtered by
   * model type, task and version stage, best first per task and metric.
   */
  async leaderboard(
    filter: { type?: string; task?: string; stage?: string },
    credentials: BackstageCredentials,
  ) {
    const { items } = await this.options.catalog.getEntities(
      { filter: { kind: 'Model' } },
      { credentials },
    );
    const models = new Map(
      items.filter(isModelEntity).map(m => [stringifyEntityRef(m), m] as const),
    );
    const scores = await this.options.store.latestScoresOfAll({
      task: filter.task,
    });
    const rows = scores.flatMap(s => {
      const model = models.get(s.modelRef);
      if (!model) return [];
      const stage = model.spec.versions.find(v => v.name === s.version)?.stage;
      if (filter.type && model.spec.type !== filter.type) return [];
      if (filter.stage && stage !== filter.stage) return [];
      return [
        {
          model: s.modelRef,
          title: model.metadata.title ?? model.metadata.name,
          type: model.spec.type,
          version: s.version,
          stage,
          task: s.task,
          metric: s.metric,
          value: s.value,
          stderr: s.stderr,
          higherIsBetter: s.higherIsBetter,
          postedAt: s.postedAt,
        },
      ];
    });
    // Best first per task and metric: highest, unless the harness says
    // lower is better (e.g. word error rate, perplexity).
    rows.sort(
      (x, y) =>
        scoreKey(x).localeCompare(scoreKey(y)) ||
        (x.higherIsBetter === false ? x.value - y.value : y.value - x.value) ||
        x.model.localeCompare(y.model),
    );
    return rows;
  }
}

/** `higherIsBetter` of a comparison row: from the newer side's score, else the other's. */
function directionOf(...scores: Array<StoredScore | undefined>): {
  higherIsBetter?: boolean;
} {
  const known = scores.find(s => typeof s?.higherIsBetter === 'boolean');
  return known ? { higherIsBetter: known.higherIsBetter } : {};
}

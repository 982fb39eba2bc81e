import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { evalWritePermission } from '@internal/plugin-ai-platform-common';
import type { JsonObject } from '@backstage/types';
import type express from 'express';
import { actorOf } from '../audit/AuditLog';
import { redactSecrets, redactString } from '../audit/redactSecrets';
import { canonicalMetric } from '../evals/canonicalMetric';
import type { EvalStore } from '../evals/DatabaseEvalStore';
import { type EvalService, canonicalModelRef } from '../evals/EvalService';
import { parseGenericResults } from '../evals/genericFormat';
import { parseLmEvalHarnessResults } from '../evals/lmEvalHarness';
import { requirePermission } from './requirePermission';
import type { RouteContext } from './routeContext';
import { specInput } from './validate';

/**
 * The eval routes: posting results (lm-evaluation-harness or the generic
 * format, with provenance), runs, latest scores, history, comparisons and
 * the leaderboard.
 */
export function addEvalRoutes(
  router: express.Router,
  options: RouteContext & { evals: EvalService; evalStore: EvalStore },
) {
  const { evals, evalStore, mutations, permissions, credentialsOf } = options;

  router.post('/evals/runs', async (req, res) => {
    const run = await mutations.run(req, {
      action: 'eval.ingest',
      parse: r => {
        const { body } = specInput(r, 'POST /evals/runs');
        return { ...body, modelRef: canonicalModelRef(body.model) };
      },
      describe: body => ({
        target: body.modelRef,
        request: { version: body.version, format: body.format },
      }),
      authorize: (body, caller) =>
        requirePermission({
          permissions,
          credentials: caller,
          permission: evalWritePermission,
          resourceRef: body.modelRef,
        }),
      run: async (body, { credentials }) => {
        const model = await evals.getModel(body.modelRef, credentials);
        if (!model.spec.versions.some(v => v.name === body.version)) {
          throw new InputError(
            `version ${JSON.stringify(body.version)} is not a version of ${
              body.modelRef
            } (its versions: ${model.spec.versions
              .map(v => v.name)
              .join(', ')})`,
          );
        }
        const parsed =
          body.format === 'lm-evaluation-harness'
            ? parseLmEvalHarnessResults(body.results)
            : parseGenericResults(body.results);
        // Provenance is readable by everyone signed in: no secrets in it.
        const endpoint = body.endpoint ?? parsed.provenance.endpoint;
        const image = body.image ?? parsed.provenance.image;
        parsed.provenance.endpoint = endpoint && redactString(endpoint);
        parsed.provenance.image = image && redactString(image);
        if (body.extra) {
          parsed.provenance.extra = redactSecrets({
            ...parsed.provenance.extra,
            ...(body.extra as JsonObject),
          });
        }
        return evalStore.insertRun({
          modelRef: body.modelRef,
          version: body.version,
          run: parsed,
          postedBy: actorOf(credentials),
        });
      },
    });
    const gates = await evals.gateStatus(
      run.modelRef,
      run.version,
      await credentialsOf(req),
    );
    res.status(201).json({ run, gates });
  });

  router.get('/evals/runs', async (req, res) => {
    const { query } = specInput(req, 'GET /evals/runs');
    const model = await evals.getModel(query.model, await credentialsOf(req));
    const items = await evalStore.listRuns({
      modelRef: canonicalModelRef(query.model),
      version: query.version,
      limit: query.limit,
    });
    res.json({ model: stringifyEntityRef(model), items });
  });

  router.get('/evals/runs/:id', async (req, res) => {
    const found = await evalStore.getRun(req.params.id);
    if (!found) {
      throw new NotFoundError(`eval run ${req.params.id} does not exist`);
    }
    res.json(found);
  });

  router.get('/evals/scores', async (req, res) => {
    const { query } = specInput(req, 'GET /evals/scores');
    const items = await evals.latestScores(
      query.model,
      query.version,
      await credentialsOf(req),
    );
    res.json({
      model: canonicalModelRef(query.model),
      version: query.version,
      items,
    });
  });

  router.get('/evals/history', async (req, res) => {
    const { query } = specInput(req, 'GET /evals/history');
    await evals.getModel(query.model, await credentialsOf(req));
    const items = await evalStore.history({
      modelRef: canonicalModelRef(query.model),
      task: query.task,
      metric: canonicalMetric(query.metric),
    });
    res.json({ ...query, model: canonicalModelRef(query.model), items });
  });

  router.get('/evals/compare', async (req, res) => {
    const { query } = specInput(req, 'GET /evals/compare');
    res.json(
      await evals.compare(
        { model: query.model, version: query.a },
        { model: query.modelB ?? query.model, version: query.b },
        await credentialsOf(req),
      ),
    );
  });

  router.get('/evals/leaderboard', async (req, res) => {
    const { query } = specInput(req, 'GET /evals/leaderboard');
    res.json({
      items: await evals.leaderboard(query, await credentialsOf(req)),
    });
  });
}

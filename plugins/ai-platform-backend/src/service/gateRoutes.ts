import { InputError } from '@backstage/errors';
import { gateOverridePermission } from '@internal/plugin-ai-platform-common';
import type express from 'express';
import { actorOf } from '../audit/AuditLog';
import { canonicalMetric } from '../evals/canonicalMetric';
import type { EvalStore } from '../evals/DatabaseEvalStore';
import { type EvalService, canonicalModelRef } from '../evals/EvalService';
import { requirePermission } from './requirePermission';
import type { RouteContext } from './routeContext';
import { refineInput, specInput } from './validate';

/** The gate routes: a model version's gate status, and audited per-version overrides. */
export function addGateRoutes(
  router: express.Router,
  options: RouteContext & { evals: EvalService; evalStore: EvalStore },
) {
  const { evals, evalStore, mutations, permissions, credentialsOf } = options;

  router.get('/gates', async (req, res) => {
    const { query } = specInput(req, 'GET /gates');
    res.json(
      await evals.gateStatus(
        query.model,
        query.version,
        await credentialsOf(req),
      ),
    );
  });

  router.post('/gates/overrides', async (req, res) => {
    const body = await mutations.run(req, {
      action: 'gate.override',
      parse: r => {
        const input = refineInput(
          'body',
          specInput(r, 'POST /gates/overrides').body,
          { reason: true },
        );
        return { ...input, modelRef: canonicalModelRef(input.model) };
      },
      describe: b => ({
        target: b.modelRef,
        request: {
          version: b.version,
          task: b.task,
          metric: b.metric,
          reason: b.reason,
        },
        severityLevel: 'high',
      }),
      authorize: (_b, credentials) =>
        requirePermission({
          permissions,
          credentials,
          permission: gateOverridePermission,
        }),
      run: async (b, { credentials }) => {
        const { model } = await evals.getModelVersion(
          b.modelRef,
          b.version,
          credentials,
        );
        const gate = model.spec.evaluation?.gates?.find(
          g =>
            g.task === b.task &&
            canonicalMetric(g.metric) === canonicalMetric(b.metric),
        );
        if (!gate) {
          throw new InputError(
            `${b.modelRef} has no gate on task ${JSON.stringify(
              b.task,
            )} metric ${JSON.stringify(b.metric)}`,
          );
        }
        await evalStore.upsertOverride({
          modelRef: b.modelRef,
          version: b.version,
          task: b.task,
          metric: canonicalMetric(b.metric),
          reason: b.reason,
          actor: actorOf(credentials),
        });
        return b;
      },
    });
    res
      .status(201)
      .json(
        await evals.gateStatus(
          body.modelRef,
          body.version,
          await credentialsOf(req),
        ),
      );
  });
}

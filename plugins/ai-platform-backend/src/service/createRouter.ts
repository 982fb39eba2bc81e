import type {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  auditReadPermission,
  evalWritePermission,
  gateOverridePermission,
  quotaManagePermission,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import type { BasicPermission } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { actorOf, type AuditLog } from '../audit/AuditLog';
import { redactSecrets, redactString } from '../audit/redactSecrets';
import { DatabaseAuditStore } from '../audit/DatabaseAuditStore';
import type { AuditRecord } from '../audit/types';
import type { EvalStore } from '../evals/DatabaseEvalStore';
import { canonicalMetric } from '../evals/canonicalMetric';
import { type EvalService, canonicalModelRef } from '../evals/EvalService';
import { parseGenericResults } from '../evals/genericFormat';
import { parseLmEvalHarnessResults } from '../evals/lmEvalHarness';
import type { QuotaService } from '../quotas/QuotaService';
import type { KueueStatusService } from '../quotas/KueueStatusService';
import type { CostStore } from '../cost/types';
import { addCostRoutes } from './costRoutes';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { DeploymentService } from '../deploy/DeploymentService';
import { addDeploymentRoutes } from './deploymentRoutes';
import { requirePermission } from './requirePermission';
import { entityRef, nonEmpty, parseInput, reasonSchema } from './validate';

// Stored times are UTC with milliseconds; compare like with like.
const isoTime = z.iso
  .datetime({ offset: true })
  .transform(value => new Date(value).toISOString());

const auditQuerySchema = z.object({
  actor: nonEmpty.optional(),
  action: nonEmpty.optional(),
  target: nonEmpty.optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: nonEmpty
    .refine(
      DatabaseAuditStore.isValidCursor,
      'not a cursor this API handed out',
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const postRunSchema = z.object({
  model: nonEmpty.describe('Model entity ref'),
  version: nonEmpty,
  format: z.enum(['lm-evaluation-harness', 'generic']),
  results: z.record(z.string(), z.unknown()),
  endpoint: nonEmpty.optional(),
  image: nonEmpty.optional(),
  extra: z.record(z.string(), z.json()).optional(),
});

const modelVersionQuery = z.object({ model: nonEmpty, version: nonEmpty });

const overrideSchema = z.object({
  model: nonEmpty,
  version: nonEmpty,
  task: nonEmpty,
  metric: nonEmpty,
  reason: reasonSchema,
});

/** Columns of the audit CSV export. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'id',
  'time',
  'actor',
  'action',
  'target',
  'outcome',
  'message',
  'request',
  'prev_hash',
  'hash',
];

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // Quote always-safe; neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

function auditCsvRow(r: AuditRecord): string {
  return [
    r.seq,
    r.id,
    r.time,
    r.actor,
    r.action,
    r.target,
    r.outcome,
    r.message,
    JSON.stringify(r.request),
    r.prevHash,
    r.hash,
  ]
    .map(csvCell)
    .join(',');
}

/** The ai-platform REST API (see openapi.yaml). */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  auditLog: AuditLog;
  evals: EvalService;
  evalStore: EvalStore;
  quotas: QuotaService;
  costStore: CostStore;
  kueue?: KueueStatusService;
  /** The deployment service and the catalog it sizes from; without them there are no deployment routes. */
  deployments?: { service: DeploymentService; catalog: CatalogService };
  /** Endpoint titles for the FOCUS export's ResourceName. */
  endpointTitles?: () => Promise<Map<string, string>>;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditLog, evals, evalStore, quotas } = options;
  const router = Router();
  router.use(express.json({ limit: '10mb' }));

  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** The caller's credentials, once a basic permission is granted to them. */
  const permittedCredentials = async (
    req: express.Request,
    permission: BasicPermission,
  ) => {
    const credentials = await credentialsOf(req);
    await requirePermission({ permissions, credentials, permission });
    return credentials;
  };

  // --- Evals ----------------------------------------------------------------

  router.post('/evals/runs', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(postRunSchema, req.body, 'body');
    const modelRef = canonicalModelRef(body.model);
    await requirePermission({
      permissions,
      credentials,
      permission: evalWritePermission,
      resourceRef: modelRef,
    });
    const run = await auditLog.track(
      {
        action: 'eval.ingest',
        credentials,
        target: modelRef,
        request: { version: body.version, format: body.format },
        httpRequest: req,
      },
      async () => {
        const model = await evals.getModel(modelRef, credentials);
        if (!model.spec.versions.some(v => v.name === body.version)) {
          throw new InputError(
            `version ${JSON.stringify(
              body.version,
            )} is not a version of ${modelRef} (its versions: ${model.spec.versions
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
            ...body.extra,
          });
        }
        return evalStore.insertRun({
          modelRef,
          version: body.version,
          run: parsed,
          postedBy: actorOf(credentials),
        });
      },
    );
    const gates = await evals.gateStatus(modelRef, body.version, credentials);
    res.status(201).json({ run, gates });
  });

  router.get('/evals/runs', async (req, res) => {
    await credentialsOf(req);
    const query = parseInput(
      z.object({
        model: nonEmpty,
        version: nonEmpty.optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
      req.query,
      'query',
    );
    const credentials = await credentialsOf(req);
    const model = await evals.getModel(query.model, credentials);
    const items = await evalStore.listRuns({
      modelRef: canonicalModelRef(query.model),
      version: query.version,
      limit: query.limit,
    });
    res.json({ model: stringifyEntityRef(model), items });
  });

  router.get('/evals/runs/:id', async (req, res) => {
    await credentialsOf(req);
    const found = await evalStore.getRun(req.params.id);
    if (!found) {
      throw new NotFoundError(`eval run ${req.params.id} does not exist`);
    }
    res.json(found);
  });

  router.get('/evals/scores', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(modelVersionQuery, req.query, 'query');
    const items = await evals.latestScores(
      query.model,
      query.version,
      credentials,
    );
    res.json({
      model: canonicalModelRef(query.model),
      version: query.version,
      items,
    });
  });

  router.get('/evals/history', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(
      z.object({ model: nonEmpty, task: nonEmpty, metric: nonEmpty }),
      req.query,
      'query',
    );
    await evals.getModel(query.model, credentials);
    const items = await evalStore.history({
      modelRef: canonicalModelRef(query.model),
      task: query.task,
      metric: canonicalMetric(query.metric),
    });
    res.json({ ...query, model: canonicalModelRef(query.model), items });
  });

  router.get('/evals/compare', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(
      z.object({
        model: nonEmpty,
        a: nonEmpty,
        b: nonEmpty,
        modelB: nonEmpty.optional(),
      }),
      req.query,
      'query',
    );
    res.json(
      await evals.compare(
        { model: query.model, version: query.a },
        { model: query.modelB ?? query.model, version: query.b },
        credentials,
      ),
    );
  });

  router.get('/evals/leaderboard', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(
      z.object({
        type: nonEmpty.optional(),
        task: nonEmpty.optional(),
        stage: z
          .enum([
            'development',
            'staging',
            'production',
            'deprecated',
            'archived',
          ])
          .optional(),
      }),
      req.query,
      'query',
    );
    res.json({ items: await evals.leaderboard(query, credentials) });
  });

  // --- Gates ----------------------------------------------------------------

  router.get('/gates', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(modelVersionQuery, req.query, 'query');
    res.json(await evals.gateStatus(query.model, query.version, credentials));
  });

  router.post('/gates/overrides', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(overrideSchema, req.body, 'body');
    const modelRef = canonicalModelRef(body.model);
    await requirePermission({
      permissions,
      credentials,
      permission: gateOverridePermission,
    });
    await auditLog.track(
      {
        action: 'gate.override',
        credentials,
        target: modelRef,
        request: {
          version: body.version,
          task: body.task,
          metric: body.metric,
          reason: body.reason,
        },
        httpRequest: req,
        severityLevel: 'high',
      },
      async () => {
        const { model } = await evals.getModelVersion(
          modelRef,
          body.version,
          credentials,
        );
        const gate = model.spec.evaluation?.gates?.find(
          g =>
            g.task === body.task &&
            canonicalMetric(g.metric) === canonicalMetric(body.metric),
        );
        if (!gate) {
          throw new InputError(
            `${modelRef} has no gate on task ${JSON.stringify(
              body.task,
            )} metric ${JSON.stringify(body.metric)}`,
          );
        }
        return evalStore.upsertOverride({
          modelRef,
          version: body.version,
          task: body.task,
          metric: canonicalMetric(body.metric),
          reason: body.reason,
          actor: actorOf(credentials),
        });
      },
    );
    res
      .status(201)
      .json(await evals.gateStatus(modelRef, body.version, credentials));
  });

  // --- Quotas ---------------------------------------------------------------

  router.get('/quotas', async (req, res) => {
    await credentialsOf(req);
    const query = parseInput(
      z.object({
        pool: entityRef('GpuPool').optional(),
        team: entityRef('Group').optional(),
      }),
      req.query,
      'query',
    );
    res.json({ items: await quotas.overview(query) });
  });

  router.get('/quotas/check', async (req, res) => {
    await credentialsOf(req);
    const query = parseInput(
      z.object({
        team: entityRef('Group'),
        pool: entityRef('GpuPool'),
        gpus: z.coerce.number().int().min(0),
        endpoint: entityRef('InferenceEndpoint').optional(),
      }),
      req.query,
      'query',
    );
    res.json(await quotas.check(query));
  });

  router.get('/quotas/kueue', async (req, res) => {
    await credentialsOf(req);
    const query = parseInput(
      z.object({ pool: entityRef('GpuPool') }),
      req.query,
      'query',
    );
    if (!options.kueue) {
      throw new NotFoundError('Kueue status is not available in this backend');
    }
    res.json(await options.kueue.poolStatus(query.pool));
  });

  router.put('/quotas/overrides', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(
      z.object({
        team: entityRef('Group'),
        pool: entityRef('GpuPool'),
        gpus: z.number().int().min(0),
        reason: reasonSchema,
      }),
      req.body,
      'body',
    );
    await requirePermission({
      permissions,
      credentials,
      permission: quotaManagePermission,
    });
    const change = await auditLog.track(
      {
        action: 'quota.update',
        credentials,
        target: body.team,
        request: { pool: body.pool, gpus: body.gpus, reason: body.reason },
        httpRequest: req,
      },
      () => quotas.setOverride({ ...body, actor: actorOf(credentials) }),
      result => ({ oldGpus: result.before, newGpus: result.after }),
    );
    res.json({ ...change, quotas: await quotas.overview({ pool: body.pool }) });
  });

  router.delete('/quotas/overrides', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(
      z.object({
        team: entityRef('Group'),
        pool: entityRef('GpuPool'),
        reason: reasonSchema,
      }),
      req.body,
      'body',
    );
    await requirePermission({
      permissions,
      credentials,
      permission: quotaManagePermission,
    });
    const change = await auditLog.track(
      {
        action: 'quota.clear',
        credentials,
        target: body.team,
        request: { pool: body.pool, reason: body.reason },
        httpRequest: req,
      },
      () => quotas.clearOverride(body),
      result => ({ oldGpus: result.before, newGpus: result.after }),
    );
    res.json({ ...change, quotas: await quotas.overview({ pool: body.pool }) });
  });

  router.post('/quota-requests', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(
      z.object({
        team: entityRef('Group'),
        pool: entityRef('GpuPool'),
        gpus: z.number().int().min(1),
        reason: reasonSchema,
      }),
      req.body,
      'body',
    );
    await requirePermission({
      permissions,
      credentials,
      permission: quotaRequestPermission,
      resourceRef: body.team,
    });
    const created = await auditLog.track(
      {
        action: 'quota.request',
        credentials,
        target: body.team,
        request: { pool: body.pool, gpus: body.gpus, reason: body.reason },
        httpRequest: req,
      },
      () =>
        quotas.createRequest({ ...body, requestedBy: actorOf(credentials) }),
    );
    res.status(201).json(created);
  });

  router.get('/quota-requests', async (req, res) => {
    await credentialsOf(req);
    const query = parseInput(
      z.object({
        state: z.enum(['pending', 'approved', 'rejected']).optional(),
        team: entityRef('Group').optional(),
        pool: entityRef('GpuPool').optional(),
      }),
      req.query,
      'query',
    );
    res.json({ items: await quotas.listRequests(query) });
  });

  router.post('/quota-requests/:id/decision', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(
      z.object({
        decision: z.enum(['approve', 'reject']),
        reason: reasonSchema,
      }),
      req.body,
      'body',
    );
    await requirePermission({
      permissions,
      credentials,
      permission: quotaManagePermission,
    });
    const request = await quotas.getRequest(req.params.id);
    const decided = await auditLog.track(
      {
        action:
          body.decision === 'approve'
            ? 'quota.request.approve'
            : 'quota.request.reject',
        credentials,
        target: request.team,
        request: {
          requestId: request.id,
          pool: request.pool,
          gpus: request.gpus,
          reason: body.reason,
        },
        httpRequest: req,
      },
      () =>
        quotas.decide({ id: request.id, ...body, actor: actorOf(credentials) }),
      result =>
        result.quota
          ? { oldGpus: result.quota.before, newGpus: result.quota.after }
          : {},
    );
    res.json(decided);
  });

  // --- Cost -----------------------------------------------------------------

  addCostRoutes(router, {
    costStore: options.costStore,
    auditLog,
    permissions,
    credentialsOf,
    permittedCredentials,
    titles: options.endpointTitles,
  });

  // --- Deployments ----------------------------------------------------------

  if (options.deployments) {
    addDeploymentRoutes(router, {
      deployments: options.deployments.service,
      catalog: options.deployments.catalog,
      credentialsOf,
    });
  }

  // --- Audit ----------------------------------------------------------------

  const auditReader = (req: express.Request) =>
    permittedCredentials(req, auditReadPermission);

  router.get('/audit', async (req, res) => {
    await auditReader(req);
    const { cursor, limit, ...filter } = parseInput(
      auditQuerySchema,
      req.query,
      'query',
    );
    res.json(await auditLog.store.query({ filter, cursor, limit }));
  });

  router.get('/audit/verify', async (req, res) => {
    await auditReader(req);
    res.json(await auditLog.store.verify());
  });

  router.get('/audit/export', async (req, res) => {
    await auditReader(req);
    const {
      cursor: _c,
      limit: _l,
      ...filter
    } = parseInput(auditQuerySchema, req.query, 'query');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      'attachment; filename="ai-platform-audit.csv"',
    );
    res.write(`${AUDIT_CSV_COLUMNS.join(',')}\n`);
    for await (const record of auditLog.store.stream(filter)) {
      res.write(`${auditCsvRow(record)}\n`);
    }
    res.end();
  });

  return router;
}

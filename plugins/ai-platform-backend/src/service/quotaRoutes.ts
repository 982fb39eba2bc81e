import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  quotaManagePermission,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import { NotFoundError } from '@backstage/errors';
import type express from 'express';
import { z } from 'zod';
import { actorOf } from '../audit/AuditLog';
import type { KueueStatusService } from '../quotas/KueueStatusService';
import type { QuotaService } from '../quotas/QuotaService';
import type { QuotaRequest } from '@internal/plugin-ai-platform-common';
import { requirePermission } from './requirePermission';
import type { RouteContext } from './routeContext';
import { entityRef, nonEmpty, parseInput, reasonSchema } from './validate';

const teamPool = {
  team: entityRef('Group'),
  pool: entityRef('GpuPool'),
};

const setOverrideSchema = z.object({
  ...teamPool,
  gpus: z.number().int().min(0),
  reason: reasonSchema,
});

const clearOverrideSchema = z.object({ ...teamPool, reason: reasonSchema });

const newRequestSchema = z.object({
  ...teamPool,
  gpus: z.number().int().min(1),
  reason: reasonSchema,
});

const decisionSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: reasonSchema,
});

/** What a quota change answers with, in the audit record. */
const quotaChange = (change: { before: number; after: number }) => ({
  oldGpus: change.before,
  newGpus: change.after,
});

/**
 * The quota routes: the overview, checks, a pool's live Kueue status,
 * admins' overrides, and the request / decision workflow.
 */
export function addQuotaRoutes(
  router: express.Router,
  options: RouteContext & { quotas: QuotaService; kueue?: KueueStatusService },
) {
  const { quotas, mutations, permissions } = options;

  const requireQuotaManage = (credentials: BackstageCredentials) =>
    requirePermission({
      permissions,
      credentials,
      permission: quotaManagePermission,
    });

  router.get('/quotas', async (req, res) => {
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
    const query = parseInput(
      z.object({
        ...teamPool,
        gpus: z.coerce.number().int().min(0),
        endpoint: entityRef('InferenceEndpoint').optional(),
      }),
      req.query,
      'query',
    );
    res.json(await quotas.check(query));
  });

  router.get('/quotas/kueue', async (req, res) => {
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
    const change = await mutations.run(req, {
      action: 'quota.update',
      parse: r => parseInput(setOverrideSchema, r.body, 'body'),
      describe: b => ({
        target: b.team,
        request: { pool: b.pool, gpus: b.gpus, reason: b.reason },
      }),
      authorize: (_b, credentials) => requireQuotaManage(credentials),
      run: async (b, { credentials }) => ({
        pool: b.pool,
        change: await quotas.setOverride({ ...b, actor: actorOf(credentials) }),
      }),
      facts: r => quotaChange(r.change),
    });
    res.json({
      ...change.change,
      quotas: await quotas.overview({ pool: change.pool }),
    });
  });

  router.delete('/quotas/overrides', async (req, res) => {
    const change = await mutations.run(req, {
      action: 'quota.clear',
      parse: r => parseInput(clearOverrideSchema, r.body, 'body'),
      describe: b => ({
        target: b.team,
        request: { pool: b.pool, reason: b.reason },
      }),
      authorize: (_b, credentials) => requireQuotaManage(credentials),
      run: async b => ({
        pool: b.pool,
        change: await quotas.clearOverride(b),
      }),
      facts: r => quotaChange(r.change),
    });
    res.json({
      ...change.change,
      quotas: await quotas.overview({ pool: change.pool }),
    });
  });

  router.post('/quota-requests', async (req, res) => {
    const created = await mutations.run(req, {
      action: 'quota.request',
      parse: r => parseInput(newRequestSchema, r.body, 'body'),
      describe: b => ({
        target: b.team,
        request: { pool: b.pool, gpus: b.gpus, reason: b.reason },
      }),
      authorize: (b, credentials) =>
        requirePermission({
          permissions,
          credentials,
          permission: quotaRequestPermission,
          resourceRef: b.team,
        }),
      run: (b, { credentials }) =>
        quotas.createRequest({ ...b, requestedBy: actorOf(credentials) }),
    });
    res.status(201).json(created);
  });

  router.get('/quota-requests', async (req, res) => {
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
    const decided = await mutations.run(req, {
      action: 'quota.request.decide',
      parse: r => ({
        id: parseInput(z.object({ id: nonEmpty }), r.params, 'params').id,
        ...parseInput(decisionSchema, r.body, 'body'),
      }),
      describe: (b, request?: QuotaRequest) => ({
        action:
          b.decision === 'approve'
            ? 'quota.request.approve'
            : 'quota.request.reject',
        target: request?.team,
        request: {
          requestId: b.id,
          ...(request ? { pool: request.pool, gpus: request.gpus } : {}),
          reason: b.reason,
        },
      }),
      authorize: (_b, credentials) => requireQuotaManage(credentials),
      load: b => quotas.getRequest(b.id),
      run: (b, { credentials }) =>
        quotas.decide({
          id: b.id,
          decision: b.decision,
          reason: b.reason,
          actor: actorOf(credentials),
        }),
      facts: result => (result.quota ? quotaChange(result.quota) : {}),
    });
    res.json(decided);
  });
}

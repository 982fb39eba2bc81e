import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  quotaManagePermission,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import { NotFoundError } from '@backstage/errors';
import type express from 'express';
import { actorOf } from '../audit/AuditLog';
import type { KueueStatusService } from '../quotas/KueueStatusService';
import type { QuotaService } from '../quotas/QuotaService';
import type { QuotaRequest } from '@internal/plugin-ai-platform-common';
import { requirePermission } from './requirePermission';
import type { RouteContext } from './routeContext';
import { refineInput, specInput } from './validate';

/** The entity refs of a team and a pool, to canonicalise. */
const teamPool = { team: 'Group', pool: 'GpuPool' } as const;

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
    const query = refineInput('query', specInput(req, 'GET /quotas').query, {
      refs: teamPool,
    });
    res.json({ items: await quotas.overview(query) });
  });

  router.get('/quotas/check', async (req, res) => {
    const query = refineInput(
      'query',
      specInput(req, 'GET /quotas/check').query,
      { refs: { ...teamPool, endpoint: 'InferenceEndpoint' } },
    );
    res.json(await quotas.check(query));
  });

  router.get('/quotas/kueue', async (req, res) => {
    const query = refineInput(
      'query',
      specInput(req, 'GET /quotas/kueue').query,
      { refs: { pool: 'GpuPool' } },
    );
    if (!options.kueue) {
      throw new NotFoundError('Kueue status is not available in this backend');
    }
    res.json(await options.kueue.poolStatus(query.pool));
  });

  router.put('/quotas/overrides', async (req, res) => {
    const change = await mutations.run(req, {
      action: 'quota.update',
      parse: r =>
        refineInput('body', specInput(r, 'PUT /quotas/overrides').body, {
          refs: teamPool,
          reason: true,
        }),
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
      parse: r =>
        refineInput('body', specInput(r, 'DELETE /quotas/overrides').body, {
          refs: teamPool,
          reason: true,
        }),
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
      parse: r =>
        refineInput('body', specInput(r, 'POST /quota-requests').body, {
          refs: teamPool,
          reason: true,
        }),
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
    const query = refineInput(
      'query',
      specInput(req, 'GET /quota-requests').query,
      { refs: teamPool },
    );
    res.json({ items: await quotas.listRequests(query) });
  });

  router.post('/quota-requests/:id/decision', async (req, res) => {
    const decided = await mutations.run(req, {
      action: 'quota.request.decide',
      parse: r => {
        const input = specInput(r, 'POST /quota-requests/{id}/decision');
        return {
          id: input.path.id,
          ...refineInput('body', input.body, { reason: true }),
        };
      },
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

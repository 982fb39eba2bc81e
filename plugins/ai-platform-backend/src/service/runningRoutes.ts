import { NotFoundError } from '@backstage/errors';
import { costReadPermission } from '@internal/plugin-ai-platform-common';
import type express from 'express';
import type { RunningFleetService } from '../cost/RunningFleetService';
import type { QuotaUsageService } from '../quotas/QuotaUsageService';
import type { RouteContext } from './routeContext';
import { refineInput, specInput } from './validate';

/**
 * What runs, from the clusters: each catalog endpoint's state (running,
 * pending, declared but not running) with its basis, and quota use per
 * team and pool (reserved by records beside running in the cluster, with
 * drift). Both read the collector's stored listings, never a cluster.
 * Quota use is read by every signed-in user, as quotas are. What runs is
 * the cost page's data and names every team's namespaces and workloads
 * (claims and workloads outside the portal too), so it needs the cost read
 * permission, as cost does.
 */
export function addRunningRoutes(
  router: express.Router,
  options: RouteContext & {
    running?: RunningFleetService;
    quotaUsage?: QuotaUsageService;
  },
) {
  const available = <T>(service: T | undefined, what: string): T => {
    if (!service)
      throw new NotFoundError(`${what} is not available in this backend`);
    return service;
  };

  router.get('/fleet/running', async (req, res) => {
    await options.permittedCredentials(req, costReadPermission);
    const query = refineInput(
      'query',
      specInput(req, 'GET /fleet/running').query,
      { refs: { endpoint: 'InferenceEndpoint' } },
    );
    const answer = await available(options.running, 'What runs').running(query);
    if (query.endpoint && !answer.found) {
      throw new NotFoundError(
        `${query.endpoint} is not in the catalog (or has no spec.gpuPool and spec.resources)`,
      );
    }
    const { found, ...body } = answer;
    res.json(body);
  });

  router.get('/quotas/usage', async (req, res) => {
    await options.credentialsOf(req);
    const query = refineInput(
      'query',
      specInput(req, 'GET /quotas/usage').query,
      { refs: { pool: 'GpuPool', team: 'Group' } },
    );
    res.json({
      items: await available(options.quotaUsage, 'Quota usage').usage(query),
    });
  });
}

import type {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type express from 'express';
import type { AuditLog } from '../audit/AuditLog';
import type { CostStore } from '../cost/types';
import type { DeploymentService } from '../deploy/DeploymentService';
import type { EvalStore } from '../evals/DatabaseEvalStore';
import type { EvalService } from '../evals/EvalService';
import type { KueueStatusService } from '../quotas/KueueStatusService';
import type { QuotaService } from '../quotas/QuotaService';
import type { SloService } from '../slo/SloService';
import { addAuditRoutes } from './auditRoutes';
import { addCostRoutes } from './costRoutes';
import { addDeploymentRoutes } from './deploymentRoutes';
import { addCanaryRoutes } from './canaryRoutes';
import { addEvalRoutes } from './evalRoutes';
import { addGateRoutes } from './gateRoutes';
import { addQuotaRoutes } from './quotaRoutes';
import { addRunningRoutes } from './runningRoutes';
import type { RunningFleetService } from '../cost/RunningFleetService';
import type { QuotaUsageService } from '../quotas/QuotaUsageService';
import { addSloRoutes } from './sloRoutes';
import { createRouteContext } from './routeContext';
import { createValidatedRouter } from './createValidatedRouter';

/**
 * The ai-platform REST API (see openapi.yaml), assembled from one routes
 * file per feature on a router that first validates every request against
 * the spec (`createValidatedRouter`). Every mutating route goes through the
 * one mutation helper (`mutation.ts`): parse, permission, run, and one audit
 * record for the success and for every refusal.
 */
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
  /** SLOs of the endpoints from Prometheus; without it there are no SLO routes. */
  slos?: SloService;
  /** Endpoint titles for the FOCUS export's ResourceName. */
  endpointTitles?: () => Promise<Map<string, string>>;
  /** What runs (from the collector's cluster listings) and quota use from it. */
  running?: RunningFleetService;
  quotaUsage?: QuotaUsageService;
}): Promise<express.Router> {
  const context = createRouteContext(options);
  const router = createValidatedRouter({ mutations: context.mutations });
  const { evals, evalStore } = options;

  addEvalRoutes(router, { ...context, evals, evalStore });
  addGateRoutes(router, { ...context, evals, evalStore });
  addQuotaRoutes(router, {
    ...context,
    quotas: options.quotas,
    kueue: options.kueue,
  });
  addRunningRoutes(router, {
    ...context,
    running: options.running,
    quotaUsage: options.quotaUsage,
  });
  addCostRoutes(router, {
    ...context,
    costStore: options.costStore,
    titles: options.endpointTitles,
  });
  if (options.deployments) {
    addDeploymentRoutes(router, {
      ...context,
      deployments: options.deployments.service,
      catalog: options.deployments.catalog,
    });
    addCanaryRoutes(router, {
      ...context,
      deployments: options.deployments.service,
    });
  }
  if (options.slos) addSloRoutes(router, { ...context, slos: options.slos });
  addAuditRoutes(router, context);
  return router;
}

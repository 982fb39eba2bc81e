import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import {
  AiPlatformClient,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import {
  auditRouteRef,
  costRouteRef,
  evalsRouteRef,
  quotasRouteRef,
  sloRouteRef,
} from './routes';

/**
 * The ai-platform plugin for apps still on the legacy frontend system. The
 * new frontend system uses the default export of
 * `@internal/plugin-ai-platform/alpha` instead.
 */
export const aiPlatformPlugin = createPlugin({
  id: 'ai-platform',
  apis: [
    createApiFactory({
      api: aiPlatformApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AiPlatformClient(deps),
    }),
  ],
  routes: {
    evals: evalsRouteRef,
    quotas: quotasRouteRef,
    cost: costRouteRef,
    audit: auditRouteRef,
    slo: sloRouteRef,
  },
});

// --- Pages -------------------------------------------------------------------

/** The evals page: leaderboard and compare (mount at e.g. /ai-platform/evals). */
export const AiPlatformEvalsPage = aiPlatformPlugin.provide(
  createRoutableExtension({
    name: 'AiPlatformEvalsPage',
    component: () =>
      import('./components/EvalsPage').then(m => m.LegacyEvalsPage),
    mountPoint: evalsRouteRef,
  }),
);

/** The GPU quotas page: usage bars, requests, approvals (e.g. /ai-platform/quotas). */
export const AiPlatformQuotasPage = aiPlatformPlugin.provide(
  createRoutableExtension({
    name: 'AiPlatformQuotasPage',
    component: () =>
      import('./components/QuotasPage').then(m => m.LegacyQuotasPage),
    mountPoint: quotasRouteRef,
  }),
);

/** The cost page, the leadership view (e.g. /ai-platform/cost). */
export const AiPlatformCostPage = aiPlatformPlugin.provide(
  createRoutableExtension({
    name: 'AiPlatformCostPage',
    component: () =>
      import('./components/CostPage').then(m => m.LegacyCostPage),
    mountPoint: costRouteRef,
  }),
);

/** The SLO page: every endpoint's budgets and burn rates (e.g. /ai-platform/slo). */
export const AiPlatformSloPage = aiPlatformPlugin.provide(
  createRoutableExtension({
    name: 'AiPlatformSloPage',
    component: () => import('./components/SloPage').then(m => m.LegacySloPage),
    mountPoint: sloRouteRef,
  }),
);

/** The audit log page (e.g. /ai-platform/audit). */
export const AiPlatformAuditPage = aiPlatformPlugin.provide(
  createRoutableExtension({
    name: 'AiPlatformAuditPage',
    component: () =>
      import('./components/AuditPage').then(m => m.LegacyAuditPage),
    mountPoint: auditRouteRef,
  }),
);

// --- Model entity page -------------------------------------------------------

/** A Model's facts and lineage (for the overview of `kind:model`). */
export const EntityModelDetailsCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityModelDetailsCard',
    component: {
      lazy: () =>
        import('./components/ModelDetailsCard').then(m => m.ModelDetailsCard),
    },
  }),
);

/** A Model's versions, their stage and the endpoints serving each. */
export const EntityModelVersionsCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityModelVersionsCard',
    component: {
      lazy: () =>
        import('./components/ModelVersionsCard').then(m => m.ModelVersionsCard),
    },
  }),
);

/** Gate status of the version in production and of a candidate. */
export const EntityModelGatesCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityModelGatesCard',
    component: {
      lazy: () =>
        import('./components/ModelGatesCard').then(m => m.ModelGatesCard),
    },
  }),
);

/** The Evals tab of a Model: scores per version, trends, runs and gates. */
export const EntityModelEvalsContent = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityModelEvalsContent',
    component: {
      lazy: () =>
        import('./components/ModelEvalsContent').then(m => m.ModelEvalsContent),
    },
  }),
);

// --- InferenceEndpoint entity page -------------------------------------------

/** An endpoint's model, version, pool, cluster, team and resources. */
export const EntityEndpointOverviewCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityEndpointOverviewCard',
    component: {
      lazy: () =>
        import('./components/EndpointOverviewCard').then(
          m => m.EndpointOverviewCard,
        ),
    },
  }),
);

/** An endpoint's SLOs against what it serves (Prometheus): budgets, burn rates, a trend. Wide: place it in the main column. */
export const EntityEndpointSloCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityEndpointSloCard',
    component: {
      lazy: () =>
        import('./components/EndpointSloCard').then(m => m.EndpointSloCard),
    },
  }),
);

/** An endpoint's cost over the last 30 days and its cost per 1M tokens. */
export const EntityEndpointCostCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityEndpointCostCard',
    component: {
      lazy: () =>
        import('./components/EndpointCostCard').then(m => m.EndpointCostCard),
    },
  }),
);

/**
 * What an endpoint runs (records and live cluster status), its last
 * deployment, and promote and rollback with their checks shown first.
 */
export const EntityEndpointDeploymentCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityEndpointDeploymentCard',
    component: {
      lazy: () =>
        import('./components/EndpointDeploymentCard').then(
          m => m.EndpointDeploymentCard,
        ),
    },
  }),
);

/**
 * An endpoint's current or last canary promote: steps, phase, the actual
 * split, analysis and events, with advance, approve and abort.
 */
export const EntityEndpointCanaryCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityEndpointCanaryCard',
    component: {
      lazy: () =>
        import('./components/EndpointCanaryCard').then(
          m => m.EndpointCanaryCard,
        ),
    },
  }),
);

/** The Deployments tab of an endpoint: live status, actions and history. */
export const EntityEndpointDeploymentsContent = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityEndpointDeploymentsContent',
    component: {
      lazy: () =>
        import('./components/EndpointDeploymentsContent').then(
          m => m.EndpointDeploymentsContent,
        ),
    },
  }),
);

// --- GpuPool entity page ----------------------------------------------------

/** A pool's capacity, allocated and free GPUs, accelerator, price and Kueue queue. */
export const EntityGpuPoolCapacityCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityGpuPoolCapacityCard',
    component: {
      lazy: () =>
        import('./components/GpuPoolCapacityCard').then(
          m => m.GpuPoolCapacityCard,
        ),
    },
  }),
);

/** A pool's 30-day cost, utilisation and idle cost where known. */
export const EntityGpuPoolCostCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityGpuPoolCostCard',
    component: {
      lazy: () =>
        import('./components/GpuPoolCostCard').then(m => m.GpuPoolCostCard),
    },
  }),
);

/** Each team's quota on a pool against its usage, as a chart and a table. */
export const EntityGpuPoolQuotaCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityGpuPoolQuotaCard',
    component: {
      lazy: () =>
        import('./components/GpuPoolQuotaCard').then(m => m.GpuPoolQuotaCard),
    },
  }),
);

/** The endpoints running on a pool. */
export const EntityGpuPoolEndpointsCard = aiPlatformPlugin.provide(
  createComponentExtension({
    name: 'EntityGpuPoolEndpointsCard',
    component: {
      lazy: () =>
        import('./components/GpuPoolEndpointsCard').then(
          m => m.GpuPoolEndpointsCard,
        ),
    },
  }),
);

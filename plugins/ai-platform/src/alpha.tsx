import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  type OverridableFrontendPlugin,
  PageBlueprint,
  type RouteRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  AiPlatformClient,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import AssessmentIcon from '@material-ui/icons/Assessment';
import AttachMoneyIcon from '@material-ui/icons/AttachMoney';
import MemoryIcon from '@material-ui/icons/Memory';
import StorageIcon from '@material-ui/icons/Storage';
import TimelineIcon from '@material-ui/icons/Timeline';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import {
  auditRouteRef,
  costRouteRef,
  evalsRouteRef,
  quotasRouteRef,
  sloRouteRef,
} from './routes';

/*
 * The ai-platform plugin for the new frontend system. Every card, tab and
 * page loads its code lazily (the loaders import their component), so the
 * app's first bundle holds only these declarations and the API client.
 */

const aiPlatformApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: aiPlatformApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AiPlatformClient(deps),
    }),
});

// --- Pages (each in the sidebar, from its title and icon) --------------------

const evalsPage = PageBlueprint.make({
  name: 'evals',
  params: {
    path: '/ai-platform/evals',
    title: 'Evals',
    icon: <AssessmentIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(evalsRouteRef),
    loader: () => import('./components/EvalsPage').then(m => <m.EvalsPage />),
  },
});

const quotasPage = PageBlueprint.make({
  name: 'quotas',
  params: {
    path: '/ai-platform/quotas',
    title: 'GPU quotas',
    icon: <StorageIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(quotasRouteRef),
    loader: () => import('./components/QuotasPage').then(m => <m.QuotasPage />),
  },
});

const costPage = PageBlueprint.make({
  name: 'cost',
  params: {
    path: '/ai-platform/cost',
    title: 'GPU cost',
    icon: <AttachMoneyIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(costRouteRef),
    loader: () => import('./components/CostPage').then(m => <m.CostPage />),
  },
});

const sloPage = PageBlueprint.make({
  name: 'slo',
  params: {
    path: '/ai-platform/slo',
    title: 'SLOs',
    icon: <TimelineIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(sloRouteRef),
    loader: () => import('./components/SloPage').then(m => <m.SloPage />),
  },
});

const auditPage = PageBlueprint.make({
  name: 'audit',
  params: {
    path: '/ai-platform/audit',
    title: 'Audit log',
    icon: <VerifiedUserIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(auditRouteRef),
    loader: () => import('./components/AuditPage').then(m => <m.AuditPage />),
  },
});

// --- Model entity page -------------------------------------------------------

const modelDetailsCard = EntityCardBlueprint.make({
  name: 'model-details',
  params: {
    type: 'info',
    filter: { kind: 'model' },
    loader: () =>
      import('./components/ModelDetailsCard').then(m => <m.ModelDetailsCard />),
  },
});

const modelVersionsCard = EntityCardBlueprint.make({
  name: 'model-versions',
  params: {
    type: 'content',
    filter: { kind: 'model' },
    loader: () =>
      import('./components/ModelVersionsCard').then(m => (
        <m.ModelVersionsCard />
      )),
  },
});

const modelGatesCard = EntityCardBlueprint.make({
  name: 'model-gates',
  params: {
    type: 'content',
    filter: { kind: 'model' },
    loader: () =>
      import('./components/ModelGatesCard').then(m => <m.ModelGatesCard />),
  },
});

const modelEvalsContent = EntityContentBlueprint.make({
  name: 'model-evals',
  params: {
    path: 'evals',
    title: 'Evals',
    filter: { kind: 'model' },
    loader: () =>
      import('./components/ModelEvalsContent').then(m => (
        <m.ModelEvalsContent />
      )),
  },
});

// --- InferenceEndpoint entity page -------------------------------------------

const endpointOverviewCard = EntityCardBlueprint.make({
  name: 'endpoint-overview',
  params: {
    type: 'info',
    filter: { kind: 'inferenceendpoint' },
    loader: () =>
      import('./components/EndpointOverviewCard').then(m => (
        <m.EndpointOverviewCard />
      )),
  },
});

const endpointSloCard = EntityCardBlueprint.make({
  name: 'endpoint-slo',
  params: {
    // The wide column: a row per objective with seven figures.
    type: 'content',
    filter: { kind: 'inferenceendpoint' },
    loader: () =>
      import('./components/EndpointSloCard').then(m => <m.EndpointSloCard />),
  },
});

const endpointCostCard = EntityCardBlueprint.make({
  name: 'endpoint-cost',
  params: {
    type: 'content',
    filter: { kind: 'inferenceendpoint' },
    loader: () =>
      import('./components/EndpointCostCard').then(m => <m.EndpointCostCard />),
  },
});

// --- GpuPool entity page ----------------------------------------------------

const poolCapacityCard = EntityCardBlueprint.make({
  name: 'pool-capacity',
  params: {
    type: 'info',
    filter: { kind: 'gpupool' },
    loader: () =>
      import('./components/GpuPoolCapacityCard').then(m => (
        <m.GpuPoolCapacityCard />
      )),
  },
});

const poolCostCard = EntityCardBlueprint.make({
  name: 'pool-cost',
  params: {
    type: 'info',
    filter: { kind: 'gpupool' },
    loader: () =>
      import('./components/GpuPoolCostCard').then(m => <m.GpuPoolCostCard />),
  },
});

const poolQuotasCard = EntityCardBlueprint.make({
  name: 'pool-quotas',
  params: {
    type: 'content',
    filter: { kind: 'gpupool' },
    loader: () =>
      import('./components/GpuPoolQuotaCard').then(m => <m.GpuPoolQuotaCard />),
  },
});

const poolEndpointsCard = EntityCardBlueprint.make({
  name: 'pool-endpoints',
  params: {
    type: 'content',
    filter: { kind: 'gpupool' },
    loader: () =>
      import('./components/GpuPoolEndpointsCard').then(m => (
        <m.GpuPoolEndpointsCard />
      )),
  },
});

const endpointDeploymentCard = EntityCardBlueprint.make({
  name: 'endpoint-deployment',
  params: {
    type: 'content',
    filter: { kind: 'inferenceendpoint' },
    loader: () =>
      import('./components/EndpointDeploymentCard').then(m => (
        <m.EndpointDeploymentCard />
      )),
  },
});

const endpointCanaryCard = EntityCardBlueprint.make({
  name: 'endpoint-canary',
  params: {
    type: 'content',
    filter: { kind: 'inferenceendpoint' },
    loader: () =>
      import('./components/EndpointCanaryCard').then(m => (
        <m.EndpointCanaryCard />
      )),
  },
});

const endpointDeploymentsContent = EntityContentBlueprint.make({
  name: 'endpoint-deployments',
  params: {
    path: 'deployments',
    title: 'Deployments',
    group: 'deployment',
    filter: { kind: 'inferenceendpoint' },
    loader: () =>
      import('./components/EndpointDeploymentsContent').then(m => (
        <m.EndpointDeploymentsContent />
      )),
  },
});

/**
 * The ai-platform frontend plugin (new frontend system). Its type is written
 * out, not inferred: an inferred one names types of the packages behind
 * `@backstage/frontend-plugin-api` (such as `@backstage/filter-predicates`),
 * which an app with two versions of them cannot name (TS2742). Extensions
 * are reached by id (`getExtension('page:ai-platform/evals')`).
 */
const aiPlatformPlugin: OverridableFrontendPlugin<
  {
    evals: RouteRef<undefined>;
    quotas: RouteRef<undefined>;
    cost: RouteRef<undefined>;
    audit: RouteRef<undefined>;
    slo: RouteRef<undefined>;
  },
  {}
> = createFrontendPlugin({
  pluginId: 'ai-platform',
  title: 'AI Platform',
  icon: <MemoryIcon fontSize="inherit" />,
  info: { packageJson: () => import('../package.json') },
  routes: {
    evals: convertLegacyRouteRef(evalsRouteRef),
    quotas: convertLegacyRouteRef(quotasRouteRef),
    cost: convertLegacyRouteRef(costRouteRef),
    audit: convertLegacyRouteRef(auditRouteRef),
    slo: convertLegacyRouteRef(sloRouteRef),
  },
  extensions: [
    aiPlatformApi,
    evalsPage,
    quotasPage,
    costPage,
    sloPage,
    auditPage,
    modelDetailsCard,
    modelVersionsCard,
    modelGatesCard,
    modelEvalsContent,
    endpointOverviewCard,
    endpointSloCard,
    endpointCostCard,
    endpointDeploymentCard,
    endpointCanaryCard,
    endpointDeploymentsContent,
    poolCapacityCard,
    poolCostCard,
    poolQuotasCard,
    poolEndpointsCard,
  ],
});

export default aiPlatformPlugin;

export { aiPlatformFormFields, aiPlatformScaffolderModule } from './scaffolder';

import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { aiPlatformPermissions } from '@internal/plugin-ai-platform-common';
import { registerActions } from './actions/registerActions';
import { AuditLog } from './audit/AuditLog';
import { DatabaseAuditStore } from './audit/DatabaseAuditStore';
import { migrateDatabase } from './database/migrateDatabase';
import { DatabaseEvalStore } from './evals/DatabaseEvalStore';
import { EvalService } from './evals/EvalService';
import { registerPermissionResources } from './permissions/registerPermissionResources';
import { scheduleUsageCollection } from './cost/createUsageCollection';
import { costStoreOf } from './cost/costStoreOf';
import { DatabaseBudgetStore } from './cost/DatabaseBudgetStore';
import { DatabaseCostQueries } from './cost/DatabaseCostQueries';
import { DatabaseUsageStore } from './cost/DatabaseUsageStore';
import { ClusterObserver } from './cost/ClusterObserver';
import { DatabaseClusterObservationStore } from './cost/DatabaseClusterObservationStore';
import { RunningFleetService } from './cost/RunningFleetService';
import { ClusterClients } from './deploy/ClusterClients';
import { QuotaUsageService } from './quotas/QuotaUsageService';
import { CatalogFleetSource } from './fleet/FleetSource';
import { QuotaService } from './quotas/QuotaService';
import { KueueStatusService } from './quotas/KueueStatusService';
import { createRouter } from './service/createRouter';
import { SloReader } from './slo/SloReader';
import { sloPrometheusFromConfig } from './slo/sloPrometheus';
import { SloService } from './slo/SloService';
import { readClusterConfigs } from '@internal/plugin-ai-platform-node';
import { DatabaseDeploymentStore } from './deploy/DatabaseDeploymentStore';
import { DeploymentService } from './deploy/DeploymentService';
import { KubernetesClusterClient } from './deploy/kube/KubernetesClusterClient';
import { readDeployOptions } from './deploy/types';
import { DatabaseCanaryStore } from './deploy/canary/DatabaseCanaryStore';
import {
  CanaryDriver,
  scheduleCanaryDriver,
} from './deploy/canary/CanaryDriver';
import { createCanaryEngines } from './deploy/canary/createCanaryEngines';
import { scheduleDemoEvalSeed } from './evals/seed/scheduleDemoEvalSeed';
import { createPlatformNotifications } from './notifications/createPlatformNotifications';

/**
 * The ai-platform backend plugin, served at /api/ai-platform: permissions,
 * the audit log, evals and gates, GPU quotas, GPU usage and cost, and
 * deployments of inference endpoints.
 */
export const aiPlatformPlugin = createBackendPlugin({
  pluginId: 'ai-platform',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await migrateDatabase(knex);
        }
        const auditLog = new AuditLog({
          store: DatabaseAuditStore.create({ knex }),
          auditor: deps.auditor,
          logger: deps.logger,
        });
        const evalStore = DatabaseEvalStore.create({ knex });
        const evals = new EvalService({
          store: evalStore,
          catalog: deps.catalog,
        });
        const fleet = new CatalogFleetSource({
          catalog: deps.catalog,
          auth: deps.auth,
        });
        const notifications = createPlatformNotifications({
          config: deps.config,
          knex,
          logger: deps.logger,
          notifications: deps.notifications,
        });
        const quotas = new QuotaService({
          knex,
          fleet,
          onDecided: notifications.onQuotaRequestDecided,
          allowOverCommit:
            deps.config.getOptionalBoolean(
              'aiPlatform.quotas.allowOverCommit',
            ) ?? false,
        });
        const costs = DatabaseCostQueries.create({ knex });
        const budgets = DatabaseBudgetStore.create({ knex, costs });
        await notifications.scheduleBudgetChecks({
          scheduler: deps.scheduler,
          budgets,
        });
        // The collector reads what runs with the portal's cluster credentials.
        const clusterObservations = DatabaseClusterObservationStore.create({
          knex,
        });
        const collectorTimeoutMs = readDeployOptions(
          deps.config,
        ).requestTimeoutMs;
        await scheduleUsageCollection({
          config: deps.config,
          scheduler: deps.scheduler,
          logger: deps.logger,
          fleet,
          usage: DatabaseUsageStore.create({ knex }),
          auditLog,
          observations: clusterObservations,
          clusters: new ClusterObserver({
            clusters: new ClusterClients({
              clusters: readClusterConfigs(deps.config),
              createClient: cluster =>
                new KubernetesClusterClient({
                  cluster,
                  requestTimeoutMs: collectorTimeoutMs,
                }),
            }),
          }),
        });
        const running = new RunningFleetService({
          fleet,
          observations: clusterObservations,
        });

        await scheduleDemoEvalSeed({
          config: deps.config,
          scheduler: deps.scheduler,
          logger: deps.logger,
          catalog: deps.catalog,
          auth: deps.auth,
          knex,
          auditLog,
        });

        const deployOptions = readDeployOptions(deps.config);
        const sloPrometheus = sloPrometheusFromConfig(deps.config);
        const deployments = new DeploymentService({
          store: DatabaseDeploymentStore.create({ knex }),
          catalog: deps.catalog,
          auth: deps.auth,
          permissions: deps.permissions,
          permissionsRegistry: deps.permissionsRegistry,
          quotas,
          evals,
          evalStore,
          auditLog,
          logger: deps.logger,
          clusters: readClusterConfigs(deps.config),
          createClient: cluster =>
            new KubernetesClusterClient({
              cluster,
              requestTimeoutMs: deployOptions.requestTimeoutMs,
            }),
          deploy: deployOptions,
          onFinished: notifications.onDeploymentFinished,
          canary: {
            store: DatabaseCanaryStore.create({ knex }),
            engines: createCanaryEngines(),
            prometheusUrlFor: cluster => sloPrometheus(cluster)?.url,
            onEnded: notifications.onCanaryEnded,
          },
        });
        // Canaries go on step by step on one replica, also after a restart.
        await scheduleCanaryDriver({
          scheduler: deps.scheduler,
          driver: new CanaryDriver({
            canaries: deployments.canaries!,
            deployments: DatabaseDeploymentStore.create({ knex }),
            reader: new SloReader({ prometheusFor: sloPrometheus }),
            logger: deps.logger,
          }),
        });
        await deployments.failInterrupted();
        // Also later: a replica that stopped mid-deploy leaves its record
        // running, and another replica may be the one still up.
        await deps.scheduler.scheduleTask({
          id: 'ai-platform-interrupted-deployments',
          scope: 'global',
          frequency: { minutes: 1 },
          timeout: { minutes: 1 },
          initialDelay: { minutes: 1 },
          fn: () => deployments.failInterrupted(),
        });

        deps.permissionsRegistry.addPermissions(aiPlatformPermissions);
        registerPermissionResources({
          permissionsRegistry: deps.permissionsRegistry,
          catalog: deps.catalog,
          auth: deps.auth,
          namespaceOwners: deployments.namespaceOwners,
        });
        registerActions({
          costStore: costs,
          actionsRegistry: deps.actionsRegistry,
          evals,
          quotas,
          catalog: deps.catalog,
          deployments,
        });

        const slos = new SloService({
          catalog: deps.catalog,
          reader: new SloReader({
            prometheusFor: sloPrometheusFromConfig(deps.config),
          }),
        });
        await notifications.scheduleSloChecks({
          scheduler: deps.scheduler,
          slos,
          auth: deps.auth,
        });

        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            logger: deps.logger,
            auditLog,
            evals,
            evalStore,
            quotas,
            costStore: costStoreOf(costs, budgets),
            kueue: new KueueStatusService({ config: deps.config, fleet }),
            deployments: { service: deployments, catalog: deps.catalog },
            slos,
            running,
            quotaUsage: new QuotaUsageService({ knex, running }),
            endpointTitles: async () =>
              new Map(
                (await fleet.snapshot()).endpoints.map(e => [e.ref, e.title]),
              ),
          }),
        );
      },
    });
  },
});

import type {
  AuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  type ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import type { Knex } from 'knex';
import type { AuditLog } from '../../audit/AuditLog';
import { seedDemoEvalResults } from './demoEvalResults';

/**
 * With `aiPlatform.evals.seedDemoResults`, fills an empty eval store with
 * demo results for the catalog's models once the catalog has them (it may
 * still be reading its locations when the backend starts), then stops. The
 * runs it writes are recorded in the audit log, marked as demo data.
 */
export async function scheduleDemoEvalSeed(options: {
  config: RootConfigService;
  scheduler: SchedulerService;
  logger: LoggerService;
  catalog: CatalogService;
  auth: AuthService;
  knex: Knex;
  /** Where the seeded runs are recorded. */
  auditLog?: AuditLog;
}) {
  const { config, scheduler, logger, catalog, auth, knex, auditLog } = options;
  if (!config.getOptionalBoolean('aiPlatform.evals.seedDemoResults')) {
    return;
  }
  let done = false;
  await scheduler.scheduleTask({
    id: 'ai-platform-demo-eval-seed',
    scope: 'global',
    frequency: { seconds: 30 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      if (done) return;
      const { items } = await catalog.getEntities(
        { filter: { kind: 'Model' } },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const models = items.filter(isModelEntity) as ModelEntityV1alpha1[];
      if (models.length === 0) {
        logger.debug('No Models in the catalog yet; demo eval results wait');
        return;
      }
      const written = await seedDemoEvalResults({
        knex,
        models,
        now: new Date(),
        auditLog,
      });
      done = true;
      if (written > 0) {
        logger.info('Seeded demo eval results', {
          runs: written,
          models: models.length,
        });
      }
    },
  });
}

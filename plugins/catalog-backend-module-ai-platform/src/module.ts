import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { AiPlatformEntitiesProcessor } from './processor/AiPlatformEntitiesProcessor';
import { CatalogRelatedEntityLookup } from './processor/RelatedEntityLookup';
import {
  DiscoveredCapacityProcessor,
  DiscoverySnapshot,
  GpuPoolDiscoveryProvider,
  readDiscoveryConfig,
} from './discovery';
import {
  AiPlatformRunningVersions,
  RunningVersionProcessor,
} from './running/RunningVersionProcessor';

/**
 * Adds the Model, InferenceEndpoint and GpuPool kinds to the catalog:
 * validation with clear errors, relations, and cross-entity checks; and
 * the running revision and model version of endpoints, from the deployment
 * records; and, when `aiPlatform.discovery.enabled`, GpuPools discovered
 * from the configured clusters.
 */
export const catalogModuleAiPlatform = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ai-platform',
  register(reg) {
    reg.registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
      },
      async init({
        processing,
        catalog,
        auth,
        discovery,
        logger,
        config,
        scheduler,
      }) {
        processing.addProcessor(
          new AiPlatformEntitiesProcessor({
            lookup: new CatalogRelatedEntityLookup({ catalog, auth }),
            logger,
          }),
        );
        processing.addProcessor(
          new RunningVersionProcessor(
            new AiPlatformRunningVersions({ discovery, auth, logger }),
          ),
        );
        const settings = readDiscoveryConfig(config);
        if (settings) {
          const snapshot = new DiscoverySnapshot();
          processing.addEntityProvider(
            GpuPoolDiscoveryProvider.create({
              settings,
              scheduler,
              logger,
              catalog,
              auth,
              snapshot,
            }),
          );
          processing.addProcessor(new DiscoveredCapacityProcessor(snapshot));
        }
      },
    });
  },
});

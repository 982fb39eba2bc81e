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
  AiPlatformRunningVersions,
  RunningVersionProcessor,
} from './running/RunningVersionProcessor';

/**
 * Adds the Model, InferenceEndpoint and GpuPool kinds to the catalog:
 * validation with clear errors, relations, and cross-entity checks; and
 * the running revision and model version of endpoints, from the deployment
 * records.
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
      },
      async init({ processing, catalog, auth, discovery, logger }) {
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
      },
    });
  },
});

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

/**
 * Adds the Model, InferenceEndpoint and GpuPool kinds to the catalog:
 * validation with clear errors, relations, and cross-entity checks.
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
        logger: coreServices.logger,
      },
      async init({ processing, catalog, auth, logger }) {
        processing.addProcessor(
          new AiPlatformEntitiesProcessor({
            lookup: new CatalogRelatedEntityLookup({ catalog, auth }),
            logger,
          }),
        );
      },
    });
  },
});

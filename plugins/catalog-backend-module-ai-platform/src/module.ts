import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { CatalogModelSources } from '@backstage/catalog-model/alpha';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogModelExtensionPoint } from '@backstage/plugin-catalog-node/alpha';
import { aiPlatformCatalogModel } from './model/aiPlatformCatalogModel';
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
 * Adds the Model, InferenceEndpoint and GpuPool kinds to the catalog: the
 * catalog model layer (kinds, spec types, relation fields and pairs; the
 * catalog's model processor validates against it and emits the relations),
 * registered together with Backstage's default model, which a model source
 * replaces the built-in kinds processor with; our processor for validation
 * with clear errors and the checks that span entities; and
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
        catalogModel: catalogModelExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
      },
      async init({
        processing,
        catalogModel,
        catalog,
        auth,
        discovery,
        logger,
        config,
        scheduler,
      }) {
        // A model source replaces the catalog's BuiltinKindsEntityProcessor
        // with its ModelProcessor: keep Backstage's default model (Component,
        // Group, User, ...) beside ours.
        catalogModel.addModelSource(
          CatalogModelSources.static([aiPlatformCatalogModel]),
        );
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

import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCatalogRegisterLocalAction } from './createCatalogRegisterLocalAction';
import { createPublishLocalAction } from './createPublishLocalAction';
import { readLocalPublishDirectory } from './readLocalPublishDirectory';

export { createCatalogRegisterLocalAction } from './createCatalogRegisterLocalAction';
export { createPublishLocalAction } from './createPublishLocalAction';
export {
  LOCAL_PUBLISH_DIRECTORY_KEY,
  readLocalPublishDirectory,
} from './readLocalPublishDirectory';

/**
 * The demo portal's local publishing, for a portal without a Git host:
 * `ai-platform:publish:local` copies a template's workspace into a folder
 * the catalog reads as a `file` location, and
 * `ai-platform:catalog:register-local` asks the catalog to read it now. Demo
 * plumbing, so it lives in the demo's backend rather than in the product's
 * scaffolder module; the vllm-service template uses both when no GitHub
 * repository is given.
 */
export const scaffolderModuleLocalPublish = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ai-platform-local-publish',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, auth, discovery, config }) {
        const directory = readLocalPublishDirectory(config);
        scaffolder.addActions(
          createPublishLocalAction({ directory }),
          createCatalogRegisterLocalAction({
            discovery,
            auth,
            config,
            directory,
          }),
        );
      },
    });
  },
});

export default scaffolderModuleLocalPublish;

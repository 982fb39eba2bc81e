import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { AiPlatformClient } from '@internal/plugin-ai-platform-node';
import { createEndpointDeployAction } from './actions/createEndpointDeployAction';
import { createEndpointRenderAction } from './actions/createEndpointRenderAction';
import { createModelSizeAction } from './actions/createModelSizeAction';

/**
 * The scaffolder's ai-platform actions: size a model on a pool, render and
 * deploy an inference endpoint, through the ai-platform API as the user who
 * runs the template. (Publishing into a local folder the catalog reads is
 * the demo backend's: packages/backend/src/modules/localPublish.)
 */
export const scaffolderModuleAiPlatform = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ai-platform',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, auth, discovery, config }) {
        const client = new AiPlatformClient({ discovery });
        scaffolder.addActions(
          createModelSizeAction({ client, auth }),
          createEndpointRenderAction({ client, auth }),
          createEndpointDeployAction({
            client,
            auth,
            simulatedClusters: config.getOptionalStringArray(
              'aiPlatform.demo.simulatedClusters',
            ),
          }),
        );
      },
    });
  },
});

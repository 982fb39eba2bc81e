/**
 * Scaffolder actions of the AI platform: `ai-platform:model:size`,
 * `ai-platform:endpoint:render`, `ai-platform:endpoint:deploy`,
 * `ai-platform:publish:local` and `ai-platform:catalog:register-local`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleAiPlatform as default } from './module';
export { createModelSizeAction } from './actions/createModelSizeAction';
export { createEndpointRenderAction } from './actions/createEndpointRenderAction';
export {
  createEndpointDeployAction,
  formatDeploymentEvent,
  summarizeDeployment,
} from './actions/createEndpointDeployAction';
export { createPublishLocalAction } from './actions/createPublishLocalAction';
export { createCatalogRegisterLocalAction } from './actions/createCatalogRegisterLocalAction';
export {
  LOCAL_PUBLISH_DIRECTORY_KEY,
  readLocalPublishDirectory,
} from './publish/readLocalPublishDirectory';

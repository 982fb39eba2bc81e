/**
 * Scaffolder actions of the AI platform: `ai-platform:model:size`,
 * `ai-platform:endpoint:render` and `ai-platform:endpoint:deploy`; and the
 * helpers other scaffolder modules use to call a plugin as the task's user.
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
export { describeError } from './actions/describeError';
export { initiatorToken } from './actions/initiatorToken';

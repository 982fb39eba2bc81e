export {
  aiPlatformApiRef,
  type AiPlatformApi,
  type CostWindow,
  type DownloadedFile,
  type EndpointName,
  type RunningDeployment,
} from './AiPlatformApi';
export { AiPlatformClient } from './AiPlatformClient';

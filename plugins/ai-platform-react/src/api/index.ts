export {
  aiPlatformApiRef,
  type AiPlatformApi,
  type CostWindow,
  type DownloadedFile,
} from './AiPlatformApi';
export { AiPlatformClient } from './AiPlatformClient';

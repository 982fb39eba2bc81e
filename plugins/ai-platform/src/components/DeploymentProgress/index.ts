export {
  DeploymentDetails,
  DeploymentProgress,
  DeploymentState,
  outcomeText,
  POLL_INTERVAL_MS,
} from './DeploymentProgress';

export { EndpointDeploymentCard } from './EndpointDeploymentCard';
export {
  appliedRevisions,
  DeploymentDialog,
  defaultRollbackTarget,
} from './DeploymentDialog';

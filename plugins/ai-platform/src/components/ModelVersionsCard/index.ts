export { ModelVersionsCard, servedVersion } from './ModelVersionsCard';

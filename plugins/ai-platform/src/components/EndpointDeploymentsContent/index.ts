export { EndpointDeploymentsContent } from './EndpointDeploymentsContent';

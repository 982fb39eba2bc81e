export { createGatewayApiEngine } from './createGatewayApiEngine';
export {
  canaryReplicasAt,
  canaryReplicasFor,
  renderGatewayCanary,
} from './renderGatewayCanary';
export { canaryName, routeWeights } from './httpRoute';

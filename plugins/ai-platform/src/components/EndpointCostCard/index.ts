export { EndpointCostCard } from './EndpointCostCard';

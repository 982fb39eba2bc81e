export { EndpointCanaryCard } from './EndpointCanaryCard';

export { EndpointSloCard } from './EndpointSloCard';

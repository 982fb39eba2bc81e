export { EndpointOverviewCard } from './EndpointOverviewCard';

export { ModelDetailsCard } from './ModelDetailsCard';

export { CostPage, LegacyCostPage } from './CostPage';

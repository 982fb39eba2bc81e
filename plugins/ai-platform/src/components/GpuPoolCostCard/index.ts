export { GpuPoolCostCard, utilizationOf } from './GpuPoolCostCard';

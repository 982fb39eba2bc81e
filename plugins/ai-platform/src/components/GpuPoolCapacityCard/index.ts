export { GpuPoolCapacityCard } from './GpuPoolCapacityCard';

export { GpuPoolEndpointsCard } from './GpuPoolEndpointsCard';

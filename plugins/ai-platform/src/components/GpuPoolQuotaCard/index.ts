export { GpuPoolQuotaCard } from './GpuPoolQuotaCard';

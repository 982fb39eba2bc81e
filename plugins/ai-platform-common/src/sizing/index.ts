export * from './estimateGpuSizing';

export * from './estimateGpuSizing';
export * from './sizeModelForPool';

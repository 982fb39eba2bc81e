export { deriveGpuPools, entityNameFor, GFD_LABELS } from './deriveGpuPools';
export {
  DiscoveredCapacityProcessor,
  isDiscoveredPool,
} from './DiscoveredCapacityProcessor';
export { DiscoverySnapshot } from './DiscoverySnapshot';
export {
  GpuPoolDiscoveryProvider,
  type GpuPoolDiscoveryResult,
  type InventoryReader,
} from './GpuPoolDiscoveryProvider';
export { readClusterInventory } from './readClusterInventory';
export {
  DEFAULT_DISCOVERY_OWNER,
  DEFAULT_DISCOVERY_SCHEDULE,
  readDiscoveryConfig,
  type DiscoverySettings,
} from './readDiscoveryConfig';
export type * from './types';

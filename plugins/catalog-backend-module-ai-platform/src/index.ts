/**
 * Catalog module for the ai-platform kinds: Model, InferenceEndpoint, GpuPool.
 *
 * @packageDocumentation
 */

export { catalogModuleAiPlatform as default } from './module';
export { AiPlatformEntitiesProcessor } from './processor/AiPlatformEntitiesProcessor';
export {
  CatalogRelatedEntityLookup,
  type RelatedEntityLookup,
} from './processor/RelatedEntityLookup';
export {
  DiscoveredCapacityProcessor,
  DiscoverySnapshot,
  GpuPoolDiscoveryProvider,
  readDiscoveryConfig,
  type DiscoverySettings,
  type GpuPoolDiscoveryResult,
} from './discovery';

import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { CatalogProcessor } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_DISCOVERED_ALLOCATABLE,
  ANNOTATION_DISCOVERED_ALLOCATED,
  ANNOTATION_DISCOVERED_CAPACITY,
  ANNOTATION_DISCOVERED_NODES,
  ANNOTATION_DISCOVERY_ERROR,
  DISCOVERY_LOCATION_PREFIX,
  isGpuPoolEntity,
} from '@internal/plugin-ai-platform-common';
import { deployTargetAnnotations } from './deriveGpuPools';
import type { DiscoverySnapshot } from './DiscoverySnapshot';

/** Whether a GpuPool came from discovery rather than YAML. */
export function isDiscoveredPool(entity: Entity): boolean {
  return (
    entity.metadata.annotations?.[
      'backstage.io/managed-by-location'
    ]?.startsWith(DISCOVERY_LOCATION_PREFIX) ?? false
  );
}

/**
 * Shows the discovered capacity beside a GpuPool written in YAML when
 * discovery found a pool of the same name (which the YAML pool wins over):
 * the `ai-platform.io/discovered-*` annotations, from the latest discovery
 * run. The YAML spec is left as written.
 */
export class DiscoveredCapacityProcessor implements CatalogProcessor {
  constructor(private readonly snapshot: DiscoverySnapshot) {}

  getProcessorName(): string {
    return 'AiPlatformDiscoveredCapacityProcessor';
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (!isGpuPoolEntity(entity) || isDiscoveredPool(entity)) return entity;
    const figures = this.snapshot.get(stringifyEntityRef(entity));
    if (!figures) return entity;
    return {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          ...entity.metadata.annotations,
          [ANNOTATION_DISCOVERED_CAPACITY]: String(figures.capacity),
          [ANNOTATION_DISCOVERED_ALLOCATABLE]: String(figures.allocatable),
          [ANNOTATION_DISCOVERED_ALLOCATED]: String(figures.allocated),
          [ANNOTATION_DISCOVERED_NODES]: String(figures.nodes),
          ...deployTargetAnnotations(figures.deployTargets),
          ...(figures.error
            ? { [ANNOTATION_DISCOVERY_ERROR]: figures.error }
            : {}),
        },
      },
    };
  }
}

import type { AuthService } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  canonicalEntityRef,
  gpuResourceName,
  gpusNeeded,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
} from '@internal/plugin-ai-platform-common';

/** A GPU pool as quotas and cost see it. */
export type PoolInfo = {
  ref: string;
  title: string;
  cluster: string;
  /** Total GPUs (or slices): spec.gpu.count. */
  capacity: number;
  product: string;
  /** Baseline quotas from spec.quotas, by team ref. */
  baselines: Map<string, number>;
  price?: { amount: number; currency: string };
  /** The extended resource the pool's workloads request. */
  resourceName: string;
  kueue?: {
    clusterQueue?: string;
    localQueue?: string;
    resourceFlavor?: string;
  };
};

/** An endpoint as quotas and cost see it. */
export type EndpointInfo = {
  ref: string;
  title: string;
  teamRef: string;
  poolRef: string;
  modelRef: string;
  modelVersion: string;
  /** The worst case the quota reserves: gpusPerReplica x maxReplicas (or replicas). */
  gpusNeeded: number;
  /** GPUs of the replicas asked for now: gpusPerReplica x replicas. */
  gpusRequested: number;
  /** The Kubernetes namespace it is deployed into (spec.namespace), when set. */
  namespace?: string;
  /**
   * The name its workloads carry in the `backstage.io/kubernetes-id` label:
   * the entity's annotation of that name, else its name (as the deploy
   * service renders it).
   */
  kubernetesId?: string;
};

/** The pools and endpoints of the fleet. */
export type FleetSnapshot = { pools: PoolInfo[]; endpoints: EndpointInfo[] };

/** Where the fleet comes from: the catalog in the plugin, fixtures in tests. */
export interface FleetSource {
  snapshot(): Promise<FleetSnapshot>;
}

/** An entity ref in canonical form; a Group by default. InputError when malformed. */
export function canonicalRef(
  ref: string,
  defaultKind = 'Group',
  namespace = 'default',
): string {
  try {
    return canonicalEntityRef(ref, {
      defaultKind,
      defaultNamespace: namespace,
    });
  } catch {
    throw new InputError(
      `${JSON.stringify(
        ref,
      )} is not an entity ref such as ${defaultKind.toLocaleLowerCase(
        'en-US',
      )}:default/name`,
    );
  }
}

/** Reads pools and endpoints from the catalog entities. */
export function fleetFromEntities(entities: Entity[]): FleetSnapshot {
  const pools: PoolInfo[] = [];
  const endpoints: EndpointInfo[] = [];
  for (const entity of entities) {
    const ns = entity.metadata.namespace ?? 'default';
    if (isGpuPoolEntity(entity)) {
      pools.push({
        ref: stringifyEntityRef(entity),
        title: entity.metadata.title ?? entity.metadata.name,
        cluster: entity.spec.cluster,
        capacity: entity.spec.gpu.count,
        product: entity.spec.gpu.product,
        baselines: new Map(
          (entity.spec.quotas ?? []).map(q => [
            canonicalRef(q.team, 'Group', ns),
            q.gpus,
          ]),
        ),
        price: entity.spec.costPerGpuHour,
        resourceName: gpuResourceName(entity.spec.gpu),
        kueue: entity.spec.kueue,
      });
    } else if (
      isInferenceEndpointEntity(entity) &&
      entity.spec.gpuPool &&
      entity.spec.resources
    ) {
      endpoints.push({
        ref: stringifyEntityRef(entity),
        title: entity.metadata.title ?? entity.metadata.name,
        teamRef: canonicalRef(entity.spec.owner, 'Group', ns),
        poolRef: canonicalRef(entity.spec.gpuPool, 'GpuPool', ns),
        modelRef: canonicalRef(entity.spec.model, 'Model', ns),
        modelVersion: entity.spec.modelVersion,
        gpusNeeded: gpusNeeded(entity.spec.resources),
        gpusRequested:
          entity.spec.resources.gpusPerReplica * entity.spec.resources.replicas,
        ...(entity.spec.namespace ? { namespace: entity.spec.namespace } : {}),
        kubernetesId:
          entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ??
          entity.metadata.name,
      });
    }
  }
  return { pools, endpoints };
}

/** The fleet as the catalog has it, read with the plugin's own credentials. */
export class CatalogFleetSource implements FleetSource {
  constructor(
    private readonly options: { catalog: CatalogService; auth: AuthService },
  ) {}

  async snapshot(): Promise<FleetSnapshot> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.getEntities(
      { filter: [{ kind: 'GpuPool' }, { kind: 'InferenceEndpoint' }] },
      { credentials },
    );
    return fleetFromEntities(items);
  }
}

import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  type EndpointSloReport,
  type InferenceEndpointEntityV1alpha1,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  type SloFleetResponse,
} from '@internal/plugin-ai-platform-common';
import { canonicalRef } from '../fleet/FleetSource';
import { hasTargets, type SloEndpoint, SloReader } from './SloReader';

/** Endpoints read at once for the fleet view. */
const FLEET_CONCURRENCY = 4;

/**
 * SLOs of the endpoints a caller may read: the catalog (read with the
 * caller's credentials, so it decides visibility) names each endpoint's
 * targets, namespace, workload name and pool; the pool names the cluster,
 * whose Prometheus the reader asks.
 */
export class SloService {
  constructor(
    private readonly options: { catalog: CatalogService; reader: SloReader },
  ) {}

  /** One endpoint's report with its trend; NotFoundError when the caller cannot read it. */
  async endpoint(options: {
    endpointRef: string;
    credentials: BackstageCredentials;
  }): Promise<EndpointSloReport> {
    const { catalog } = this.options;
    const entity = await catalog.getEntityByRef(options.endpointRef, {
      credentials: options.credentials,
    });
    if (!entity || !isInferenceEndpointEntity(entity)) {
      throw new NotFoundError(`No endpoint ${options.endpointRef}`);
    }
    const pool = entity.spec.gpuPool
      ? await catalog.getEntityByRef(
          canonicalRef(
            entity.spec.gpuPool,
            'GpuPool',
            entity.metadata.namespace ?? 'default',
          ),
          { credentials: options.credentials },
        )
      : undefined;
    return this.options.reader.read(sloEndpointOf(entity, pool), {
      trend: true,
    });
  }

  /** Every endpoint with targets (of one team, if given), least budget left first. */
  async fleet(options: {
    team?: string;
    credentials: BackstageCredentials;
  }): Promise<SloFleetResponse> {
    const { items } = await this.options.catalog.getEntities(
      { filter: [{ kind: 'InferenceEndpoint' }, { kind: 'GpuPool' }] },
      { credentials: options.credentials },
    );
    const pools = new Map(
      items.filter(isGpuPoolEntity).map(p => [stringifyEntityRef(p), p]),
    );
    const endpoints = items
      .filter(isInferenceEndpointEntity)
      .filter(e => hasTargets(e.spec.slo))
      .map(e => {
        const ns = e.metadata.namespace ?? 'default';
        const pool = e.spec.gpuPool
          ? pools.get(canonicalRef(e.spec.gpuPool, 'GpuPool', ns))
          : undefined;
        return sloEndpointOf(e, pool);
      })
      .filter(e => !options.team || e.teamRef === options.team);
    const reports: EndpointSloReport[] = new Array(endpoints.length);
    let next = 0;
    await Promise.all(
      Array.from(
        { length: Math.min(FLEET_CONCURRENCY, endpoints.length) },
        async () => {
          while (next < endpoints.length) {
            const i = next++;
            reports[i] = await this.options.reader.read(endpoints[i]);
          }
        },
      ),
    );
    return { items: reports.sort(byBudgetLeft) };
  }
}

/** Least budget left first; endpoints without figures last, by name. */
function byBudgetLeft(a: EndpointSloReport, b: EndpointSloReport) {
  const x = a.budgetLeft ?? Infinity;
  const y = b.budgetLeft ?? Infinity;
  if (x !== y) return x < y ? -1 : 1;
  return a.endpointRef.localeCompare(b.endpointRef);
}

/** What the reader needs of an endpoint entity and its pool. */
export function sloEndpointOf(
  entity: InferenceEndpointEntityV1alpha1,
  pool: Entity | undefined,
): SloEndpoint {
  const ns = entity.metadata.namespace ?? 'default';
  const cluster = pool && isGpuPoolEntity(pool) ? pool.spec.cluster : undefined;
  let unmeasurable: string | undefined;
  if (entity.spec.type !== 'vllm') {
    unmeasurable = `The endpoint is served by ${entity.spec.type}; the portal reads vLLM's metrics only.`;
  } else if (entity.spec.gpuPool && !cluster) {
    unmeasurable = `Its pool ${entity.spec.gpuPool} is not in the catalog (or not readable), so its cluster is unknown.`;
  }
  return {
    endpointRef: stringifyEntityRef(entity),
    title: entity.metadata.title ?? entity.metadata.name,
    teamRef: canonicalRef(entity.spec.owner, 'Group', ns),
    cluster,
    namespace: entity.spec.namespace,
    // The workload's name, as the renderer derives it.
    workload:
      entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ??
      entity.metadata.name,
    slo: entity.spec.slo ?? {},
    ...(unmeasurable ? { unmeasurable } : {}),
  };
}

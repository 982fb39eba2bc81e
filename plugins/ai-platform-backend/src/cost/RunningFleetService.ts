import type {
  ClusterRunState,
  EndpointRunState,
  RunningFleetResponse,
} from '@internal/plugin-ai-platform-common';
import type { FleetSnapshot, FleetSource } from '../fleet/FleetSource';
import { holdsGpus } from './clusterObservation';
import type {
  ClusterObservationStore,
  StoredClusterObservation,
} from './DatabaseClusterObservationStore';
import {
  matchRunningFleet,
  type ClusterView,
  type RunningFleet,
} from './matchRunningFleet';

const iso = (seconds?: number) =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();

/**
 * What runs now, as the collector last listed the clusters: the catalog's
 * endpoints matched to the stored listings (no cluster call per read), each
 * with its state and basis. The cost, quota and endpoint pages read it.
 */
export class RunningFleetService {
  constructor(
    private readonly options: {
      fleet: FleetSource;
      observations: ClusterObservationStore;
    },
  ) {}

  /** The stored listings as views: the cluster state, or the last known state of a cluster that failed since. */
  async views(
    clusters: string[],
    known?: Map<string, StoredClusterObservation>,
  ): Promise<Map<string, ClusterView>> {
    const stored = known ?? (await this.options.observations.all());
    const views = new Map<string, ClusterView>();
    for (const cluster of clusters) {
      const entry = stored.get(cluster);
      const observation = entry?.observation;
      if (!observation) {
        views.set(cluster, {
          cluster,
          basis: 'none',
          failure:
            entry?.failure ??
            `cluster ${cluster} has not been read by the usage collector yet`,
        });
      } else if (
        entry?.failedAt !== undefined &&
        entry.failedAt >= observation.observedAt
      ) {
        views.set(cluster, {
          cluster,
          basis: 'last-known-state',
          observation,
          failure: entry.failure,
        });
      } else {
        views.set(cluster, { cluster, basis: 'cluster-state', observation });
      }
    }
    return views;
  }

  /** The fleet matched to the stored listings. */
  async current(snapshot?: FleetSnapshot): Promise<{
    snapshot: FleetSnapshot;
    fleet: RunningFleet;
    clusters: ClusterRunState[];
  }> {
    const fleetSnapshot = snapshot ?? (await this.options.fleet.snapshot());
    const names = [...new Set(fleetSnapshot.pools.map(p => p.cluster))];
    const stored = await this.options.observations.all();
    const views = await this.views(names, stored);
    return {
      snapshot: fleetSnapshot,
      fleet: matchRunningFleet({ fleet: fleetSnapshot, clusters: views }),
      clusters: [...views.values()].map(v => ({
        cluster: v.cluster,
        basis: v.basis,
        ...(v.basis !== 'none'
          ? { observedAt: iso(v.observation.observedAt) }
          : {}),
        ...(v.failure ? { failure: v.failure } : {}),
        ...(stored.get(v.cluster)?.failedAt !== undefined
          ? { failedAt: iso(stored.get(v.cluster)!.failedAt) }
          : {}),
      })),
    };
  }

  /** The answer of `GET /fleet/running`, optionally for one endpoint. */
  async running(
    options: { endpoint?: string } = {},
  ): Promise<RunningFleetResponse & { found: boolean }> {
    const { fleet, clusters } = await this.current();
    const endpoints: EndpointRunState[] = fleet.endpoints
      .filter(r => !options.endpoint || r.endpoint.ref === options.endpoint)
      .map(r => ({
        endpointRef: r.endpoint.ref,
        title: r.endpoint.title,
        teamRef: r.endpoint.teamRef,
        poolRef: r.endpoint.poolRef,
        ...(r.cluster ? { cluster: r.cluster } : {}),
        ...(r.endpoint.namespace ? { namespace: r.endpoint.namespace } : {}),
        state: r.state,
        ...(r.origin ? { origin: r.origin } : {}),
        basis: r.basis,
        ...(r.observedAt !== undefined
          ? { observedAt: iso(r.observedAt) }
          : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        gpus: r.gpus,
        runningPods: r.pods.filter(holdsGpus).length,
        pendingPods: r.pods.filter(p => !p.nodeName && p.until === undefined)
          .length,
      }));
    const scoped = <T extends { endpointRef?: string }>(items: T[]) =>
      options.endpoint
        ? items.filter(i => i.endpointRef === options.endpoint)
        : items;
    return {
      found: endpoints.length > 0,
      clusters: options.endpoint
        ? clusters.filter(c => endpoints.some(e => e.cluster === c.cluster))
        : clusters,
      endpoints,
      foreignClaims: scoped(fleet.foreign),
      unmatched: options.endpoint ? [] : fleet.unmatched,
    };
  }
}

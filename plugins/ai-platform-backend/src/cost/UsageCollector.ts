import type { LoggerService } from '@backstage/backend-plugin-api';
import type { FleetSource } from '../fleet/FleetSource';
import type { ClusterReader } from './ClusterObserver';
import { heldSeconds } from './clusterObservation';
import type { ClusterObservationStore } from './DatabaseClusterObservationStore';
import {
  matchRunningFleet,
  podGpus,
  type ClusterView,
  type EndpointRun,
} from './matchRunningFleet';
import {
  queryPodMetrics,
  type PodMetrics,
  type PodMetricsQueries,
} from './podMetrics';
import type { PrometheusQuerier } from './PrometheusClient';
import { checkGenerationWeight, promptShare } from './tokenSplit';
import type { UsageIngest, UsageSample } from './types';

/** What one cluster's numbers rested on in a collection. */
export type CollectedCluster = {
  cluster: string;
  basis: 'cluster-state' | 'last-known-state' | 'none';
  /** When its workloads and pods were listed (now, or its last known state). */
  observedAt?: number;
  /** Why it was not read now. */
  failure?: string;
};

/** What the collector wrote, and what it rests on. */
export type CollectionResult = {
  /** Start of the first interval written (or that would have been). */
  intervalStart: number;
  intervalSeconds: number;
  /** Intervals written: one normally, more when catching up after a gap. */
  intervals: number;
  samples: number;
  /** Clusters whose Prometheus answered (tokens and utilisation known). */
  prometheusClusters: string[];
  /** Clusters whose Prometheus failed: their samples hold allocation only. */
  failedClusters: string[];
  /** Each cluster read, and what its numbers rest on. */
  clusters: CollectedCluster[];
  /** HTTP requests made to the clusters' API servers (LIST pages). */
  clusterRequests: number;
  /** HTTP requests made to Prometheus. */
  prometheusRequests: number;
  /** Endpoints in the catalog with nothing running (sampled at 0 GPUs). */
  declaredNotRunning: number;
  /** Workloads that claim an endpoint of another owner (reported, not billed). */
  foreignClaims: number;
  skipped?: 'already-collected';
};

/** The longest gap the collector fills after downtime or a late run. */
const MAX_CATCH_UP_SECONDS = 3600;

/**
 * Samples what runs. Each collection lists, per cluster, the Deployments
 * and Pods that carry `backstage.io/kubernetes-id` (one paginated LIST per
 * type), matches them to the catalog's endpoints (matchRunningFleet), and
 * for every interval since the stored samples end (at most an hour back)
 * bills each endpoint the GPU-seconds its bound, non-terminated pods held
 * in it, at its pool's price; an endpoint with nothing running is sampled
 * at 0 GPUs. A cluster that does not answer falls back to its last known
 * state, and its samples say so (`gpusBasis`). Where Prometheus is
 * configured, token counts and utilisation are read per namespace and pod
 * and attributed to the endpoint whose pods they are. Writes raw samples,
 * rolls them up, and prunes raw samples past the retention. Runs on the
 * scheduler with global scope, so once per interval across backend
 * replicas; a late or repeated run neither skips nor double counts an
 * interval.
 */
export class UsageCollector {
  constructor(
    private readonly options: {
      fleet: FleetSource;
      /** Reads the clusters (the fleet comes from them). */
      clusters: ClusterReader;
      /** Keeps each cluster's last listing: the last known state. */
      observations: ClusterObservationStore;
      ingest: UsageIngest & { lastSampleEnd?(): Promise<number | undefined> };
      logger: LoggerService;
      /** Prometheus per cluster name; `*` for all clusters. */
      prometheus?: Map<string, PrometheusQuerier>;
      intervalSeconds?: number;
      rawRetentionDays?: number;
      /** aiPlatform.cost.tokenSplit.generationWeight (tokenSplit.ts). */
      generationWeight?: number;
    },
  ) {
    const interval = options.intervalSeconds ?? 300;
    if (!(interval > 0) || 3600 % interval !== 0) {
      throw new Error(
        `aiPlatform.cost.collector.intervalMinutes must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60); got ${
          interval / 60
        }`,
      );
    }
    if (!((options.rawRetentionDays ?? 30) > 0)) {
      throw new Error(
        'aiPlatform.cost.collector.rawRetentionDays must be positive',
      );
    }
    this.generationWeight = checkGenerationWeight(options.generationWeight);
  }

  /** Checked when built: a bad weight fails the backend's start. */
  private readonly generationWeight: number;

  private get interval() {
    return this.options.intervalSeconds ?? 300;
  }

  private prometheusFor(cluster: string): PrometheusQuerier | undefined {
    return (
      this.options.prometheus?.get(cluster) ?? this.options.prometheus?.get('*')
    );
  }

  /** The [from, to) intervals not yet sampled before `now`, aligned to the interval. */
  private async pendingIntervals(now: Date): Promise<Array<[number, number]>> {
    const interval = this.interval;
    const end = Math.floor(now.getTime() / 1000 / interval) * interval;
    const lastEnd = await this.options.ingest.lastSampleEnd?.();
    let from = Math.max(lastEnd ?? end - interval, end - MAX_CATCH_UP_SECONDS);
    const intervals: Array<[number, number]> = [];
    while (from < end) {
      const next = Math.min(
        Math.floor(from / interval) * interval + interval,
        end,
      );
      intervals.push([from, next]);
      from = next;
    }
    return intervals;
  }

  /**
   * Reads every cluster of the fleet's pools: what runs now, or, for a
   * cluster that does not answer, its last known state. Saves what it read.
   */
  async observeClusters(
    clusters: string[],
    nowSeconds: number,
  ): Promise<{ views: Map<string, ClusterView>; requests: number }> {
    const stored = await this.options.observations.all();
    const views = new Map<string, ClusterView>();
    let requests = 0;
    await Promise.all(
      clusters.map(async cluster => {
        const previous = stored.get(cluster)?.observation;
        try {
          const { requests: made, ...observation } =
            await this.options.clusters.observe(cluster, nowSeconds);
          requests += made;
          await this.options.observations.save(observation);
          views.set(cluster, {
            cluster,
            basis: 'cluster-state',
            observation,
            ...(previous ? { previous } : {}),
          });
        } catch (error) {
          const failure =
            error instanceof Error ? error.message : String(error);
          requests += 1;
          await this.options.observations.markFailed({
            cluster,
            at: nowSeconds,
            failure,
          });
          this.options.logger.warn(
            'Cluster did not answer; usage rests on its last known state',
            { cluster, failure, lastKnownAt: previous?.observedAt ?? 'never' },
          );
          views.set(
            cluster,
            previous
              ? {
                  cluster,
                  basis: 'last-known-state',
                  observation: previous,
                  failure,
                }
              : { cluster, basis: 'none', failure },
          );
        }
      }),
    );
    return { views, requests };
  }

  /** Collects every complete interval before `now` that is not stored yet. */
  async collectOnce(now: Date = new Date()): Promise<CollectionResult> {
    const interval = this.interval;
    const intervals = await this.pendingIntervals(now);
    const end = Math.floor(now.getTime() / 1000 / interval) * interval;
    const result: CollectionResult = {
      intervalStart: intervals[0]?.[0] ?? end - interval,
      intervalSeconds: interval,
      intervals: intervals.length,
      samples: 0,
      prometheusClusters: [],
      failedClusters: [],
      clusters: [],
      clusterRequests: 0,
      prometheusRequests: 0,
      declaredNotRunning: 0,
      foreignClaims: 0,
    };
    if (!intervals.length) {
      return { ...result, skipped: 'already-collected' };
    }

    const snapshot = await this.options.fleet.snapshot();
    const clusterNames = [...new Set(snapshot.pools.map(p => p.cluster))];
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const { views, requests } = await this.observeClusters(
      clusterNames,
      nowSeconds,
    );
    result.clusterRequests = requests;
    result.clusters = [...views.values()].map(v => ({
      cluster: v.cluster,
      basis: v.basis,
      ...(v.basis !== 'none' ? { observedAt: v.observation.observedAt } : {}),
      ...(v.failure ? { failure: v.failure } : {}),
    }));
    const fleet = matchRunningFleet({ fleet: snapshot, clusters: views });
    result.foreignClaims = fleet.foreign.length;
    for (const claim of fleet.foreign) {
      this.options.logger.warn(
        'A workload claims an endpoint of another owner; not billed to it',
        { ...claim, gpus: String(claim.gpus) },
      );
    }

    const byCluster = new Map<string, EndpointRun[]>();
    for (const run of fleet.endpoints) {
      if (run.basis === 'none' || !run.pool?.price || !run.cluster) continue;
      if (run.state !== 'running') result.declaredNotRunning++;
      byCluster.set(run.cluster, [...(byCluster.get(run.cluster) ?? []), run]);
    }

    // Clusters in parallel (each its own Prometheus load), their intervals in turn.
    const perCluster = await Promise.all(
      [...byCluster].map(async ([cluster, runs]) => {
        const out: UsageSample[] = [];
        for (const [from, to] of intervals) {
          const metrics = await this.clusterMetrics(cluster, from, to, result);
          for (const run of runs) {
            out.push(this.sampleOf(run, from, to, metrics));
          }
        }
        return out;
      }),
    );
    const samples: UsageSample[] = perCluster.flat();
    if (samples.length) {
      await this.options.ingest.insertSamples(samples);
    }
    await this.options.ingest.rollup({
      fromSeconds: intervals[0][0],
      toSeconds: intervals[intervals.length - 1][1],
    });
    const retentionDays = this.options.rawRetentionDays ?? 30;
    const pruned = await this.options.ingest.pruneSamples({
      beforeSeconds: end - retentionDays * 86_400,
    });
    this.options.logger.info('Collected GPU usage', {
      intervalStart: new Date(intervals[0][0] * 1000).toISOString(),
      intervals: intervals.length,
      samples: samples.length,
      clusters: result.clusters.map(c => `${c.cluster}:${c.basis}`).join(','),
      clusterRequests: result.clusterRequests,
      prometheusRequests: result.prometheusRequests,
      prometheusClusters:
        [...new Set(result.prometheusClusters)].join(',') || 'none',
      prunedRawSamples: pruned,
    });
    return {
      ...result,
      prometheusClusters: [...new Set(result.prometheusClusters)],
      failedClusters: [...new Set(result.failedClusters)],
      samples: samples.length,
    };
  }

  /** One endpoint's sample of [from, to): the GPU-seconds its pods held, and its pods' metrics. */
  private sampleOf(
    run: EndpointRun,
    from: number,
    to: number,
    metrics: PodMetrics | undefined,
  ): UsageSample {
    const resource = run.pool!.resourceName;
    let gpuSeconds = 0;
    for (const pod of run.pods) {
      gpuSeconds += podGpus(pod, resource) * heldSeconds(pod, from, to);
    }
    for (const pod of run.vanished) {
      gpuSeconds +=
        podGpus(pod, resource) *
        heldSeconds(pod, from, to, run.vanishedSeenAt ?? from);
    }
    const pods = [...run.pods, ...run.vanished].map(
      p => `${p.namespace}/${p.name}`,
    );
    const own = metrics?.forPods(pods);
    const split = own ? promptShare(own, this.generationWeight) : undefined;
    const endpoint = run.endpoint;
    return {
      sampledAt: from,
      intervalSeconds: to - from,
      endpointRef: endpoint.ref,
      teamRef: endpoint.teamRef,
      modelRef: endpoint.modelRef,
      modelVersion: endpoint.modelVersion,
      poolRef: endpoint.poolRef,
      cluster: run.cluster!,
      gpus: Math.round((gpuSeconds / (to - from)) * 1e6) / 1e6,
      ...(own?.utilization !== undefined
        ? { gpuUtilization: own.utilization }
        : {}),
      ...(own?.promptTokens !== undefined
        ? { promptTokens: own.promptTokens }
        : {}),
      ...(own?.generationTokens !== undefined
        ? { generationTokens: own.generationTokens }
        : {}),
      pricePerGpuHour: run.pool!.price!.amount,
      currency: run.pool!.price!.currency,
      gpusBasis: run.basis as 'cluster-state' | 'last-known-state',
      ...(own ? { metricsBasis: 'prometheus' as const } : {}),
      ...(split ? { promptShare: split.share, splitBasis: split.basis } : {}),
      ...(own?.requests !== undefined ? { requests: own.requests } : {}),
    };
  }

  /** Token counts and utilisation per pod in one cluster; undefined without Prometheus or when it fails (reported, not fatal). */
  private async clusterMetrics(
    cluster: string,
    from: number,
    to: number,
    result: CollectionResult,
  ): Promise<PodMetrics | undefined> {
    const prometheus = this.prometheusFor(cluster);
    if (!prometheus) return undefined;
    const queries: PodMetricsQueries = { cluster, from, to };
    try {
      const metrics = await queryPodMetrics(prometheus, queries, () => {
        result.prometheusRequests++;
      });
      result.prometheusClusters.push(cluster);
      return metrics;
    } catch (error) {
      result.failedClusters.push(cluster);
      this.options.logger.warn(
        'Prometheus query failed; usage is sampled from the cluster state alone',
        { cluster, error: String(error) },
      );
      return undefined;
    }
  }
}

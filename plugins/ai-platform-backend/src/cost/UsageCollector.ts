import type { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { EndpointInfo, FleetSource } from '../quotas/FleetSource';
import type { PrometheusQuerier } from './PrometheusClient';
import type { UsageIngest, UsageSample } from './types';

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
  skipped?: 'already-collected';
};

const nameOf = (ref: string) => parseEntityRef(ref).name;

/** The longest gap the collector fills after downtime or a late run. */
const MAX_CATCH_UP_SECONDS = 3600;

/**
 * Samples the GPUs allocated to each endpoint (its replicas x GPUs per
 * replica, priced by its pool) for every interval since the stored samples
 * end (at most an hour back), and where a cluster's Prometheus is
 * configured, the vLLM token counters and DCGM utilisation of each interval.
 * Writes raw samples, rolls them up, and prunes raw samples past the
 * retention. Runs on the scheduler with global scope, so once per interval
 * across backend replicas; a late or repeated run neither skips nor double
 * counts an interval.
 */
export class UsageCollector {
  constructor(
    private readonly options: {
      fleet: FleetSource;
      ingest: UsageIngest & { lastSampleEnd?(): Promise<number | undefined> };
      logger: LoggerService;
      /** Prometheus per cluster name; `*` for all clusters. */
      prometheus?: Map<string, PrometheusQuerier>;
      intervalSeconds?: number;
      rawRetentionDays?: number;
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
  }

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
    };
    if (!intervals.length) {
      return { ...result, skipped: 'already-collected' };
    }

    const snapshot = await this.options.fleet.snapshot();
    const pools = new Map(snapshot.pools.map(p => [p.ref, p]));
    const byCluster = new Map<string, EndpointInfo[]>();
    for (const endpoint of snapshot.endpoints) {
      const pool = pools.get(endpoint.poolRef);
      if (!pool?.price) continue;
      byCluster.set(pool.cluster, [
        ...(byCluster.get(pool.cluster) ?? []),
        endpoint,
      ]);
    }

    const samples: UsageSample[] = [];
    for (const [cluster, endpoints] of byCluster) {
      for (const [from, to] of intervals) {
        const metrics = await this.clusterMetrics(cluster, from, to, result);
        for (const endpoint of endpoints) {
          const pool = pools.get(endpoint.poolRef)!;
          const name = nameOf(endpoint.ref);
          samples.push({
            sampledAt: from,
            intervalSeconds: to - from,
            endpointRef: endpoint.ref,
            teamRef: endpoint.teamRef,
            modelRef: endpoint.modelRef,
            modelVersion: endpoint.modelVersion,
            poolRef: endpoint.poolRef,
            cluster,
            gpus: endpoint.gpusRequested,
            gpuUtilization: metrics?.utilization.get(name),
            promptTokens: metrics?.promptTokens.get(name),
            generationTokens: metrics?.generationTokens.get(name),
            pricePerGpuHour: pool.price!.amount,
            currency: pool.price!.currency,
          });
        }
      }
    }
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

  /**
   * Token counts and utilisation per endpoint name in one cluster, or
   * undefined without Prometheus (or when it fails: reported, not fatal).
   * Both are attributed by pod, named `<endpoint>-<hash>-<suffix>` as a
   * Deployment names its pods: the scrape adds the pod to vLLM's counters
   * and the DCGM exporter labels utilisation with it. vLLM's own
   * `model_name` label is the served model name (our manifests pass the
   * Model's name as --served-model-name, which endpoints of one model share),
   * so it names the endpoint only for series without a pod label.
   */
  private async clusterMetrics(
    cluster: string,
    from: number,
    end: number,
    result: CollectionResult,
  ) {
    const prometheus = this.prometheusFor(cluster);
    if (!prometheus) return undefined;
    const range = `${end - from}s`;
    try {
      const [prompt, generation, util] = await Promise.all([
        prometheus.query(
          `sum by (model_name, pod) (increase(vllm:prompt_tokens_total[${range}]))`,
          end,
        ),
        prometheus.query(
          `sum by (model_name, pod) (increase(vllm:generation_tokens_total[${range}]))`,
          end,
        ),
        prometheus.query(
          `avg by (pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[${range}]))`,
          end,
        ),
      ]);
      const endpointOfPod = (pod?: string) =>
        pod?.replace(/-[a-z0-9]{5,10}-[a-z0-9]{5}$/, '');
      const tokensByEndpoint = (series: typeof prompt) => {
        const sums = new Map<string, number>();
        for (const s of series) {
          const endpoint = endpointOfPod(s.labels.pod) ?? s.labels.model_name;
          if (!endpoint) continue;
          sums.set(endpoint, (sums.get(endpoint) ?? 0) + s.value);
        }
        return new Map([...sums].map(([k, v]) => [k, Math.round(v)]));
      };
      const utilization = new Map<string, number[]>();
      for (const s of util) {
        const endpoint = endpointOfPod(s.labels.pod);
        if (!endpoint) continue;
        utilization.set(endpoint, [
          ...(utilization.get(endpoint) ?? []),
          s.value / 100,
        ]);
      }
      result.prometheusClusters.push(cluster);
      return {
        promptTokens: tokensByEndpoint(prompt),
        generationTokens: tokensByEndpoint(generation),
        utilization: new Map(
          [...utilization].map(([k, v]) => [
            k,
            Math.min(Math.max(v.reduce((a, b) => a + b, 0) / v.length, 0), 1),
          ]),
        ),
      };
    } catch (error) {
      result.failedClusters.push(cluster);
      this.options.logger.warn(
        'Prometheus query failed; usage is sampled from allocation only',
        {
          cluster,
          error: String(error),
        },
      );
      return undefined;
    }
  }
}

import type {
  EndpointSloReport,
  SloCurrentFigures,
  SloObjectiveKind,
  SloObjectiveReport,
  SloTrendPoint,
  SloWindowCounts,
} from '@internal/plugin-ai-platform-common';
import type { PrometheusSample } from '../cost/PrometheusClient';
import {
  DEFAULT_WINDOW_DAYS,
  objectiveReport,
  snapToBoundary,
} from './sloMath';
import type { SloPrometheusTarget } from './sloPrometheus';
import {
  bucketBoundariesQuery,
  isServerError,
  kvCacheQuery,
  latencyCountsQuery,
  type LatencyKind,
  p95Query,
  podSelector,
  runningQuery,
  statusCountsQuery,
  statusRatesQuery,
  VLLM_BUCKETS,
  VLLM_METRICS,
  waitingQuery,
} from './sloQueries';

/** An endpoint as the SLO reader needs it (from the catalog). */
export type SloEndpoint = {
  endpointRef: string;
  title: string;
  teamRef: string;
  cluster?: string;
  namespace?: string;
  workload?: string;
  slo: {
    ttftP95Ms?: number;
    latencyP95Ms?: number;
    availability?: number;
    itlP95Ms?: number;
    windowDays?: number;
  };
  /** Set when the endpoint is not one the portal can measure (why). */
  unmeasurable?: string;
};

const LATENCY_TARGETS: Array<
  [LatencyKind, 'ttftP95Ms' | 'latencyP95Ms' | 'itlP95Ms']
> = [
  ['ttft', 'ttftP95Ms'],
  ['latency', 'latencyP95Ms'],
  ['itl', 'itlP95Ms'],
];

/** Whether an endpoint sets any SLO target. */
export function hasTargets(slo: SloEndpoint['slo'] | undefined): boolean {
  return (
    !!slo &&
    [slo.availability, slo.ttftP95Ms, slo.latencyP95Ms, slo.itlP95Ms].some(
      v => v !== undefined,
    )
  );
}

const TREND_SECONDS = 6 * 3600;
const TREND_STEP = 900;

/**
 * Reads an endpoint's SLO figures from the Prometheus of its cluster: per
 * objective, the window's requests and bad ones (and those of the last 1 h
 * and 6 h) for the budget and burn rates (sloMath.ts), plus what it serves
 * now and, on request, a 6 h trend. Every query selects the endpoint's pods
 * by namespace and name (sloQueries.ts).
 */
export class SloReader {
  constructor(
    private readonly options: {
      prometheusFor: (cluster: string) => SloPrometheusTarget | undefined;
      now?: () => Date;
    },
  ) {}

  async read(
    endpoint: SloEndpoint,
    options: { trend?: boolean } = {},
  ): Promise<EndpointSloReport> {
    const now = (this.options.now ?? (() => new Date()))();
    const windowDays = endpoint.slo.windowDays ?? DEFAULT_WINDOW_DAYS;
    const base = {
      endpointRef: endpoint.endpointRef,
      title: endpoint.title,
      teamRef: endpoint.teamRef,
      ...(endpoint.cluster ? { cluster: endpoint.cluster } : {}),
      ...(endpoint.namespace ? { namespace: endpoint.namespace } : {}),
      ...(endpoint.workload ? { workload: endpoint.workload } : {}),
      windowDays,
      evaluatedAt: now.toISOString(),
    };
    const unmeasured = (reason: string): EndpointSloReport => ({
      ...base,
      source: { kind: 'none', reason },
      objectives: this.objectives(endpoint, undefined),
    });
    if (endpoint.unmeasurable) return unmeasured(endpoint.unmeasurable);
    if (!endpoint.cluster || !endpoint.namespace || !endpoint.workload) {
      return unmeasured(
        'The endpoint has no pool cluster or namespace, so there are no pods to read metrics of.',
      );
    }
    const target = this.options.prometheusFor(endpoint.cluster);
    if (!target) {
      return unmeasured(
        `No Prometheus is configured for cluster ${endpoint.cluster}: set aiPlatform.cost.prometheus.url (or aiPlatform.cost.prometheus.clusters.${endpoint.cluster}.url) to the Prometheus that scrapes vLLM, and enable aiPlatform.deploy.serviceMonitor so it does.`,
      );
    }
    const selector = podSelector({
      namespace: endpoint.namespace,
      workload: endpoint.workload,
    });
    const source = {
      kind: 'prometheus' as const,
      cluster: endpoint.cluster,
      url: target.url,
      selector,
    };
    const at = Math.floor(now.getTime() / 1000);
    const q = (promql: string) => target.querier.query(promql, at);
    try {
      const [counts, current, trend] = await Promise.all([
        this.counts(endpoint, selector, windowDays, q),
        this.current(selector, q),
        options.trend
          ? this.trend(target, selector, at)
          : Promise.resolve(undefined),
      ]);
      const objectives = this.objectives(endpoint, counts);
      const budgets = objectives
        .map(o => o.budgetLeft)
        .filter((v): v is number => v !== undefined);
      const burns = objectives
        .map(o => o.burnRate1h)
        .filter((v): v is number => v !== undefined);
      return {
        ...base,
        source,
        objectives,
        current,
        ...(budgets.length ? { budgetLeft: Math.min(...budgets) } : {}),
        ...(burns.length ? { maxBurnRate1h: Math.max(...burns) } : {}),
        ...(trend ? { trend } : {}),
      };
    } catch (error) {
      return {
        ...base,
        source,
        objectives: this.objectives(endpoint, undefined),
        error: `Prometheus at ${target.url} failed: ${
          (error as Error).message
        }`,
      };
    }
  }

  /**
   * What one workload's pods serve now (5-minute rates: error rate, TTFT
   * p95, ...), e.g. a canary's pods alone; `none` with the reason when the
   * cluster has no Prometheus. Throws when Prometheus fails.
   */
  async currentFigures(workload: {
    cluster: string;
    namespace: string;
    workload: string;
  }): Promise<
    | { kind: 'none'; reason: string }
    | {
        kind: 'prometheus';
        url: string;
        selector: string;
        current: SloCurrentFigures;
      }
  > {
    const target = this.options.prometheusFor(workload.cluster);
    if (!target) {
      return {
        kind: 'none',
        reason: `No Prometheus is configured for cluster ${workload.cluster} (aiPlatform.cost.prometheus)`,
      };
    }
    const selector = podSelector(workload);
    const now = (this.options.now ?? (() => new Date()))();
    const at = Math.floor(now.getTime() / 1000);
    const current = await this.current(selector, promql =>
      target.querier.query(promql, at),
    );
    return { kind: 'prometheus', url: target.url, selector, current };
  }

  /** The objectives the endpoint sets, from the counts read (or without). */
  private objectives(
    endpoint: SloEndpoint,
    counts: Map<SloObjectiveKind, ObjectiveCounts> | undefined,
  ): SloObjectiveReport[] {
    const out: SloObjectiveReport[] = [];
    const { slo } = endpoint;
    if (slo.availability !== undefined) {
      const c = counts?.get('availability');
      out.push(
        objectiveReport({
          kind: 'availability',
          target: slo.availability,
          metric: VLLM_METRICS.http,
          window: c?.window,
          lastHour: c?.lastHour,
          last6h: c?.last6h,
        }),
      );
    }
    for (const [kind, key] of LATENCY_TARGETS) {
      const target = slo[key];
      if (target === undefined) continue;
      const c = counts?.get(kind);
      const boundary =
        c?.boundarySeconds ?? snapToBoundary(VLLM_BUCKETS[kind], target / 1000);
      out.push(
        objectiveReport({
          kind,
          target,
          metric: VLLM_METRICS[kind],
          boundaryMs:
            boundary !== undefined ? roundMs(boundary * 1000) : undefined,
          window: c?.window,
          lastHour: c?.lastHour,
          last6h: c?.last6h,
        }),
      );
    }
    return out;
  }

  private async counts(
    endpoint: SloEndpoint,
    selector: string,
    windowDays: number,
    q: (promql: string) => Promise<PrometheusSample[]>,
  ): Promise<Map<SloObjectiveKind, ObjectiveCounts>> {
    const ranges = [`${windowDays}d`, '1h', '6h'] as const;
    const out = new Map<SloObjectiveKind, ObjectiveCounts>();
    const jobs: Array<Promise<void>> = [];
    if (endpoint.slo.availability !== undefined) {
      jobs.push(
        Promise.all(ranges.map(r => q(statusCountsQuery(selector, r)))).then(
          ([window, lastHour, last6h]) => {
            out.set('availability', {
              window: statusCounts(window),
              lastHour: statusCounts(lastHour),
              last6h: statusCounts(last6h),
            });
          },
        ),
      );
    }
    for (const [kind, key] of LATENCY_TARGETS) {
      const target = endpoint.slo[key];
      if (target === undefined) continue;
      jobs.push(
        (async () => {
          const seen = (await q(bucketBoundariesQuery(kind, selector)))
            .map(s => Number(s.labels.le))
            .filter(Number.isFinite);
          const boundarySeconds = snapToBoundary(
            seen.length ? seen : VLLM_BUCKETS[kind],
            target / 1000,
          );
          if (boundarySeconds === undefined) {
            out.set(kind, {});
            return;
          }
          const [window, lastHour, last6h] = await Promise.all(
            ranges.map(range =>
              q(latencyCountsQuery({ kind, selector, boundarySeconds, range })),
            ),
          );
          out.set(kind, {
            boundarySeconds,
            window: bucketCounts(window),
            lastHour: bucketCounts(lastHour),
            last6h: bucketCounts(last6h),
          });
        })(),
      );
    }
    await Promise.all(jobs);
    return out;
  }

  private async current(
    selector: string,
    q: (promql: string) => Promise<PrometheusSample[]>,
  ): Promise<SloCurrentFigures> {
    const one = (samples: PrometheusSample[]) => samples[0]?.value;
    const [rates, waiting, running, kv, ttft, latency, itl] = await Promise.all(
      [
        q(statusRatesQuery(selector)),
        q(waitingQuery(selector)),
        q(runningQuery(selector)),
        q(kvCacheQuery(selector)),
        q(p95Query('ttft', selector)),
        q(p95Query('latency', selector)),
        q(p95Query('itl', selector)),
      ],
    );
    const byStatus = statusCounts(rates);
    const ms = (samples: PrometheusSample[]) => {
      const v = one(samples);
      return v === undefined ? undefined : roundMs(v * 1000);
    };
    const figures: SloCurrentFigures = {
      requestRate: rates.length ? byStatus.total : undefined,
      errorRate: byStatus.total > 0 ? byStatus.bad / byStatus.total : undefined,
      requestsWaiting: one(waiting),
      requestsRunning: one(running),
      kvCacheUsage: one(kv),
      ttftP95Ms: ms(ttft),
      latencyP95Ms: ms(latency),
      itlP95Ms: ms(itl),
    };
    return Object.fromEntries(
      Object.entries(figures).filter(([, v]) => v !== undefined),
    ) as SloCurrentFigures;
  }

  private async trend(
    target: SloPrometheusTarget,
    selector: string,
    at: number,
  ): Promise<SloTrendPoint[]> {
    const end = Math.floor(at / TREND_STEP) * TREND_STEP;
    const range = { start: end - TREND_SECONDS, end, step: TREND_STEP };
    const [ttft, latency, rates] = await Promise.all([
      target.querier.queryRange(p95Query('ttft', selector), range),
      target.querier.queryRange(p95Query('latency', selector), range),
      target.querier.queryRange(statusRatesQuery(selector), range),
    ]);
    const points = new Map<number, SloTrendPoint & { bad: number }>();
    const point = (t: number) => {
      const p = points.get(t) ?? { t, bad: 0 };
      points.set(t, p);
      return p;
    };
    for (const [t, v] of ttft[0]?.points ?? []) {
      point(t).ttftP95Ms = roundMs(v * 1000);
    }
    for (const [t, v] of latency[0]?.points ?? []) {
      point(t).latencyP95Ms = roundMs(v * 1000);
    }
    for (const series of rates) {
      const bad = isServerError(series.labels.status);
      for (const [t, v] of series.points) {
        const p = point(t);
        p.requestRate = (p.requestRate ?? 0) + v;
        if (bad) p.bad += v;
      }
    }
    return [...points.values()]
      .sort((a, b) => a.t - b.t)
      .map(({ bad, ...p }) =>
        p.requestRate !== undefined && p.requestRate > 0
          ? { ...p, errorRate: bad / p.requestRate }
          : p,
      );
  }
}

type ObjectiveCounts = {
  boundarySeconds?: number;
  window?: SloWindowCounts;
  lastHour?: SloWindowCounts;
  last6h?: SloWindowCounts;
};

/** Milliseconds to a tenth. */
function roundMs(ms: number) {
  return Math.round(ms * 10) / 10;
}

/** All requests and the 5xx ones, from series by status. */
export function statusCounts(samples: PrometheusSample[]): SloWindowCounts {
  let total = 0;
  let bad = 0;
  for (const s of samples) {
    total += s.value;
    if (isServerError(s.labels.status)) bad += s.value;
  }
  return { total, bad };
}

/** All requests (`le="+Inf"`) and those above the boundary, from series by le. */
export function bucketCounts(samples: PrometheusSample[]): SloWindowCounts {
  let total = 0;
  let good = 0;
  for (const s of samples) {
    if (s.labels.le === '+Inf') total += s.value;
    else good += s.value;
  }
  return { total, bad: Math.max(0, total - good) };
}

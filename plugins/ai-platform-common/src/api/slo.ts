/**
 * Service level objectives measured from what an endpoint serves (vLLM's
 * metrics in Prometheus). Every figure is explained in docs/slos.md.
 */

/** The objectives an endpoint can set in spec.slo. */
export type SloObjectiveKind = 'availability' | 'ttft' | 'latency' | 'itl';

/**
 * Where an objective stands:
 * - `ok`: budget left and not burning faster than the fast-burn alerts;
 * - `burning`: budget left, but the 1 h burn rate is at least 14.4 or the
 *   6 h one at least 6 (what the rendered alerts page on);
 * - `breached`: the window's error budget is spent;
 * - `no-data`: no requests in the window;
 * - `no-boundary`: a latency target below vLLM's smallest histogram bucket.
 */
export type SloStatus =
  | 'ok'
  | 'burning'
  | 'breached'
  | 'no-data'
  | 'no-boundary';

/** Good and bad requests over one window, and how fast the budget burns there. */
export type SloWindowCounts = {
  /** Requests in the window. */
  total: number;
  /** Failed (availability: HTTP 5xx) or slow (latency: above the boundary) requests. */
  bad: number;
};

/** One objective of an endpoint against what it served. */
export type SloObjectiveReport = {
  kind: SloObjectiveKind;
  /** The target: percent for availability, milliseconds for latencies. */
  target: number;
  /**
   * Latencies only: the histogram bucket boundary (ms) the requests are
   * counted under, the largest boundary not above the target.
   */
  boundaryMs?: number;
  /** The histogram or counter the objective is read from. */
  metric: string;
  /** Share of requests allowed to be bad: 1 − availability/100, or 0.05 for a p95 target. */
  allowedBadShare: number;
  /** The SLO window: its requests, bad ones, and bad ones allowed (allowedBadShare × total). */
  window: SloWindowCounts & { allowedBad: number };
  /** 1 − bad / allowedBad over the window; negative once overspent; absent without requests. */
  budgetLeft?: number;
  /** Good share of the window's requests (0..1); absent without requests. */
  compliance?: number;
  /** (bad / total over the last hour) / allowedBadShare; absent without requests. */
  burnRate1h?: number;
  /** The same over the last 6 hours. */
  burnRate6h?: number;
  status: SloStatus;
};

/** What an endpoint serves right now (rates over the last 5 minutes). */
export type SloCurrentFigures = {
  /** Requests per second to the inference handlers. */
  requestRate?: number;
  /** Share (0..1) of those that failed with a 5xx status. */
  errorRate?: number;
  /** vLLM's waiting requests, summed over the pods. */
  requestsWaiting?: number;
  /** vLLM's running requests, summed over the pods. */
  requestsRunning?: number;
  /** KV-cache usage (0..1), the fullest pod. */
  kvCacheUsage?: number;
  /** Current p95s in ms (histogram_quantile over the last 5 minutes). */
  ttftP95Ms?: number;
  latencyP95Ms?: number;
  itlP95Ms?: number;
};

/** One point of the trend (unix seconds). */
export type SloTrendPoint = {
  t: number;
  ttftP95Ms?: number;
  latencyP95Ms?: number;
  requestRate?: number;
  errorRate?: number;
};

/** Where an endpoint's SLO figures come from. */
export type SloSource =
  | {
      kind: 'prometheus';
      /** The cluster whose Prometheus answered. */
      cluster: string;
      /** Its URL, as configured (aiPlatform.cost.prometheus). */
      url: string;
      /** The PromQL label selector of the endpoint's pods. */
      selector: string;
    }
  | {
      kind: 'none';
      /** Why there are no figures, and how to get them. */
      reason: string;
    };

/** An endpoint's SLOs against what it serves. */
export type EndpointSloReport = {
  endpointRef: string;
  title: string;
  /** The owner group (canonical ref). */
  teamRef: string;
  /** The pool's cluster. */
  cluster?: string;
  namespace?: string;
  /** The workload's name in the cluster (its pods are `<workload>-<hash>-<suffix>`). */
  workload?: string;
  /** The SLO window in days (spec.slo.windowDays, else 28). */
  windowDays: number;
  /** When the figures were read (ISO 8601). */
  evaluatedAt: string;
  source: SloSource;
  /** The objectives the endpoint sets, with their budgets. */
  objectives: SloObjectiveReport[];
  current?: SloCurrentFigures;
  /** The smallest budget left over the objectives. */
  budgetLeft?: number;
  /** The largest 1 h burn rate over the objectives. */
  maxBurnRate1h?: number;
  /** When Prometheus failed: its error (the figures are then absent). */
  error?: string;
  /** The last 6 hours, every 15 minutes (only on the endpoint's own report). */
  trend?: SloTrendPoint[];
};

/** GET /slo: every endpoint with targets the caller may read, least budget left first. */
export type SloFleetResponse = {
  items: EndpointSloReport[];
};

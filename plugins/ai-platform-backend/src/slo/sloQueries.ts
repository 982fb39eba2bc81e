import type { SloObjectiveKind } from '@internal/plugin-ai-platform-common';

/**
 * The vLLM metrics an SLO reads, as vLLM v0.10.1 (the version
 * templates/vllm-service pins, vllm/vllm-openai:v0.10.1) names them in
 * vllm/v1/metrics/loggers.py (PrometheusStatLogger): the histograms
 * `vllm:time_to_first_token_seconds`, `vllm:e2e_request_latency_seconds` and
 * `vllm:time_per_output_token_seconds` (renamed
 * `vllm:inter_token_latency_seconds` in v0.11, vllm-project/vllm#24110), the
 * gauges `vllm:num_requests_waiting`, `vllm:num_requests_running` and
 * `vllm:kv_cache_usage_perc` (`vllm:gpu_cache_usage_perc` before 0.9). HTTP
 * statuses come from the API server's `http_requests_total` (handler,
 * method, status grouped as 2xx/4xx/5xx), which
 * vllm/entrypoints/openai/api_server.py exposes through
 * prometheus-fastapi-instrumentator.
 */
export const VLLM_METRICS = {
  ttft: 'vllm:time_to_first_token_seconds',
  latency: 'vllm:e2e_request_latency_seconds',
  itl: 'vllm:time_per_output_token_seconds',
  waiting: 'vllm:num_requests_waiting',
  running: 'vllm:num_requests_running',
  kvCache: 'vllm:kv_cache_usage_perc',
  http: 'http_requests_total',
} as const;

export type LatencyKind = Exclude<SloObjectiveKind, 'availability'>;

/** A label value inside a PromQL double-quoted string. */
function quoted(value: string) {
  return JSON.stringify(value);
}

/** A literal inside a PromQL (RE2) regular expression. */
function regexLiteral(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The label matchers of an endpoint's pods: its namespace, and pods named
 * as its Deployment (or Argo Rollout) names them, `<workload>-<hash>-<suffix>`
 * (as the fleet collector attributes them). Never the model name alone:
 * endpoints of one model share it (--served-model-name).
 */
export function podSelector(options: {
  namespace: string;
  workload: string;
}): string {
  const pods = `${regexLiteral(options.workload)}-[a-z0-9]{5,10}-[a-z0-9]{5}`;
  return `namespace=${quoted(options.namespace)},pod=~${quoted(pods)}`;
}

/**
 * The requests of the inference handlers (`/v1/...`), without the readiness
 * probe's `GET /v1/models`.
 */
export function httpSelector(selector: string): string {
  return `${selector},handler=~"/v1/.+",handler!="/v1/models"`;
}

/**
 * vLLM v0.10.1's bucket boundaries (seconds), from
 * vllm/v1/metrics/loggers.py: used when the histogram has no series yet.
 */
export const VLLM_BUCKETS: Record<LatencyKind, number[]> = {
  ttft: [
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5,
    7.5, 10, 20, 40, 80, 160, 640, 2560,
  ],
  latency: [
    0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480,
    960, 1920, 7680,
  ],
  itl: [
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5,
    7.5, 10, 20, 40, 80,
  ],
};

/** The bucket boundaries a histogram has (instant): one series per `le`. */
export function bucketBoundariesQuery(kind: LatencyKind, selector: string) {
  return `count by (le) (${VLLM_METRICS[kind]}_bucket{${selector}})`;
}

/**
 * The requests under one boundary (seconds) and all of them (`le="+Inf"`)
 * over a range, in one query. The boundary matches both ways a bucket label
 * is written: `1` and `1.0` (Python's client writes `1.0`, Prometheus 3
 * normalises classic-histogram `le` values to that form).
 */
export function latencyCountsQuery(options: {
  kind: LatencyKind;
  selector: string;
  boundarySeconds: number;
  range: string;
}) {
  const le = `le=~${quoted(
    `${regexLiteral(String(options.boundarySeconds))}(\\.0)?|\\+Inf`,
  )}`;
  return `sum by (le) (increase(${VLLM_METRICS[options.kind]}_bucket{${
    options.selector
  },${le}}[${options.range}]))`;
}

/** Requests by HTTP status over a range. */
export function statusCountsQuery(selector: string, range: string) {
  return `sum by (status) (increase(${VLLM_METRICS.http}{${httpSelector(
    selector,
  )}}[${range}]))`;
}

/** Requests per second by HTTP status over the last 5 minutes. */
export function statusRatesQuery(selector: string) {
  return `sum by (status) (rate(${VLLM_METRICS.http}{${httpSelector(
    selector,
  )}}[5m]))`;
}

/** The p95 of a histogram over the last 5 minutes, seconds. */
export function p95Query(kind: LatencyKind, selector: string) {
  return `histogram_quantile(0.95, sum by (le) (rate(${VLLM_METRICS[kind]}_bucket{${selector}}[5m])))`;
}

export function waitingQuery(selector: string) {
  return `sum(${VLLM_METRICS.waiting}{${selector}})`;
}

export function runningQuery(selector: string) {
  return `sum(${VLLM_METRICS.running}{${selector}})`;
}

/** The fullest pod's KV cache. */
export function kvCacheQuery(selector: string) {
  return `max(${VLLM_METRICS.kvCache}{${selector}})`;
}

/** Whether an HTTP status label is a server error (`5xx` grouped, or `503`). */
export function isServerError(status: string | undefined) {
  return /^5/.test(status ?? '');
}

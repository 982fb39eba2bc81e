import crypto from 'crypto';
import {
  matches,
  type Labels,
  type Point,
  type RangeSeries,
  type SeriesSource,
} from './promql/evaluate';
import type { Matcher } from './promql/parse';

/** Seconds between two scrapes of a target. */
export const SCRAPE_INTERVAL_SECONDS = 15;

/** A pod that serves an endpoint with vLLM, as the simulation reads it from its cluster. */
export type ServingPod = {
  cluster: string;
  namespace: string;
  name: string;
  node?: string;
  podIP?: string;
  /** Unix seconds its vLLM container started: its counters start at 0 then. */
  startedAt: number;
  /** The workload it belongs to: its `app.kubernetes.io/instance` label (the Deployment and Service name). */
  instance: string;
  /** vLLM's `--served-model-name` (the model path when absent): its `model_name` label. */
  servedModelName: string;
  /** GPUs (or MIG slices, or time-sliced shares) it requests. */
  gpus: number;
  /** The extended resource they are, e.g. `nvidia.com/gpu`, `nvidia.com/mig-3g.20gb`. */
  gpuResource?: string;
  /** The node's GPU product label. */
  gpuProduct?: string;
  /** Memory per GPU (or slice), MiB, from the node's GFD labels. */
  gpuMemoryMiB?: number;
};

/** The simulated traffic of one endpoint: fixed per namespace and workload name, so the same endpoint always behaves the same. */
export type TrafficProfile = {
  /** Requests per second per replica at load 1. */
  requestsPerSecond: number;
  /** Mean prompt tokens per request. */
  promptTokens: number;
  /** Mean generated tokens per request. */
  generationTokens: number;
  /** Median time to first token, seconds. */
  ttftMedian: number;
  /** Median time between output tokens, seconds. */
  itlMedian: number;
  /** Shifts the daily curve, seconds. */
  dayPhase: number;
  /** Shifts the hourly wobble, radians. */
  hourPhase: number;
  /** Share of requests the server fails (HTTP 5xx), 0.0003 to 0.0028. */
  serverErrorShare: number;
  /** Share of requests refused as bad input (HTTP 4xx). */
  clientErrorShare: number;
};

const DAY = 86_400;
const HOUR = 3_600;
const TWO_PI = 2 * Math.PI;

/** Eight numbers in [0, 1) from a string, stable across runs. */
function unitHashes(text: string): number[] {
  const digest = crypto.createHash('sha256').update(text).digest();
  return [0, 4, 8, 12, 16, 20, 24, 28].map(
    i => digest.readUInt32BE(i) / 2 ** 32,
  );
}

/** The traffic profile of the endpoint served by `instance` in `namespace`. */
export function trafficProfile(
  namespace: string,
  instance: string,
): TrafficProfile {
  const [a, b, c, d, e, f, g, h] = unitHashes(`${namespace}/${instance}`);
  return {
    requestsPerSecond: round(0.5 + 2 * a, 3),
    promptTokens: Math.round(300 + 1200 * b),
    generationTokens: Math.round(80 + 320 * c),
    ttftMedian: round(0.06 + 0.2 * d, 3),
    itlMedian: round(0.012 + 0.025 * e, 4),
    dayPhase: Math.round(f * DAY),
    hourPhase: round(g * TWO_PI, 3),
    serverErrorShare: round(0.0003 + 0.0025 * h, 5),
    clientErrorShare: 0.01,
  };
}

function round(value: number, digits: number) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The load at a time, 0.15 to 0.95: a daily curve plus an hourly wobble.
 * Requests per second per replica = requestsPerSecond x load.
 */
export function load(profile: TrafficProfile, t: number): number {
  return (
    0.55 +
    0.3 * Math.sin((TWO_PI * (t + profile.dayPhase)) / DAY) +
    0.1 * Math.sin((TWO_PI * t) / HOUR + profile.hourPhase)
  );
}

/** The integral of `load` (an antiderivative). */
function loadIntegral(profile: TrafficProfile, t: number): number {
  return (
    0.55 * t -
    ((0.3 * DAY) / TWO_PI) * Math.cos((TWO_PI * (t + profile.dayPhase)) / DAY) -
    ((0.1 * HOUR) / TWO_PI) * Math.cos((TWO_PI * t) / HOUR + profile.hourPhase)
  );
}

/** Requests one replica served between two times (a real number; the counters floor it). */
export function requestsBetween(
  profile: TrafficProfile,
  from: number,
  to: number,
): number {
  if (to <= from) return 0;
  return (
    profile.requestsPerSecond *
    (loadIntegral(profile, to) - loadIntegral(profile, from))
  );
}

/** The standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) *
      t +
      0.254829592) *
      t *
      Math.exp(-z * z);
  return 0.5 * (1 + (x < 0 ? -y : y));
}

/** Share of a log-normal distribution (median, sigma) at or below `x`. */
export function logNormalCdf(x: number, median: number, sigma: number) {
  if (x === Infinity) return 1;
  if (x <= 0) return 0;
  return normalCdf((Math.log(x) - Math.log(median)) / sigma);
}

/** vLLM's histogram buckets (upper bounds, seconds). */
export const BUCKETS = {
  ttft: [
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5,
    7.5, 10, 20, 40, 80, 160, 640, 2560,
  ],
  e2e: [
    0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480,
    960, 1920, 7680,
  ],
  itl: [
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5,
    7.5, 10, 20, 40, 80,
  ],
};

/**
 * The latency distributions of an endpoint: median and log-normal sigma.
 * Prefill is the part of the time to first token spent computing the prompt
 * (the rest is queueing), decode the gaps between its generated tokens.
 */
export function latencies(profile: TrafficProfile) {
  return {
    ttft: { median: profile.ttftMedian, sigma: 0.6 },
    itl: { median: profile.itlMedian, sigma: 0.35 },
    e2e: {
      median: profile.ttftMedian + profile.generationTokens * profile.itlMedian,
      sigma: 0.5,
    },
    prefill: { median: profile.ttftMedian * 0.8, sigma: 0.6 },
    decode: {
      median: Math.max(1, profile.generationTokens - 1) * profile.itlMedian,
      sigma: 0.5,
    },
  };
}

/** The mean of a log-normal distribution (median, sigma). */
export const meanOf = (d: { median: number; sigma: number }) =>
  d.median * Math.exp((d.sigma * d.sigma) / 2);

/** One simulated series: its labels and its value at a scrape time. */
type Series = { labels: Labels; value: (t: number) => number };

/** Every series one serving pod exposes (vLLM's /metrics and the DCGM exporter's for its GPUs). */
export function podSeries(pod: ServingPod): Series[] {
  const profile = trafficProfile(pod.namespace, pod.instance);
  const requests = (t: number) => requestsBetween(profile, pod.startedAt, t);
  const l = latencies(profile);
  const vllm: Labels = {
    cluster: pod.cluster,
    namespace: pod.namespace,
    pod: pod.name,
    container: 'vllm',
    endpoint: 'http',
    service: pod.instance,
    job: pod.instance,
    instance: `${pod.podIP ?? '10.0.0.1'}:8000`,
    model_name: pod.servedModelName,
    engine: '0',
  };
  const series: Series[] = [];
  const add = (name: string, labels: Labels, value: (t: number) => number) =>
    series.push({ labels: { __name__: name, ...labels }, value });
  const counter = (name: string, perRequest: number) =>
    add(name, vllm, t => Math.floor(requests(t) * perRequest));
  counter('vllm:prompt_tokens_total', profile.promptTokens);
  counter('vllm:generation_tokens_total', profile.generationTokens);
  add('vllm:request_success_total', { ...vllm, finished_reason: 'stop' }, t =>
    Math.floor(requests(t)),
  );
  // The API server's HTTP counters (prometheus-fastapi-instrumentator, which
  // vLLM's OpenAI server mounts; statuses grouped as 2xx/4xx/5xx): the
  // completions the simulated traffic sends, a share of them refused (4xx)
  // or failed (5xx), and the readiness probe's GET /v1/models every 10 s.
  const http = (status: string, share: number) =>
    add(
      'http_requests_total',
      { ...vllm, handler: '/v1/chat/completions', method: 'POST', status },
      t => Math.floor(requests(t) * share),
    );
  http('2xx', 1 - profile.clientErrorShare - profile.serverErrorShare);
  http('4xx', profile.clientErrorShare);
  http('5xx', profile.serverErrorShare);
  add(
    'http_requests_total',
    { ...vllm, handler: '/v1/models', method: 'GET', status: '2xx' },
    t => Math.floor(Math.max(0, t - pod.startedAt) / 10),
  );
  const histogram = (
    name: string,
    buckets: number[],
    d: { median: number; sigma: number },
    observations: (t: number) => number,
  ) => {
    for (const le of [...buckets, Infinity]) {
      const share = logNormalCdf(le, d.median, d.sigma);
      add(
        `${name}_bucket`,
        { ...vllm, le: le === Infinity ? '+Inf' : String(le) },
        t => Math.floor(observations(t) * share),
      );
    }
    add(`${name}_count`, vllm, t => Math.floor(observations(t)));
    add(`${name}_sum`, vllm, t => round(observations(t) * meanOf(d), 3));
  };
  histogram('vllm:time_to_first_token_seconds', BUCKETS.ttft, l.ttft, requests);
  histogram('vllm:e2e_request_latency_seconds', BUCKETS.e2e, l.e2e, requests);
  // vLLM v0.10's request phase histograms (vllm/v1/metrics/loggers.py, the
  // request latency buckets), observed as each request finishes.
  histogram(
    'vllm:request_prefill_time_seconds',
    BUCKETS.e2e,
    l.prefill,
    requests,
  );
  histogram(
    'vllm:request_decode_time_seconds',
    BUCKETS.e2e,
    l.decode,
    requests,
  );
  const outputTokenGaps = (t: number) =>
    requests(t) * Math.max(0, profile.generationTokens - 1);
  // vLLM v0.10 (the template's pin) names it time_per_output_token_seconds;
  // v0.11 renamed it inter_token_latency_seconds (vllm-project/vllm#24110)
  // and served both until v0.13. Both names, the same observations.
  histogram(
    'vllm:time_per_output_token_seconds',
    BUCKETS.itl,
    l.itl,
    outputTokenGaps,
  );
  histogram(
    'vllm:inter_token_latency_seconds',
    BUCKETS.itl,
    l.itl,
    outputTokenGaps,
  );
  add('vllm:num_requests_running', vllm, t =>
    Math.min(
      256,
      Math.round(profile.requestsPerSecond * load(profile, t) * meanOf(l.e2e)),
    ),
  );
  add('vllm:num_requests_waiting', vllm, t =>
    Math.max(
      0,
      Math.round((load(profile, t) - 0.7) * 40 * profile.requestsPerSecond),
    ),
  );
  const kvCache = (t: number) =>
    round(Math.min(1, Math.max(0, 0.08 + 0.85 * load(profile, t))), 3);
  add('vllm:kv_cache_usage_perc', vllm, kvCache);
  // The name before vLLM 0.10 renamed it; dashboards still ask for it.
  add('vllm:gpu_cache_usage_perc', vllm, kvCache);

  const mig = /^nvidia\.com\/mig-(.+)$/.exec(pod.gpuResource ?? '');
  for (let i = 0; i < pod.gpus; i++) {
    const host = pod.node ?? 'unscheduled';
    const uuid = crypto
      .createHash('sha256')
      .update(`${pod.cluster}/${host}/${i}`)
      .digest('hex');
    const dcgm: Labels = {
      cluster: pod.cluster,
      job: 'nvidia-dcgm-exporter',
      instance: `${host}:9400`,
      Hostname: host,
      gpu: String(i),
      device: `nvidia${i}`,
      UUID: `GPU-${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(
        12,
        16,
      )}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}`,
      modelName: pod.gpuProduct ?? 'NVIDIA GPU',
      ...(mig ? { GPU_I_PROFILE: mig[1], GPU_I_ID: String(i) } : {}),
      namespace: pod.namespace,
      pod: pod.name,
      container: 'vllm',
    };
    add('DCGM_FI_DEV_GPU_UTIL', dcgm, t =>
      Math.round(
        Math.min(
          100,
          Math.max(0, 12 + 83 * load(profile, t) + 4 * Math.sin(t / 97 + i)),
        ),
      ),
    );
    if (pod.gpuMemoryMiB) {
      const used = Math.round(pod.gpuMemoryMiB * 0.9);
      add('DCGM_FI_DEV_FB_USED', dcgm, () => used);
      add('DCGM_FI_DEV_FB_FREE', dcgm, () => pod.gpuMemoryMiB! - used);
    }
  }
  return series;
}

/** Every metric name the simulation serves. */
export function metricNames(): string[] {
  const names = podSeries({
    cluster: 'c',
    namespace: 'n',
    name: 'p',
    startedAt: 0,
    instance: 'i',
    servedModelName: 'm',
    gpus: 1,
    gpuMemoryMiB: 1,
  }).map(s => s.labels.__name__);
  return [...new Set(names)].sort();
}

/** When a pod's target is scraped: every 15 s, at an offset of its own. */
function scrapeOffset(pod: ServingPod): number {
  return (
    crypto.createHash('sha256').update(pod.name).digest().readUInt8(0) %
    SCRAPE_INTERVAL_SECONDS
  );
}

/** The scrape times of a pod in `(from, to]`, from its start on. */
export function scrapeTimes(
  pod: ServingPod,
  from: number,
  to: number,
): number[] {
  const offset = scrapeOffset(pod);
  const earliest = Math.max(from, pod.startedAt - 1e-9);
  let t =
    Math.floor((earliest - offset) / SCRAPE_INTERVAL_SECONDS) *
      SCRAPE_INTERVAL_SECONDS +
    offset;
  while (t <= earliest) t += SCRAPE_INTERVAL_SECONDS;
  const times: number[] = [];
  for (; t <= to; t += SCRAPE_INTERVAL_SECONDS) times.push(t);
  return times;
}

/**
 * The simulated time series of some serving pods: every pod's series,
 * sampled at its scrape times, as a PromQL evaluation reads them.
 */
export class SimulatedSeries implements SeriesSource {
  private readonly series: Array<{ pod: ServingPod; series: Series }>;
  /** The series by metric name, for selectors that name their metric (most do). */
  private readonly byName = new Map<
    string,
    Array<{ pod: ServingPod; series: Series }>
  >();

  constructor(pods: ServingPod[]) {
    this.series = pods.flatMap(pod =>
      podSeries(pod).map(series => ({ pod, series })),
    );
    for (const entry of this.series) {
      const name = entry.series.labels.__name__;
      const list = this.byName.get(name);
      if (list) list.push(entry);
      else this.byName.set(name, [entry]);
    }
  }

  select(matchers: Matcher[], from: number, to: number): RangeSeries[] {
    const out: RangeSeries[] = [];
    const named = matchers.find(m => m.name === '__name__' && m.op === '=');
    const candidates = named ? this.byName.get(named.value) ?? [] : this.series;
    for (const { pod, series } of candidates) {
      if (!matches(series.labels, matchers)) continue;
      const points: Point[] = scrapeTimes(pod, from, to).map(t => [
        t,
        series.value(t),
      ]);
      if (points.length) out.push({ labels: series.labels, points });
    }
    return out;
  }
}

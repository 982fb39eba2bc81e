import type { PrometheusQuerier, PrometheusSample } from './PrometheusClient';

/** The window of one cluster's metrics. */
export type PodMetricsQueries = { cluster: string; from: number; to: number };

/** One endpoint's figures from its pods' series. */
export type EndpointMetrics = {
  promptTokens?: number;
  generationTokens?: number;
  /** Mean GPU utilisation 0..1 over its pods' GPUs. */
  utilization?: number;
  /** Seconds its requests spent in prefill (vllm:request_prefill_time_seconds_sum increase). */
  prefillSeconds?: number;
  /** Seconds its requests spent in decode (vllm:request_decode_time_seconds_sum increase). */
  decodeSeconds?: number;
  /** Requests it served (vllm:request_success_total increase, every finish reason). */
  requests?: number;
};

/** A cluster's token counts and utilisation per pod (`namespace/pod`). */
export type PodMetrics = {
  /** The figures of a set of pods; undefined when none of them has a series. */
  forPods(pods: string[]): EndpointMetrics | undefined;
};

/**
 * The PromQL queries of a cluster's interval, each grouped by namespace and
 * pod (and cluster, for a Prometheus shared by clusters): vLLM's prompt and
 * generation token counters (the scrape adds namespace and pod), the DCGM
 * exporter's utilisation (labelled with the pod that holds the GPU), and
 * vLLM's (v0.10, the template's pin, vllm/v1/metrics/loggers.py) prefill and
 * decode time histograms' sums and request success counter, for the token
 * cost split (tokenSplit.ts) and the cost per request. Never by model name:
 * endpoints of one model are told apart by their pods. Six requests per
 * cluster and interval, whatever the number of endpoints.
 */
export function podMetricsQueries(range: string) {
  return {
    prompt: `sum by (cluster, namespace, pod) (increase(vllm:prompt_tokens_total[${range}]))`,
    generation: `sum by (cluster, namespace, pod) (increase(vllm:generation_tokens_total[${range}]))`,
    utilization: `avg by (cluster, namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[${range}]))`,
    prefill: `sum by (cluster, namespace, pod) (increase(vllm:request_prefill_time_seconds_sum[${range}]))`,
    decode: `sum by (cluster, namespace, pod) (increase(vllm:request_decode_time_seconds_sum[${range}]))`,
    requests: `sum by (cluster, namespace, pod) (increase(vllm:request_success_total[${range}]))`,
  };
}

/** Reads a cluster's per-pod metrics for [from, to). */
export async function queryPodMetrics(
  prometheus: PrometheusQuerier,
  window: PodMetricsQueries,
  onRequest: () => void = () => {},
): Promise<PodMetrics> {
  const q = podMetricsQueries(`${window.to - window.from}s`);
  const run = (promql: string) => {
    onRequest();
    return prometheus.query(promql, window.to);
  };
  const [prompt, generation, util, prefill, decode, requests] =
    await Promise.all([
      run(q.prompt),
      run(q.generation),
      run(q.utilization),
      run(q.prefill),
      run(q.decode),
      run(q.requests),
    ]);
  // A series of another cluster (a Prometheus shared by clusters) is not ours.
  const byPod = (series: PrometheusSample[]) => {
    const out = new Map<string, number>();
    for (const s of series) {
      const { cluster, namespace, pod } = s.labels;
      if (!namespace || !pod) continue;
      if (cluster && cluster !== window.cluster) continue;
      const key = `${namespace}/${pod}`;
      out.set(key, (out.get(key) ?? 0) + s.value);
    }
    return out;
  };
  const prompts = byPod(prompt);
  const generations = byPod(generation);
  const utilizations = byPod(util);
  const prefills = byPod(prefill);
  const decodes = byPod(decode);
  const successes = byPod(requests);
  const seconds = (values: Map<string, number>, pods: string[]) => {
    const found = pods.filter(p => values.has(p));
    if (!found.length) return undefined;
    const total = found.reduce((a, p) => a + Math.max(0, values.get(p)!), 0);
    return Math.round(total * 1000) / 1000;
  };
  const sum = (values: Map<string, number>, pods: string[]) => {
    let found = false;
    let total = 0;
    for (const p of pods) {
      const v = values.get(p);
      if (v === undefined) continue;
      found = true;
      total += v;
    }
    return found ? Math.round(total) : undefined;
  };
  return {
    forPods(pods) {
      const promptTokens = sum(prompts, pods);
      const generationTokens = sum(generations, pods);
      const utils = pods
        .map(p => utilizations.get(p))
        .filter((v): v is number => v !== undefined);
      const utilization = utils.length
        ? Math.min(
            Math.max(utils.reduce((a, b) => a + b, 0) / utils.length / 100, 0),
            1,
          )
        : undefined;
      const prefillSeconds = seconds(prefills, pods);
      const decodeSeconds = seconds(decodes, pods);
      const served = sum(successes, pods);
      if (
        promptTokens === undefined &&
        generationTokens === undefined &&
        utilization === undefined &&
        prefillSeconds === undefined &&
        decodeSeconds === undefined &&
        served === undefined
      ) {
        return undefined;
      }
      return {
        ...(promptTokens !== undefined ? { promptTokens } : {}),
        ...(generationTokens !== undefined ? { generationTokens } : {}),
        ...(utilization !== undefined ? { utilization } : {}),
        ...(prefillSeconds !== undefined ? { prefillSeconds } : {}),
        ...(decodeSeconds !== undefined ? { decodeSeconds } : {}),
        ...(served !== undefined ? { requests: served } : {}),
      };
    },
  };
}

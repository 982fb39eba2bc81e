import type { PrometheusQuerier, PrometheusSample } from './PrometheusClient';

/** The window of one cluster's metrics. */
export type PodMetricsQueries = { cluster: string; from: number; to: number };

/** One endpoint's figures from its pods' series. */
export type EndpointMetrics = {
  promptTokens?: number;
  generationTokens?: number;
  /** Mean GPU utilisation 0..1 over its pods' GPUs. */
  utilization?: number;
};

/** A cluster's token counts and utilisation per pod (`namespace/pod`). */
export type PodMetrics = {
  /** The figures of a set of pods; undefined when none of them has a series. */
  forPods(pods: string[]): EndpointMetrics | undefined;
};

/**
 * The three PromQL queries of a cluster's interval, each grouped by
 * namespace and pod (and cluster, for a Prometheus shared by clusters):
 * vLLM's prompt and generation token counters (the scrape adds namespace and
 * pod) and the DCGM exporter's utilisation (labelled with the pod that holds
 * the GPU). Never by model name: endpoints of one model are told apart by
 * their pods. Three requests per cluster and interval, whatever the number
 * of endpoints.
 */
export function podMetricsQueries(range: string) {
  return {
    prompt: `sum by (cluster, namespace, pod) (increase(vllm:prompt_tokens_total[${range}]))`,
    generation: `sum by (cluster, namespace, pod) (increase(vllm:generation_tokens_total[${range}]))`,
    utilization: `avg by (cluster, namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[${range}]))`,
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
  const [prompt, generation, util] = await Promise.all([
    run(q.prompt),
    run(q.generation),
    run(q.utilization),
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
      if (
        promptTokens === undefined &&
        generationTokens === undefined &&
        utilization === undefined
      ) {
        return undefined;
      }
      return {
        ...(promptTokens !== undefined ? { promptTokens } : {}),
        ...(generationTokens !== undefined ? { generationTokens } : {}),
        ...(utilization !== undefined ? { utilization } : {}),
      };
    },
  };
}

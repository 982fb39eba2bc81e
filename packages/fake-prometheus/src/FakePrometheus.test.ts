import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
  type KubeObject,
} from '@internal/fake-kube-apiserver';
import { startFakePrometheus, type FakePrometheus } from './FakePrometheus';
import {
  latencies,
  logNormalCdf,
  requestsBetween,
  trafficProfile,
} from './simulation';

/** A Deployment as the portal renders one: `vllm serve <model> --served-model-name <name>`. */
function vllmDeployment(options: {
  name: string;
  namespace: string;
  replicas: number;
  servedModelName: string;
  gpus?: number;
}): KubeObject {
  const labels = {
    'app.kubernetes.io/name': 'vllm',
    'app.kubernetes.io/instance': options.name,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
          containers: [
            {
              name: 'vllm',
              image: 'vllm/vllm-openai:v0.10.1',
              command: ['vllm', 'serve'],
              args: [
                'meta-llama/Llama-3.1-8B-Instruct',
                '--served-model-name',
                options.servedModelName,
                '--port',
                '8000',
              ],
              resources: {
                requests: { 'nvidia.com/gpu': String(options.gpus ?? 1) },
                limits: { 'nvidia.com/gpu': String(options.gpus ?? 1) },
              },
            },
          ],
        },
      },
    },
  };
}

type QueryAnswer = {
  status: string;
  errorType?: string;
  error?: string;
  data: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      value?: [number, string];
      values?: Array<[number, string]>;
    }>;
  };
};

describe('the fake Prometheus', () => {
  let kube: FakeKubeApiServer;
  let prometheus: FakePrometheus;
  let startedAt: number;

  beforeAll(async () => {
    kube = await startFakeKubeApiServer({
      token: 't0k',
      rolloutDelayMs: 0,
      namespaces: ['default', 'chat'],
      nodes: [
        {
          name: 'l4-1',
          labels: {
            'nvidia.com/gpu.product': 'NVIDIA-L4',
            'nvidia.com/gpu.memory': '24576',
          },
          allocatable: { 'nvidia.com/gpu': '4' },
        },
      ],
    });
    kube.seed([
      vllmDeployment({
        name: 'chat-assistant-prod',
        namespace: 'chat',
        replicas: 2,
        servedModelName: 'llama-3-1-8b-instruct',
      }),
      // Asks for 8 GPUs of a node with 4: stays Pending, serves nothing.
      vllmDeployment({
        name: 'too-big',
        namespace: 'chat',
        replicas: 1,
        servedModelName: 'x',
        gpus: 8,
      }),
    ]);
    await kube.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'chat',
        name: 'chat-assistant-prod',
      },
      d => (d?.status as { readyReplicas?: number })?.readyReplicas === 2,
    );
    const pods = kube.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'chat',
      labelSelector: 'app.kubernetes.io/instance=chat-assistant-prod',
    });
    startedAt = Math.max(
      ...pods.map(
        p => Date.parse((p.status as { startTime: string }).startTime) / 1000,
      ),
    );
    prometheus = await startFakePrometheus({
      routes: [
        {
          path: '/clusters/gpu-eu-west',
          clusters: [{ name: 'gpu-eu-west', url: kube.url, token: 't0k' }],
        },
        {
          path: '/clusters/gpu-down',
          clusters: [{ name: 'gpu-down', url: 'http://127.0.0.1:9' }],
        },
      ],
    });
  });

  afterAll(async () => {
    await prometheus?.close();
    await kube?.close();
  });

  const query = async (
    promql: string,
    time: number,
    path = '/clusters/gpu-eu-west',
  ) => {
    const url = new URL(`${prometheus.url}${path}/api/v1/query`);
    url.searchParams.set('query', promql);
    url.searchParams.set('time', String(time));
    const response = await fetch(url);
    return {
      status: response.status,
      body: (await response.json()) as QueryAnswer,
    };
  };

  it("answers the usage collector's token queries with the simulated traffic", async () => {
    const end = Math.ceil(startedAt) + 3600;
    const profile = trafficProfile('chat', 'chat-assistant-prod');
    const expected = (perRequest: number) =>
      2 * perRequest * requestsBetween(profile, end - 300, end);
    for (const [metric, perRequest] of [
      ['vllm:prompt_tokens_total', profile.promptTokens],
      ['vllm:generation_tokens_total', profile.generationTokens],
    ] as const) {
      const { status, body } = await query(
        `sum by (model_name) (increase(${metric}[300s]))`,
        end,
      );
      expect(status).toBe(200);
      expect(body.data.resultType).toBe('vector');
      expect(body.data.result).toHaveLength(1);
      const [series] = body.data.result;
      expect(series.metric).toEqual({ model_name: 'llama-3-1-8b-instruct' });
      expect(series.value![0]).toBe(end);
      // Counters are whole tokens sampled every 15 s; increase() extrapolates.
      expect(Number(series.value![1]) / expected(perRequest)).toBeCloseTo(1, 2);
    }
    // The same per pod, as the collector can attribute it by pod.
    const byPod = await query(
      'sum by (pod) (increase(vllm:prompt_tokens_total[300s]))',
      end,
    );
    expect(byPod.body.data.result.map(r => r.metric.pod).sort()).toEqual(
      kube
        .listObjects({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: 'chat',
          labelSelector: 'app.kubernetes.io/instance=chat-assistant-prod',
        })
        .map(p => p.metadata.name)
        .sort(),
    );
  });

  it("answers the collector's utilisation query per pod, from the DCGM exporter's series", async () => {
    const end = Math.ceil(startedAt) + 3600;
    const { body } = await query(
      'avg by (pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[300s]))',
      end,
    );
    expect(body.data.result).toHaveLength(2);
    for (const r of body.data.result) {
      expect(Object.keys(r.metric)).toEqual(['pod']);
      expect(r.metric.pod).toMatch(
        /^chat-assistant-prod-[a-z0-9]{10}-[a-z0-9]{5}$/,
      );
      const value = Number(r.value![1]);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
    const raw = await query('DCGM_FI_DEV_GPU_UTIL', end);
    expect(raw.body.data.result[0].metric).toMatchObject({
      __name__: 'DCGM_FI_DEV_GPU_UTIL',
      Hostname: 'l4-1',
      modelName: 'NVIDIA-L4',
      namespace: 'chat',
      gpu: '0',
    });
  });

  it('serves latency histograms that histogram_quantile reads back', async () => {
    const end = Math.ceil(startedAt) + 3600;
    const { body } = await query(
      'histogram_quantile(0.5, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket[5m])))',
      end,
    );
    const median = Number(body.data.result[0].value![1]);
    const ttft = latencies(trafficProfile('chat', 'chat-assistant-prod')).ttft;
    // Linear interpolation inside a bucket: close to the true median.
    const buckets = [
      0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1,
    ];
    const upper = buckets.find(le => le >= ttft.median)!;
    const lower = buckets[buckets.indexOf(upper) - 1];
    expect(median).toBeGreaterThanOrEqual(lower);
    expect(median).toBeLessThanOrEqual(upper);
    expect(logNormalCdf(ttft.median, ttft.median, ttft.sigma)).toBeCloseTo(
      0.5,
      6,
    );

    const waiting = await query('sum(vllm:num_requests_waiting)', end);
    expect(
      Number(waiting.body.data.result[0].value![1]),
    ).toBeGreaterThanOrEqual(0);
    const kv = await query('max(vllm:kv_cache_usage_perc)', end);
    expect(Number(kv.body.data.result[0].value![1])).toBeGreaterThan(0);
    expect(Number(kv.body.data.result[0].value![1])).toBeLessThanOrEqual(1);
  });

  it('has no series before a pod started, nor for pods that do not run', async () => {
    const { body } = await query(
      'count(vllm:prompt_tokens_total)',
      startedAt - 60,
    );
    expect(body.data.result).toEqual([]);
    const { body: names } = await query(
      'count by (service) (vllm:num_requests_running)',
      startedAt + 600,
    );
    expect(names.data.result).toEqual([
      {
        metric: { service: 'chat-assistant-prod' },
        value: [startedAt + 600, '2'],
      },
    ]);
  });

  it('answers range queries as a matrix', async () => {
    const url = new URL(
      `${prometheus.url}/clusters/gpu-eu-west/api/v1/query_range`,
    );
    const start = Math.ceil(startedAt) + 600;
    url.searchParams.set('query', 'sum(rate(vllm:request_success_total[5m]))');
    url.searchParams.set('start', String(start));
    url.searchParams.set('end', String(start + 600));
    url.searchParams.set('step', '60s');
    const body = (await (await fetch(url)).json()) as QueryAnswer;
    expect(body.data.resultType).toBe('matrix');
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0].values!.map(v => v[0])).toEqual(
      Array.from({ length: 11 }, (_, i) => start + 60 * i),
    );
  });

  it('answers a cluster that does not answer with no series, and a bad query with bad_data', async () => {
    const down = await query(
      'sum(vllm:prompt_tokens_total)',
      startedAt + 600,
      '/clusters/gpu-down',
    );
    expect(down.body).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [] },
    });
    const bad = await query('sum(', startedAt);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    const elsewhere = await fetch(`${prometheus.url}/api/v1/query?query=up`);
    expect(elsewhere.status).toBe(404);
    expect(
      (await fetch(`${prometheus.url}/clusters/gpu-down/-/ready`)).status,
    ).toBe(200);
  });
});

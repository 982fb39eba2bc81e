import { servingPods } from './clusterPods';
import {
  latencies,
  load,
  meanOf,
  metricNames,
  podSeries,
  requestsBetween,
  scrapeTimes,
  SimulatedSeries,
  trafficProfile,
  type ServingPod,
} from './simulation';

const pod: ServingPod = {
  cluster: 'gpu-eu-west',
  namespace: 'chat',
  name: 'chat-assistant-prod-bcdfghjklm-bcdfg',
  node: 'l4-inference-1',
  podIP: '10.244.1.7',
  startedAt: 1_800_000_000,
  instance: 'chat-assistant-prod',
  servedModelName: 'llama-3-1-8b-instruct',
  gpus: 2,
  gpuResource: 'nvidia.com/gpu',
  gpuProduct: 'NVIDIA-L4',
  gpuMemoryMiB: 24576,
};

describe('the simulated traffic', () => {
  it('is the same for the same endpoint on every run', () => {
    expect(trafficProfile('chat', 'chat-assistant-prod')).toEqual(
      trafficProfile('chat', 'chat-assistant-prod'),
    );
    expect(trafficProfile('chat', 'chat-assistant-prod')).not.toEqual(
      trafficProfile('chat', 'chat-assistant-staging'),
    );
    const p = trafficProfile('chat', 'chat-assistant-prod');
    expect(p.requestsPerSecond).toBeGreaterThanOrEqual(0.5);
    expect(p.requestsPerSecond).toBeLessThan(2.5);
  });

  it('moves with the time of day, between 0.15 and 0.95 of the peak', () => {
    const p = trafficProfile('chat', 'chat-assistant-prod');
    const loads = Array.from({ length: 24 * 60 }, (_, i) =>
      load(p, 1_800_000_000 + i * 60),
    );
    expect(Math.min(...loads)).toBeGreaterThanOrEqual(0.15);
    expect(Math.max(...loads)).toBeLessThanOrEqual(0.95);
    expect(Math.max(...loads) - Math.min(...loads)).toBeGreaterThan(0.5);
  });

  it('counts requests as the integral of the load', () => {
    const p = trafficProfile('search', 'embeddings-bge-m3');
    const from = 1_800_000_000;
    let sum = 0;
    for (let t = from; t < from + 3600; t += 1) {
      sum += p.requestsPerSecond * load(p, t + 0.5);
    }
    expect(requestsBetween(p, from, from + 3600)).toBeCloseTo(sum, 3);
    expect(requestsBetween(p, from, from)).toBe(0);
  });
});

describe('the series of a serving pod', () => {
  const series = podSeries(pod);
  const named = (name: string) =>
    series.filter(s => s.labels.__name__ === name);

  it('has the vLLM and DCGM metrics the portal and dashboards read', () => {
    expect(metricNames()).toEqual(
      expect.arrayContaining([
        'vllm:prompt_tokens_total',
        'vllm:generation_tokens_total',
        'vllm:time_to_first_token_seconds_bucket',
        'vllm:e2e_request_latency_seconds_bucket',
        'vllm:inter_token_latency_seconds_bucket',
        'vllm:num_requests_waiting',
        'vllm:kv_cache_usage_perc',
        'DCGM_FI_DEV_GPU_UTIL',
      ]),
    );
    expect(named('vllm:prompt_tokens_total')[0].labels).toEqual({
      __name__: 'vllm:prompt_tokens_total',
      cluster: 'gpu-eu-west',
      namespace: 'chat',
      pod: 'chat-assistant-prod-bcdfghjklm-bcdfg',
      container: 'vllm',
      endpoint: 'http',
      service: 'chat-assistant-prod',
      job: 'chat-assistant-prod',
      instance: '10.244.1.7:8000',
      model_name: 'llama-3-1-8b-instruct',
      engine: '0',
    });
    // v0.10's name of the inter-token histogram, which the template pins.
    expect(metricNames()).toContain('vllm:time_per_output_token_seconds_count');
    // One utilisation series per GPU of the pod.
    expect(named('DCGM_FI_DEV_GPU_UTIL').map(s => s.labels.gpu)).toEqual([
      '0',
      '1',
    ]);
  });

  it('has counters that start at 0 and never go down, and buckets that add up', () => {
    const prompt = named('vllm:prompt_tokens_total')[0];
    expect(prompt.value(pod.startedAt)).toBe(0);
    let previous = 0;
    for (let t = pod.startedAt; t < pod.startedAt + 7200; t += 15) {
      const v = prompt.value(t);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
    const t = pod.startedAt + 3600;
    const buckets = named('vllm:time_to_first_token_seconds_bucket');
    const counts = buckets.map(b => b.value(t));
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(counts[counts.length - 1]).toBe(
      named('vllm:time_to_first_token_seconds_count')[0].value(t),
    );
    expect(buckets[buckets.length - 1].labels.le).toBe('+Inf');
  });

  it('is scraped every 15 s from the pod start, at an offset of its own', () => {
    const times = scrapeTimes(pod, pod.startedAt - 100, pod.startedAt + 60);
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times[0]).toBeGreaterThanOrEqual(pod.startedAt);
    expect(times[0]).toBeLessThan(pod.startedAt + 15);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual(
      times.slice(1).map(() => 15),
    );
    const source = new SimulatedSeries([pod]);
    expect(
      source.select(
        [{ name: '__name__', op: '=', value: 'vllm:prompt_tokens_total' }],
        pod.startedAt - 600,
        pod.startedAt - 1,
      ),
    ).toEqual([]);
  });
});

describe('servingPods', () => {
  const vllmPod = (name: string, overrides: Record<string, unknown> = {}) => ({
    metadata: {
      name,
      namespace: 'search',
      labels: { 'app.kubernetes.io/instance': 'embeddings-bge-m3' },
    },
    spec: {
      nodeName: 'a100-mig-3g-1',
      containers: [
        {
          name: 'vllm',
          image: 'vllm/vllm-openai:v0.10.1',
          command: ['vllm', 'serve'],
          args: ['BAAI/bge-m3', '--served-model-name', 'bge-m3'],
          resources: { limits: { 'nvidia.com/mig-3g.20gb': '1' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '10.244.0.9',
      startTime: '2026-12-07T10:00:00Z',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'vllm',
          state: { running: { startedAt: '2026-12-07T10:00:05Z' } },
        },
      ],
    },
    ...overrides,
  });

  it('reads the ready vLLM pods, their model name and the MIG slice from the node', () => {
    const pods = servingPods(
      'gpu-us-east',
      [
        vllmPod('embeddings-bge-m3-bcdfghjklm-aaaaa'),
        vllmPod('embeddings-bge-m3-bcdfghjklm-bbbbb', {
          status: { phase: 'Pending' },
        }),
        {
          metadata: { name: 'other', namespace: 'search' },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
          status: { phase: 'Running' },
        },
      ],
      [
        {
          metadata: {
            name: 'a100-mig-3g-1',
            labels: {
              'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB',
              'nvidia.com/mig-3g.20gb.product':
                'NVIDIA-A100-SXM4-40GB-MIG-3g.20gb',
              'nvidia.com/mig-3g.20gb.memory': '20480',
            },
          },
        },
      ],
    );
    expect(pods).toEqual([
      {
        cluster: 'gpu-us-east',
        namespace: 'search',
        name: 'embeddings-bge-m3-bcdfghjklm-aaaaa',
        node: 'a100-mig-3g-1',
        podIP: '10.244.0.9',
        startedAt: Date.parse('2026-12-07T10:00:05Z') / 1000,
        instance: 'embeddings-bge-m3',
        servedModelName: 'bge-m3',
        gpus: 1,
        gpuResource: 'nvidia.com/mig-3g.20gb',
        gpuProduct: 'NVIDIA-A100-SXM4-40GB-MIG-3g.20gb',
        gpuMemoryMiB: 20480,
      },
    ]);
    expect(
      podSeries(pods[0]).find(s => s.labels.__name__ === 'DCGM_FI_DEV_GPU_UTIL')
        ?.labels.GPU_I_PROFILE,
    ).toBe('3g.20gb');
  });
});

describe('the HTTP counters of the API server', () => {
  const series = podSeries(pod);
  const at = pod.startedAt + 7200;
  const http = (handler: string, status: string) =>
    series.find(
      s =>
        s.labels.__name__ === 'http_requests_total' &&
        s.labels.handler === handler &&
        s.labels.status === status,
    )!;

  it('splits the completions into 2xx, 4xx and 5xx by the error shares of the endpoint', () => {
    const p = trafficProfile(pod.namespace, pod.instance);
    const requests = requestsBetween(p, pod.startedAt, at);
    expect(p.serverErrorShare).toBeGreaterThanOrEqual(0.0003);
    expect(p.serverErrorShare).toBeLessThanOrEqual(0.0028);
    const failed = http('/v1/chat/completions', '5xx').value(at);
    expect(failed).toBe(Math.floor(requests * p.serverErrorShare));
    expect(http('/v1/chat/completions', '4xx').value(at)).toBe(
      Math.floor(requests * 0.01),
    );
    const ok = http('/v1/chat/completions', '2xx').value(at);
    expect(
      Math.abs(
        ok + failed + http('/v1/chat/completions', '4xx').value(at) - requests,
      ),
    ).toBeLessThan(3);
  });

  it('counts the readiness probe apart, on /v1/models', () => {
    expect(http('/v1/models', '2xx').value(at)).toBe(720);
  });
});

describe('the prefill and decode time of a serving pod', () => {
  const series = podSeries(pod);
  const sumOf = (name: string) =>
    series.find(s => s.labels.__name__ === `${name}_sum`)!;
  const p = trafficProfile(pod.namespace, pod.instance);
  const l = latencies(p);

  it('serves vLLM v0.10 request phase histograms that move with the traffic', () => {
    expect(metricNames()).toEqual(
      expect.arrayContaining([
        'vllm:request_prefill_time_seconds_sum',
        'vllm:request_decode_time_seconds_sum',
        'vllm:request_prefill_time_seconds_bucket',
        'vllm:request_decode_time_seconds_count',
      ]),
    );
    // A busy hour adds more seconds than a quiet one, as the requests do.
    const busy = (from: number) =>
      sumOf('vllm:request_decode_time_seconds').value(from + 3600) -
      sumOf('vllm:request_decode_time_seconds').value(from);
    const hours = Array.from({ length: 24 }, (_, i) =>
      busy(pod.startedAt + i * 3600),
    );
    expect(Math.max(...hours)).toBeGreaterThan(2 * Math.min(...hours));
    const at = pod.startedAt + 7200;
    const requests = requestsBetween(p, pod.startedAt, at);
    expect(sumOf('vllm:request_prefill_time_seconds').value(at)).toBeCloseTo(
      requests * meanOf(l.prefill),
      2,
    );
    expect(sumOf('vllm:request_decode_time_seconds').value(at)).toBeCloseTo(
      requests * meanOf(l.decode),
      2,
    );
  });

  it('spends most of a request decoding, as a chat endpoint does', () => {
    const prefill = meanOf(l.prefill);
    const decode = meanOf(l.decode);
    expect(prefill / (prefill + decode)).toBeGreaterThan(0.001);
    expect(prefill / (prefill + decode)).toBeLessThan(0.2);
  });
});

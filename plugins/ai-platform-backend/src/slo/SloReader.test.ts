import {
  type FakePrometheus,
  latencies,
  logNormalCdf,
  podSeries,
  requestsBetween,
  scrapeTimes,
  type ServingPod,
  startFakePrometheus,
  trafficProfile,
} from '@internal/fake-prometheus';
import type { SloPrometheusQuerier } from './sloPrometheus';
import { PrometheusClient } from '../cost/PrometheusClient';
import { type SloEndpoint, SloReader } from './SloReader';

const NOW = 1_800_000_000;
const DAY = 86_400;

const pod = (namespace: string, name: string, instance: string) =>
  ({
    cluster: 'gpu-eu-west',
    namespace,
    name,
    node: 'l4-1',
    podIP: '10.0.0.1',
    startedAt: NOW - 2 * DAY,
    instance,
    // All three serve one model: the model name alone cannot tell them apart.
    servedModelName: 'llama-3-1-8b-instruct',
    gpus: 1,
  } satisfies ServingPod);

const PROD = [
  pod('chat', 'chat-assistant-prod-7d9f8b6c5d-abcde', 'chat-assistant-prod'),
  pod('chat', 'chat-assistant-prod-7d9f8b6c5d-fghij', 'chat-assistant-prod'),
];
const OTHERS = [
  // Another endpoint of the same model in the same namespace.
  pod(
    'chat',
    'chat-assistant-canary-6c5d4b3a2f-klmno',
    'chat-assistant-canary',
  ),
  // The same workload name in another team's namespace.
  pod('search', 'chat-assistant-prod-5b4c3d2e1f-pqrst', 'chat-assistant-prod'),
];

const endpoint: SloEndpoint = {
  endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
  title: 'Chat assistant',
  teamRef: 'group:default/applied-ml',
  cluster: 'gpu-eu-west',
  namespace: 'chat',
  workload: 'chat-assistant-prod',
  slo: { availability: 99.9, ttftP95Ms: 300, latencyP95Ms: 4000, itlP95Ms: 60 },
};

/** The latest scraped value of a pod's series at NOW. */
function latest(p: ServingPod, name: string) {
  const series = podSeries(p).find(s => s.labels.__name__ === name)!;
  return series.value(scrapeTimes(p, NOW - 300, NOW).at(-1)!);
}

describe('SloReader against the fake Prometheus on loopback', () => {
  let prometheus: FakePrometheus;
  let queries: string[];
  let reader: SloReader;

  beforeAll(async () => {
    prometheus = await startFakePrometheus({
      routes: [{ path: '', clusters: [] }],
      pods: async () => [...PROD, ...OTHERS],
      now: () => NOW,
    });
    queries = [];
    const client = new PrometheusClient({ url: prometheus.url });
    const querier: SloPrometheusQuerier = {
      query: (promql, at) => {
        queries.push(promql);
        return client.query(promql, at);
      },
      queryRange: (promql, range) => {
        queries.push(promql);
        return client.queryRange(promql, range);
      },
    };
    reader = new SloReader({
      prometheusFor: cluster =>
        cluster === 'gpu-eu-west'
          ? { url: prometheus.url, querier }
          : undefined,
      now: () => new Date(NOW * 1000),
    });
  });

  afterAll(() => prometheus.close());

  it('computes budgets and burn rates that match the simulated traffic', async () => {
    const report = await reader.read(endpoint, { trend: true });
    expect(report.error).toBeUndefined();
    expect(report.source).toEqual({
      kind: 'prometheus',
      cluster: 'gpu-eu-west',
      url: prometheus.url,
      selector:
        'namespace="chat",pod=~"chat-assistant-prod-[a-z0-9]{5,10}-[a-z0-9]{5}"',
    });
    expect(report.windowDays).toBe(28);

    const profile = trafficProfile('chat', 'chat-assistant-prod');
    const served = 2 * requestsBetween(profile, NOW - 2 * DAY, NOW);
    const byKind = new Map(report.objectives.map(o => [o.kind, o]));

    // Availability: the pods fail serverErrorShare of their requests (5xx),
    // so bad/total is that share and the budget left is 1 − share / 0.1 %.
    const availability = byKind.get('availability')!;
    const share = profile.serverErrorShare;
    expect(availability.window.total / served).toBeGreaterThan(0.995);
    expect(availability.window.total / served).toBeLessThan(1.005);
    expect(availability.window.bad / availability.window.total).toBeCloseTo(
      share,
      4,
    );
    expect(availability.budgetLeft).toBeCloseTo(1 - share / 0.001, 1);
    expect(availability.burnRate1h).toBeCloseTo(share / 0.001, 0);
    expect(availability.burnRate6h).toBeCloseTo(share / 0.001, 0);

    // Latency: the share of requests under the boundary is the simulated
    // distribution's CDF there (log-normal, median and sigma known).
    const l = latencies(profile);
    for (const [kind, boundary, d] of [
      ['ttft', 0.25, l.ttft],
      ['latency', 2.5, l.e2e],
      ['itl', 0.05, l.itl],
    ] as const) {
      const objective = byKind.get(kind)!;
      expect({ kind, boundaryMs: objective.boundaryMs }).toEqual({
        kind,
        boundaryMs: boundary * 1000,
      });
      const slow = 1 - logNormalCdf(boundary, d.median, d.sigma);
      expect(objective.window.bad / objective.window.total).toBeCloseTo(
        slow,
        3,
      );
      expect(objective.budgetLeft).toBeCloseTo(1 - slow / 0.05, 1);
    }
    expect(report.budgetLeft).toBe(
      Math.min(...report.objectives.map(o => o.budgetLeft!)),
    );

    // What it serves now: the gauges of the endpoint's own two pods.
    expect(report.current?.requestsWaiting).toBe(
      PROD.reduce((sum, p) => sum + latest(p, 'vllm:num_requests_waiting'), 0),
    );
    expect(report.current?.kvCacheUsage).toBe(
      Math.max(...PROD.map(p => latest(p, 'vllm:kv_cache_usage_perc'))),
    );
    expect(report.current?.errorRate).toBeCloseTo(share, 2);
    expect(report.current?.requestRate).toBeGreaterThan(0);
    expect(report.trend).toHaveLength(25);
    expect(report.trend!.every(p => p.requestRate! > 0)).toBe(true);

    // Every query selects the endpoint's pods, never the model name.
    for (const q of queries) {
      expect(q).toContain('namespace="chat"');
      expect(q).not.toContain('model_name');
    }
  });

  it('counts only the endpoint own pods', async () => {
    const canary = await reader.read({
      ...endpoint,
      endpointRef: 'inferenceendpoint:default/chat-assistant-canary',
      workload: 'chat-assistant-canary',
    });
    const profile = trafficProfile('chat', 'chat-assistant-canary');
    const served = requestsBetween(profile, NOW - 2 * DAY, NOW);
    const total = canary.objectives.find(o => o.kind === 'availability')!.window
      .total;
    expect(total / served).toBeGreaterThan(0.995);
    expect(total / served).toBeLessThan(1.005);
  });

  it('uses spec.slo.windowDays', async () => {
    const report = await reader.read({
      ...endpoint,
      slo: { availability: 99.9, windowDays: 1 },
    });
    const profile = trafficProfile('chat', 'chat-assistant-prod');
    const served = 2 * requestsBetween(profile, NOW - DAY, NOW);
    expect(report.windowDays).toBe(1);
    expect(report.objectives[0].window.total / served).toBeGreaterThan(0.995);
    expect(report.objectives[0].window.total / served).toBeLessThan(1.005);
  });

  it('says how to get figures without Prometheus, and reports a failing one', async () => {
    const none = await reader.read({ ...endpoint, cluster: 'elsewhere' });
    expect(none.source.kind).toBe('none');
    expect(none.source).toMatchObject({
      reason: expect.stringContaining('aiPlatform.cost.prometheus'),
    });
    expect(none.objectives.map(o => o.status)).toEqual([
      'no-data',
      'no-data',
      'no-data',
      'no-data',
    ]);

    const broken = new SloReader({
      prometheusFor: () => ({
        url: 'http://127.0.0.1:1',
        querier: new PrometheusClient({ url: 'http://127.0.0.1:1' }),
      }),
    });
    const failed = await broken.read(endpoint);
    expect(failed.error).toContain('Prometheus at http://127.0.0.1:1 failed');
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import http from 'http';
import type { AddressInfo } from 'net';
import type { ClusterReader } from './ClusterObserver';
import type { ClusterObservation } from './clusterObservation';
import { PrometheusClient } from './PrometheusClient';
import { UsageCollector } from './UsageCollector';
import {
  collectingIngest,
  exampleFleet,
  memoryObservations,
} from './__testUtils__/collectorFixtures';

const fleet = exampleFleet();

const NOW = new Date('2026-11-20T10:07:30Z');
const START = Date.parse('2026-11-20T10:00:00Z') / 1000;
const SUFFIXES = ['abcde', 'fghij', 'klmno', 'pqrst', 'uvwxy', 'zabcd'];

/**
 * Every example endpoint running as the portal deploys it, one pod per GPU
 * it asks for (pods `<kubernetes-id>-7d9f8c6b5-<suffix>`), bound an hour
 * before START.
 */
function runningExamples(cluster: string, now: number): ClusterObservation {
  const pools = new Map(fleet.pools.map(p => [p.ref, p]));
  const mine = fleet.endpoints.filter(
    e => pools.get(e.poolRef)?.cluster === cluster,
  );
  return {
    cluster,
    observedAt: now,
    workloads: mine.map(e => ({
      namespace: e.namespace!,
      name: e.kubernetesId!,
      kubernetesId: e.kubernetesId!,
      endpoint: e.ref,
      owner: e.teamRef,
    })),
    pods: mine.flatMap(e =>
      SUFFIXES.slice(0, e.gpusRequested).map(suffix => ({
        namespace: e.namespace!,
        name: `${e.kubernetesId}-7d9f8c6b5-${suffix}`,
        kubernetesId: e.kubernetesId!,
        workload: e.kubernetesId!,
        nodeName: 'node-1',
        phase: 'Running',
        requests: { [pools.get(e.poolRef)!.resourceName]: 1 },
        since: START - 3600,
      })),
    ),
  };
}

/** Reads every cluster as running the examples; counts its calls. */
function examplesReader(): ClusterReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async observe(cluster, now) {
      calls.push(cluster);
      return { ...runningExamples(cluster, now), requests: 2 };
    },
  };
}

const reading = () => ({
  clusters: examplesReader(),
  observations: memoryObservations(),
});

function fakeIngest(lastEnd?: number) {
  const ingest = collectingIngest();
  return {
    samples: ingest.samples,
    insertSamples: jest.fn(ingest.insertSamples),
    rollup: jest.fn(ingest.rollup),
    pruneSamples: jest.fn(async () => 3),
    lastSampleEnd: jest.fn(async () => lastEnd),
  };
}

/** A loopback Prometheus answering instant queries from a table. */
async function fakePrometheus(
  answer: (query: string) => { status: number; body: unknown },
) {
  const queries: Array<{ query: string; time: string }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const query = url.searchParams.get('query')!;
    queries.push({ query, time: url.searchParams.get('time')! });
    const { status, body } = answer(query);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    close: () => {
      // Idle keep-alive connections would keep the worker alive.
      server.closeAllConnections();
      server.close();
    },
  };
}

const vector = (result: Array<[Record<string, string>, number]>) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: result.map(([metric, v]) => ({ metric, value: [0, String(v)] })),
  },
});

describe('UsageCollector', () => {
  it('samples the GPUs held by every priced endpoint for the last interval, without Prometheus', async () => {
    const ingest = fakeIngest();
    const collector = new UsageCollector({
      fleet: { snapshot: async () => fleet },
      ...reading(),
      ingest,
      logger: mockServices.logger.mock(),
      intervalSeconds: 300,
      rawRetentionDays: 30,
    });
    const result = await collector.collectOnce(NOW);
    expect(result).toMatchObject({
      intervalStart: START,
      samples: 8,
      prometheusClusters: [],
    });
    const chat = ingest.samples.find(
      s => s.endpointRef === 'inferenceendpoint:default/chat-assistant-prod',
    );
    expect(chat).toEqual({
      sampledAt: START,
      intervalSeconds: 300,
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      teamRef: 'group:default/applied-ml',
      modelRef: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v1',
      poolRef: 'gpupool:default/l4-inference',
      cluster: 'gpu-eu-west',
      gpus: 2,
      pricePerGpuHour: 0.85,
      currency: 'USD',
      gpusBasis: 'cluster-state',
    });
    expect(ingest.rollup).toHaveBeenCalledWith({
      fromSeconds: START,
      toSeconds: START + 300,
    });
    expect(ingest.pruneSamples).toHaveBeenCalledWith({
      beforeSeconds: START + 300 - 30 * 86_400,
    });
  });

  it('attributes tokens and utilisation by namespace and pod: two endpoints of one model get their own', async () => {
    // chat-assistant-prod (namespace chat) and chat-assistant-staging
    // (namespace chat-staging) serve one model under one served model name.
    const series = (
      values: Array<[string, string, number]>,
    ): Array<[Record<string, string>, number]> =>
      values.map(([namespace, pod, v]) => [
        {
          namespace,
          pod,
          cluster: 'gpu-eu-west',
          model_name: 'llama-3-1-8b-instruct',
        },
        v,
      ]);
    const prometheus = await fakePrometheus(query => {
      if (query.includes('prompt_tokens')) {
        return {
          status: 200,
          body: vector(
            series([
              ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 100_000.4],
              ['chat', 'chat-assistant-prod-7d9f8c6b5-fghij', 20_000],
              ['chat-staging', 'chat-assistant-staging-7d9f8c6b5-abcde', 500],
              // Same names in another cluster (a shared Prometheus): not ours.
              ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 9e9],
            ]).map(([l, v], i) =>
              i === 3 ? [{ ...l, cluster: 'gpu-us-east' }, v] : [l, v],
            ),
          ),
        };
      }
      if (query.includes('generation_tokens')) {
        return {
          status: 200,
          body: vector(
            series([
              ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 30_000],
              ['chat', 'chat-assistant-prod-7d9f8c6b5-fghij', 10_000],
              ['chat-staging', 'chat-assistant-staging-7d9f8c6b5-abcde', 70],
            ]),
          ),
        };
      }
      // Prefill and decode seconds and requests: prod's two pods, staging's
      // pod with no request finished (no time: its tokens split it).
      const phase = (values: Array<[string, string, number]>) => ({
        status: 200,
        body: vector(series(values)),
      });
      if (query.includes('request_prefill_time')) {
        return phase([
          ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 3],
          ['chat', 'chat-assistant-prod-7d9f8c6b5-fghij', 1],
          ['chat-staging', 'chat-assistant-staging-7d9f8c6b5-abcde', 0],
        ]);
      }
      if (query.includes('request_decode_time')) {
        return phase([
          ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 30],
          ['chat', 'chat-assistant-prod-7d9f8c6b5-fghij', 6],
          ['chat-staging', 'chat-assistant-staging-7d9f8c6b5-abcde', 0],
        ]);
      }
      if (query.includes('request_success')) {
        return phase([
          ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 120],
          ['chat', 'chat-assistant-prod-7d9f8c6b5-fghij', 40.2],
          ['chat-staging', 'chat-assistant-staging-7d9f8c6b5-abcde', 0],
        ]);
      }
      return {
        status: 200,
        body: vector(
          series([
            ['chat', 'chat-assistant-prod-7d9f8c6b5-abcde', 80],
            ['chat', 'chat-assistant-prod-7d9f8c6b5-fghij', 60],
            ['chat-staging', 'chat-assistant-staging-7d9f8c6b5-abcde', 10],
          ]),
        ),
      };
    });
    try {
      const ingest = fakeIngest();
      const collector = new UsageCollector({
        fleet: { snapshot: async () => fleet },
        ...reading(),
        ingest,
        logger: mockServices.logger.mock(),
        prometheus: new Map([
          ['gpu-eu-west', new PrometheusClient({ url: prometheus.url })],
        ]),
      });
      const result = await collector.collectOnce(NOW);
      expect(result.prometheusClusters).toEqual(['gpu-eu-west']);
      expect(result.prometheusRequests).toBe(6);
      const sample = (name: string) =>
        ingest.samples.find(s => s.endpointRef.endsWith(`/${name}`))!;
      expect(sample('chat-assistant-prod')).toMatchObject({
        promptTokens: 120_000,
        generationTokens: 40_000,
        metricsBasis: 'prometheus',
      });
      expect(sample('chat-assistant-prod').gpuUtilization).toBeCloseTo(0.7, 10);
      expect(sample('chat-assistant-staging')).toMatchObject({
        promptTokens: 500,
        generationTokens: 70,
        gpuUtilization: 0.1,
        metricsBasis: 'prometheus',
      });
      // Prod's prompt share is its pods' measured prefill time: 4 of 40 s.
      expect(sample('chat-assistant-prod')).toMatchObject({
        promptShare: 0.1,
        splitBasis: 'measured',
        requests: 160,
      });
      // Staging finished no request: 500 / (500 + 70 x 4), by its tokens.
      expect(sample('chat-assistant-staging')).toMatchObject({
        splitBasis: 'weighted',
        requests: 0,
      });
      expect(sample('chat-assistant-staging').promptShare).toBeCloseTo(
        500 / 780,
        12,
      );
      // Other clusters have no Prometheus: GPUs held only.
      const reasoning = sample('reasoning-70b-prod');
      expect(reasoning.promptTokens).toBeUndefined();
      expect(reasoning.metricsBasis).toBeUndefined();
      expect(prometheus.queries.map(q => q.query).sort()).toEqual([
        'avg by (cluster, namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[300s]))',
        'sum by (cluster, namespace, pod) (increase(vllm:generation_tokens_total[300s]))',
        'sum by (cluster, namespace, pod) (increase(vllm:prompt_tokens_total[300s]))',
        'sum by (cluster, namespace, pod) (increase(vllm:request_decode_time_seconds_sum[300s]))',
        'sum by (cluster, namespace, pod) (increase(vllm:request_prefill_time_seconds_sum[300s]))',
        'sum by (cluster, namespace, pod) (increase(vllm:request_success_total[300s]))',
      ]);
      expect(new Set(prometheus.queries.map(q => q.time))).toEqual(
        new Set([String(START + 300)]),
      );
    } finally {
      prometheus.close();
    }
  });

  it('still records the GPUs held when Prometheus fails, and says so', async () => {
    const prometheus = await fakePrometheus(() => ({
      status: 503,
      body: { status: 'error', error: 'overloaded' },
    }));
    try {
      const ingest = fakeIngest();
      const logger = mockServices.logger.mock();
      const collector = new UsageCollector({
        fleet: { snapshot: async () => fleet },
        ...reading(),
        ingest,
        logger,
        prometheus: new Map([
          ['*', new PrometheusClient({ url: prometheus.url })],
        ]),
      });
      const result = await collector.collectOnce(NOW);
      expect(result.failedClusters.sort()).toEqual([
        'gpu-eu-west',
        'gpu-us-east',
      ]);
      expect(result.samples).toBe(8);
      expect(ingest.samples.every(s => s.promptTokens === undefined)).toBe(
        true,
      );
      expect(logger.warn).toHaveBeenCalledWith(
        'Prometheus query failed; usage is sampled from the cluster state alone',
        expect.objectContaining({ cluster: 'gpu-eu-west' }),
      );
    } finally {
      prometheus.close();
    }
  });

  it('does not sample an interval twice', async () => {
    const ingest = fakeIngest(START + 300);
    const collector = new UsageCollector({
      fleet: { snapshot: async () => fleet },
      ...reading(),
      ingest,
      logger: mockServices.logger.mock(),
    });
    expect(await collector.collectOnce(NOW)).toMatchObject({
      skipped: 'already-collected',
      samples: 0,
    });
    expect(ingest.insertSamples).not.toHaveBeenCalled();
  });

  it('catches up the intervals it missed, at most an hour back, without overlapping stored samples', async () => {
    // Stored samples end at 09:50; now is 10:07:30, so 09:50-10:05 is due.
    const ingest = fakeIngest(START - 600);
    const collector = new UsageCollector({
      fleet: { snapshot: async () => fleet },
      ...reading(),
      ingest,
      logger: mockServices.logger.mock(),
    });
    const result = await collector.collectOnce(NOW);
    expect(result).toMatchObject({
      intervals: 3,
      samples: 24,
      intervalStart: START - 600,
    });
    const starts = [...new Set(ingest.samples.map(s => s.sampledAt))].sort();
    expect(starts).toEqual([START - 600, START - 300, START]);
    expect(ingest.samples.every(s => s.intervalSeconds === 300)).toBe(true);
    expect(ingest.rollup).toHaveBeenCalledWith({
      fromSeconds: START - 600,
      toSeconds: START + 300,
    });

    // A seed that ended mid-interval is continued from where it ended.
    const seeded = fakeIngest(START + 120);
    await new UsageCollector({
      fleet: { snapshot: async () => fleet },
      ...reading(),
      ingest: seeded,
      logger: mockServices.logger.mock(),
    }).collectOnce(NOW);
    expect(
      new Set(seeded.samples.map(s => `${s.sampledAt}+${s.intervalSeconds}`)),
    ).toEqual(new Set([`${START + 120}+180`]));

    // After a long outage only the last hour is filled.
    const late = fakeIngest(START - 86_400);
    expect(
      (
        await new UsageCollector({
          fleet: { snapshot: async () => fleet },
          ...reading(),
          ingest: late,
          logger: mockServices.logger.mock(),
        }).collectOnce(NOW)
      ).intervals,
    ).toBe(12);
  });

  it('refuses an interval that does not divide an hour', () => {
    expect(
      () =>
        new UsageCollector({
          fleet: { snapshot: async () => fleet },
          ...reading(),
          ingest: fakeIngest(),
          logger: mockServices.logger.mock(),
          intervalSeconds: 7 * 60,
        }),
    ).toThrow('intervalMinutes must divide an hour');
  });
});

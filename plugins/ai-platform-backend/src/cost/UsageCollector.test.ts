import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { fleetFromEntities } from '../quotas/FleetSource';
import { PrometheusClient } from './PrometheusClient';
import type { UsageSample } from './types';
import { UsageCollector } from './UsageCollector';

const examples = path.resolve(__dirname, '../../../../examples');
const fleet = fleetFromEntities(
  ['gpu-pools.yaml', 'endpoints.yaml'].flatMap(f =>
    parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
      d => d.toJS() as Entity,
    ),
  ),
);

function fakeIngest(lastEnd?: number) {
  const samples: UsageSample[] = [];
  return {
    samples,
    insertSamples: jest.fn(async (s: UsageSample[]) => {
      samples.push(...s);
    }),
    rollup: jest.fn(async () => {}),
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

const NOW = new Date('2026-11-20T10:07:30Z');
const START = Date.parse('2026-11-20T10:00:00Z') / 1000;

describe('UsageCollector', () => {
  it('samples the allocation of every priced endpoint for the last interval, without Prometheus', async () => {
    const ingest = fakeIngest();
    const collector = new UsageCollector({
      fleet: { snapshot: async () => fleet },
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
    });
    expect(ingest.rollup).toHaveBeenCalledWith({
      fromSeconds: START,
      toSeconds: START + 300,
    });
    expect(ingest.pruneSamples).toHaveBeenCalledWith({
      beforeSeconds: START + 300 - 30 * 86_400,
    });
  });

  it('adds vLLM token counts and DCGM utilisation from the cluster Prometheus', async () => {
    const prometheus = await fakePrometheus(query => {
      if (query.includes('prompt_tokens')) {
        return {
          status: 200,
          body: vector([[{ model_name: 'chat-assistant-prod' }, 120_000.4]]),
        };
      }
      if (query.includes('generation_tokens')) {
        return {
          status: 200,
          body: vector([[{ model_name: 'chat-assistant-prod' }, 40_000]]),
        };
      }
      return {
        status: 200,
        body: vector([
          [
            { pod: 'chat-assistant-prod-7d9f8c6b5-abcde', namespace: 'chat' },
            80,
          ],
          [
            { pod: 'chat-assistant-prod-7d9f8c6b5-fghij', namespace: 'chat' },
            60,
          ],
        ]),
      };
    });
    try {
      const ingest = fakeIngest();
      const collector = new UsageCollector({
        fleet: { snapshot: async () => fleet },
        ingest,
        logger: mockServices.logger.mock(),
        prometheus: new Map([
          ['gpu-eu-west', new PrometheusClient({ url: prometheus.url })],
        ]),
      });
      const result = await collector.collectOnce(NOW);
      expect(result.prometheusClusters).toEqual(['gpu-eu-west']);
      const chat = ingest.samples.find(s =>
        s.endpointRef.endsWith('/chat-assistant-prod'),
      )!;
      expect(chat).toMatchObject({
        promptTokens: 120_000,
        generationTokens: 40_000,
      });
      expect(chat.gpuUtilization).toBeCloseTo(0.7, 10);
      // Other clusters have no Prometheus: allocation only.
      const reasoning = ingest.samples.find(s =>
        s.endpointRef.endsWith('/reasoning-70b-prod'),
      )!;
      expect(reasoning.promptTokens).toBeUndefined();
      expect(prometheus.queries.map(q => q.query).sort()).toEqual([
        'avg by (pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[300s]))',
        'sum by (model_name, pod) (increase(vllm:generation_tokens_total[300s]))',
        'sum by (model_name, pod) (increase(vllm:prompt_tokens_total[300s]))',
      ]);
      expect(new Set(prometheus.queries.map(q => q.time))).toEqual(
        new Set([String(START + 300)]),
      );
    } finally {
      prometheus.close();
    }
  });

  it('still records allocation when Prometheus fails, and says so', async () => {
    const prometheus = await fakePrometheus(() => ({
      status: 503,
      body: { status: 'error', error: 'overloaded' },
    }));
    try {
      const ingest = fakeIngest();
      const logger = mockServices.logger.mock();
      const collector = new UsageCollector({
        fleet: { snapshot: async () => fleet },
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
        'Prometheus query failed; usage is sampled from allocation only',
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
          ingest: fakeIngest(),
          logger: mockServices.logger.mock(),
          intervalSeconds: 7 * 60,
        }),
    ).toThrow('intervalMinutes must divide an hour');
  });
});

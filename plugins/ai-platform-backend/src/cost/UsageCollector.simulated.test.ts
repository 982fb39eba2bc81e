import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import {
  requestsBetween,
  startFakePrometheus,
  trafficProfile,
  type FakePrometheus,
} from '@internal/fake-prometheus';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { fleetFromEntities } from '../fleet/FleetSource';
import { ClusterClients } from '../deploy/ClusterClients';
import { KubernetesClusterClient } from '../deploy/kube/KubernetesClusterClient';
import { ClusterObserver } from './ClusterObserver';
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

/**
 * The collector's own queries against the demo's simulated metrics: a fake
 * API server runs chat-assistant-prod as the portal renders it (vLLM serves
 * it as the model's name), and the fake Prometheus answers with the series
 * of its pods.
 */
describe('UsageCollector against the simulated cluster and metrics', () => {
  let kube: FakeKubeApiServer;
  let prometheus: FakePrometheus;
  let startedAt: number;

  beforeAll(async () => {
    kube = await startFakeKubeApiServer({
      rolloutDelayMs: 0,
      namespaces: ['default', 'chat'],
      nodes: [
        {
          name: 'l4-inference-1',
          labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
          allocatable: { 'nvidia.com/gpu': '4' },
        },
      ],
    });
    const labels = {
      'app.kubernetes.io/name': 'vllm',
      'app.kubernetes.io/instance': 'chat-assistant-prod',
      'backstage.io/kubernetes-id': 'chat-assistant-prod',
    };
    kube.seed([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'chat-assistant-prod',
          namespace: 'chat',
          labels,
          annotations: {
            'ai-platform.io/endpoint':
              'inferenceendpoint:default/chat-assistant-prod',
            'ai-platform.io/owner': 'group:default/applied-ml',
          },
        },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'vllm',
                  image: 'vllm/vllm-openai:v0.10.1',
                  command: ['vllm', 'serve'],
                  args: [
                    'meta-llama/Llama-3.1-8B-Instruct',
                    '--served-model-name',
                    'llama-3-1-8b-instruct',
                  ],
                  resources: { limits: { 'nvidia.com/gpu': '1' } },
                },
              ],
            },
          },
        },
      },
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
    startedAt = Math.max(
      ...kube
        .listObjects({ apiVersion: 'v1', kind: 'Pod', namespace: 'chat' })
        .map(
          p => Date.parse((p.status as { startTime: string }).startTime) / 1000,
        ),
    );
    prometheus = await startFakePrometheus({
      routes: [
        {
          path: '/clusters/gpu-eu-west',
          clusters: [{ name: 'gpu-eu-west', url: kube.url }],
        },
      ],
    });
  });

  afterAll(async () => {
    await prometheus?.close();
    await kube?.close();
  });

  it('attributes the simulated tokens and utilisation to the endpoint that runs', async () => {
    const samples: UsageSample[] = [];
    const collector = new UsageCollector({
      fleet: { snapshot: async () => fleet },
      clusters: new ClusterObserver({
        clusters: new ClusterClients({
          clusters: [kube.clusterConfig('gpu-eu-west')],
          createClient: cluster => new KubernetesClusterClient({ cluster }),
        }),
      }),
      observations: {
        all: async () => new Map(),
        save: async () => {},
        markFailed: async () => {},
      },
      ingest: {
        insertSamples: async s => {
          samples.push(...s);
        },
        rollup: async () => {},
        pruneSamples: async () => 0,
      },
      logger: mockServices.logger.mock(),
      prometheus: new Map([
        [
          'gpu-eu-west',
          new PrometheusClient({
            url: `${prometheus.url}/clusters/gpu-eu-west`,
          }),
        ],
      ]),
    });
    // An hour after the pods started: the interval is fully served.
    const now = new Date((Math.ceil(startedAt / 300) * 300 + 3600) * 1000);
    const result = await collector.collectOnce(now);
    expect(result.prometheusClusters).toEqual(['gpu-eu-west']);

    const end = Math.floor(now.getTime() / 1000 / 300) * 300;
    const profile = trafficProfile('chat', 'chat-assistant-prod');
    const served = 2 * requestsBetween(profile, end - 300, end);
    const chat = samples.find(s =>
      s.endpointRef.endsWith('/chat-assistant-prod'),
    )!;
    expect(chat.promptTokens! / (served * profile.promptTokens)).toBeCloseTo(
      1,
      2,
    );
    expect(
      chat.generationTokens! / (served * profile.generationTokens),
    ).toBeCloseTo(1, 2);
    expect(chat.gpuUtilization).toBeGreaterThan(0.1);
    expect(chat.gpuUtilization).toBeLessThanOrEqual(1);

    // Read from the cluster: the two pods it runs, the whole interval.
    expect(chat).toMatchObject({ gpus: 2, gpusBasis: 'cluster-state' });

    // Declared on the same cluster but not running: no GPUs, no tokens.
    const staging = samples.find(s =>
      s.endpointRef.endsWith('/chat-assistant-staging'),
    )!;
    expect(staging).toMatchObject({ gpus: 0, gpusBasis: 'cluster-state' });
    expect(staging.promptTokens).toBeUndefined();
    expect(staging.gpuUtilization).toBeUndefined();
    // gpu-us-east is not configured here: its endpoints are not sampled.
    expect(samples.some(s => s.cluster === 'gpu-us-east')).toBe(false);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import {
  latencies,
  meanOf,
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

/** A Deployment of the llama model as the portal renders it. */
function llama(name: string, namespace: string, replicas: number) {
  const labels = {
    'app.kubernetes.io/name': 'vllm',
    'app.kubernetes.io/instance': name,
    'backstage.io/kubernetes-id': name,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      labels,
      annotations: {
        'ai-platform.io/endpoint': `inferenceendpoint:default/${name}`,
        'ai-platform.io/owner': 'group:default/applied-ml',
      },
    },
    spec: {
      replicas,
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
  };
}

/**
 * The token split against the demo's simulated metrics: two endpoints of one
 * model (vLLM serves both under the model's name), each told apart by its
 * pods, each split by its own measured prefill and decode time.
 */
describe('UsageCollector: the token split of two endpoints of one model', () => {
  let kube: FakeKubeApiServer;
  let prometheus: FakePrometheus;
  let startedAt: number;

  beforeAll(async () => {
    kube = await startFakeKubeApiServer({
      rolloutDelayMs: 0,
      namespaces: ['default', 'chat', 'chat-staging'],
      nodes: [
        {
          name: 'l4-inference-1',
          labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
          allocatable: { 'nvidia.com/gpu': '4' },
        },
      ],
    });
    kube.seed([
      llama('chat-assistant-prod', 'chat', 2),
      llama('chat-assistant-staging', 'chat-staging', 1),
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
    await kube.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'chat-staging',
        name: 'chat-assistant-staging',
      },
      d => (d?.status as { readyReplicas?: number })?.readyReplicas === 1,
    );
    startedAt = Math.max(
      ...kube
        .listObjects({ apiVersion: 'v1', kind: 'Pod' })
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

  it('splits each endpoint by its own measured prefill and decode time, and counts its requests', async () => {
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
    const expected = (namespace: string, name: string, replicas: number) => {
      const profile = trafficProfile(namespace, name);
      const l = latencies(profile);
      return {
        share: meanOf(l.prefill) / (meanOf(l.prefill) + meanOf(l.decode)),
        requests: replicas * requestsBetween(profile, end - 300, end),
      };
    };
    const sampleOf = (name: string) =>
      samples.find(s => s.endpointRef.endsWith(`/${name}`))!;
    for (const [namespace, name, replicas] of [
      ['chat', 'chat-assistant-prod', 2],
      ['chat-staging', 'chat-assistant-staging', 1],
    ] as const) {
      const sample = sampleOf(name);
      const want = expected(namespace, name, replicas);
      expect(sample).toMatchObject({
        splitBasis: 'measured',
        gpus: replicas,
        gpusBasis: 'cluster-state',
      });
      expect(sample.promptShare! / want.share).toBeCloseTo(1, 2);
      expect(sample.requests! / want.requests).toBeCloseTo(1, 1);
    }
    // Same model, different traffic: different splits, not one per model.
    expect(sampleOf('chat-assistant-prod').promptShare).not.toBeCloseTo(
      sampleOf('chat-assistant-staging').promptShare!,
      4,
    );
    // Six queries for the cluster's interval, whatever the endpoints.
    expect(result.prometheusRequests).toBe(6);
  });
});

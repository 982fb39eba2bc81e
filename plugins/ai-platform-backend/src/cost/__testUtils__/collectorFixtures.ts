/*
 * What the usage collector's tests (UsageCollector*.test.ts) and its
 * benchmark (bench/collectorFleet.ts) build their clusters from: the demo's
 * example fleet, Deployments and pods as the portal renders them, vLLM's
 * container, a fake API server and Prometheus serving the demo's simulated
 * metrics, and stores that keep what the collector writes in memory.
 */
import type { Entity } from '@backstage/catalog-model';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
  type KubeObject,
} from '@internal/fake-kube-apiserver';
import {
  startFakePrometheus,
  type FakePrometheus,
} from '@internal/fake-prometheus';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { ClusterClients } from '../../deploy/ClusterClients';
import { KubernetesClusterClient } from '../../deploy/kube/KubernetesClusterClient';
import { fleetFromEntities, type FleetSnapshot } from '../../fleet/FleetSource';
import { ClusterObserver } from '../ClusterObserver';
import type {
  ClusterObservationStore,
  StoredClusterObservation,
} from '../DatabaseClusterObservationStore';
import { PrometheusClient } from '../PrometheusClient';
import type { UsageSample } from '../types';
import { UsageCollector } from '../UsageCollector';

/** The demo's fleet: examples/gpu-pools.yaml and examples/endpoints.yaml. */
export function exampleFleet(): FleetSnapshot {
  const examples = path.resolve(__dirname, '../../../../../examples');
  return fleetFromEntities(
    ['gpu-pools.yaml', 'endpoints.yaml'].flatMap(f =>
      parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
        d => d.toJS() as Entity,
      ),
    ),
  );
}

/** The labels the portal puts on an endpoint's workload and its pods. */
export function workloadLabels(
  name: string,
  options: { vllm?: boolean } = {},
): Record<string, string> {
  return {
    ...(options.vllm === false ? {} : { 'app.kubernetes.io/name': 'vllm' }),
    'app.kubernetes.io/instance': name,
    'backstage.io/kubernetes-id': name,
  };
}

/** The annotations that say which endpoint (and owner) a workload serves. */
export function portalAnnotations(
  endpointName: string,
  owner: string,
): Record<string, string> {
  return {
    'ai-platform.io/endpoint': `inferenceendpoint:default/${endpointName}`,
    'ai-platform.io/owner': owner,
  };
}

/** vLLM serving a model under a served model name, on GPUs. */
export function vllmContainer(
  model: string,
  servedModelName: string,
  gpus = 1,
) {
  return {
    name: 'vllm',
    image: 'vllm/vllm-openai:v0.10.1',
    command: ['vllm', 'serve'],
    args: [model, '--served-model-name', servedModelName],
    resources: { limits: { 'nvidia.com/gpu': String(gpus) } },
  };
}

/** A Deployment; without containers, one bare vLLM container. */
export function deploymentOf(options: {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  replicas?: number;
  containers?: object[];
}): KubeObject {
  const { name, namespace, labels, annotations } = options;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      labels,
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: options.containers ?? [
            { name: 'vllm', image: 'vllm/vllm-openai' },
          ],
        },
      },
    },
  };
}

/** The llama model's Deployment as the portal renders it for applied-ml. */
export function llamaDeployment(
  name: string,
  namespace: string,
  replicas: number,
): KubeObject {
  return deploymentOf({
    name,
    namespace,
    labels: workloadLabels(name),
    annotations: portalAnnotations(name, 'group:default/applied-ml'),
    replicas,
    containers: [
      vllmContainer(
        'meta-llama/Llama-3.1-8B-Instruct',
        'llama-3-1-8b-instruct',
      ),
    ],
  });
}

/**
 * A pod of a Deployment's ReplicaSet (`<workload>-<hash>-<suffix>`): bound
 * to `nodeName` and running since `since` (Ready too when asked), or, with
 * no node, pending as unschedulable.
 */
export function replicaSetPod(options: {
  workload: string;
  namespace: string;
  hash: string;
  suffix: string;
  labels: Record<string, string>;
  containers: object[];
  nodeName?: string;
  since?: string;
  ready?: boolean;
}): KubeObject {
  const { workload, hash, nodeName, since } = options;
  const bound = nodeName !== undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${workload}-${hash}-${options.suffix}`,
      namespace: options.namespace,
      labels: { ...options.labels, 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${workload}-${hash}`,
          uid: `rs-${workload}`,
          controller: true,
        },
      ],
    },
    spec: {
      ...(bound ? { nodeName } : {}),
      containers: options.containers,
    },
    status: bound
      ? {
          phase: 'Running',
          startTime: since,
          conditions: [
            {
              type: 'PodScheduled',
              status: 'True',
              lastTransitionTime: since,
            },
            ...(options.ready
              ? [{ type: 'Ready', status: 'True', lastTransitionTime: since }]
              : []),
          ],
        }
      : {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
            },
          ],
        },
  };
}

/** Cluster listings kept in memory. */
export function memoryObservations(): ClusterObservationStore {
  const stored = new Map<string, StoredClusterObservation>();
  return {
    all: async () => new Map(stored),
    save: async observation => {
      stored.set(observation.cluster, { observation });
    },
    markFailed: async ({ cluster, at, failure }) => {
      stored.set(cluster, {
        ...stored.get(cluster),
        failedAt: at,
        failure,
      });
    },
  };
}

/** An ingest that keeps the samples it is given. */
export function collectingIngest() {
  const samples: UsageSample[] = [];
  return {
    samples,
    insertSamples: async (s: UsageSample[]) => {
      samples.push(...s);
    },
    rollup: async () => {},
    pruneSamples: async () => 0,
  };
}

/**
 * The demo's cluster gpu-eu-west on a fake API server (one L4 node with 4
 * GPUs) running `deployments` until they are ready, and a fake Prometheus
 * answering with the simulated series of their pods; `startedAt` is when the
 * last pod started (epoch seconds).
 */
export async function startSimulatedCluster(options: {
  namespaces: string[];
  deployments: KubeObject[];
}): Promise<{
  kube: FakeKubeApiServer;
  prometheus: FakePrometheus;
  startedAt: number;
  close(): Promise<void>;
}> {
  const kube = await startFakeKubeApiServer({
    rolloutDelayMs: 0,
    namespaces: ['default', ...options.namespaces],
    nodes: [
      {
        name: 'l4-inference-1',
        labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
        allocatable: { 'nvidia.com/gpu': '4' },
      },
    ],
  });
  kube.seed(options.deployments);
  for (const d of options.deployments) {
    const replicas = (d.spec as { replicas: number }).replicas;
    await kube.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: d.metadata.namespace!,
        name: d.metadata.name!,
      },
      o =>
        (o?.status as { readyReplicas?: number })?.readyReplicas === replicas,
    );
  }
  const startedAt = Math.max(
    ...kube
      .listObjects({ apiVersion: 'v1', kind: 'Pod' })
      .map(
        p => Date.parse((p.status as { startTime: string }).startTime) / 1000,
      ),
  );
  const prometheus = await startFakePrometheus({
    routes: [
      {
        path: '/clusters/gpu-eu-west',
        clusters: [{ name: 'gpu-eu-west', url: kube.url }],
      },
    ],
  });
  return {
    kube,
    prometheus,
    startedAt,
    close: async () => {
      await prometheus.close();
      await kube.close();
    },
  };
}

/**
 * A collector of the example fleet reading the simulated cluster and its
 * Prometheus, and the samples it writes.
 */
export function simulatedCollector(
  cluster: { kube: FakeKubeApiServer; prometheus: FakePrometheus },
  logger: LoggerService,
) {
  const ingest = collectingIngest();
  const fleet = exampleFleet();
  const collector = new UsageCollector({
    fleet: { snapshot: async () => fleet },
    clusters: new ClusterObserver({
      clusters: new ClusterClients({
        clusters: [cluster.kube.clusterConfig('gpu-eu-west')],
        createClient: c => new KubernetesClusterClient({ cluster: c }),
      }),
    }),
    observations: memoryObservations(),
    ingest,
    logger,
    prometheus: new Map([
      [
        'gpu-eu-west',
        new PrometheusClient({
          url: `${cluster.prometheus.url}/clusters/gpu-eu-west`,
        }),
      ],
    ]),
  });
  return { collector, samples: ingest.samples };
}

/**
 * One collection of the simulated cluster an hour after its pods started
 * (the interval fully served): what it returned, the samples it wrote, and
 * the end of the interval it sampled (epoch seconds).
 */
export async function collectSimulated(
  cluster: {
    kube: FakeKubeApiServer;
    prometheus: FakePrometheus;
    startedAt: number;
  },
  logger: LoggerService,
) {
  const { collector, samples } = simulatedCollector(cluster, logger);
  const now = new Date(
    (Math.ceil(cluster.startedAt / 300) * 300 + 3600) * 1000,
  );
  const result = await collector.collectOnce(now);
  const end = Math.floor(now.getTime() / 1000 / 300) * 300;
  return { result, samples, end };
}

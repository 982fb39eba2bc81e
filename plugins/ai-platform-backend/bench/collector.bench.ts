/*
 * The usage collector at fleet scale (part of `yarn bench cost`): one
 * collection for N endpoints (default 10,000) across 3 clusters, each a fake
 * Kubernetes API server on loopback (controllers off: every endpoint's
 * Deployment and one bound vLLM pod seeded as they would run), with a fake
 * Prometheus on loopback serving the simulated vLLM and DCGM series of those
 * pods (in a child process per cluster, as real servers are: see
 * collectorFakes.ts), and a SQLite cost store in a temporary file. Measures
 * the process's first collection (cold) and the next one five minutes later
 * (warm, as a running backend collects), and counts the requests the
 * clusters and Prometheus saw: the requests depend on the number of
 * endpoints only through the LIST pages (of 500).
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';
import { ClusterObserver } from '../src/cost/ClusterObserver';
import { DatabaseClusterObservationStore } from '../src/cost/DatabaseClusterObservationStore';
import { DatabaseUsageStore } from '../src/cost/DatabaseUsageStore';
import { PrometheusClient } from '../src/cost/PrometheusClient';
import { UsageCollector } from '../src/cost/UsageCollector';
import { migrateDatabase } from '../src/database/migrateDatabase';
import { ClusterClients } from '../src/deploy/ClusterClients';
import { KubernetesClusterClient } from '../src/deploy/kube/KubernetesClusterClient';
import type { FleetSnapshot } from '../src/fleet/FleetSource';

import { CLUSTERS, endpointsIn, objectsOf } from './collectorFleet';

/** The collector's log lines are not part of the measure. */
const quietLogger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};

/** Aim: one collection of 10,000 endpoints in under 5 s. */
export const AIM_COLLECTION_MS = 5000;

export type CollectorBenchResult = {
  endpoints: number;
  /** The measured (warm) collection. */
  ms: number;
  /** The process's first collection (module loading included). */
  coldMs: number;
  /** CPU time of the collector's process during the measured collection (the rest is waiting for the clusters, Prometheus and the database). */
  collectorCpuMs: number;
  clusterRequests: number;
  prometheusRequests: number;
  samples: number;
};

/** The fakes' processes: each one's answer to `message`. */
function ask<T>(children: ChildProcess[], message: string): Promise<T[]> {
  return Promise.all(
    children.map(child => {
      const answer = answerOf<T>(child, message);
      child.send(message);
      return answer;
    }),
  );
}

/** The fakes' next message tagged `bench: tag` (Backstage's transform sends others). */
function answerOf<T>(child: ChildProcess, tag: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: any) => {
      if (m?.bench !== tag) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', code =>
      reject(new Error(`the fakes' process exited with ${code}`)),
    );
  });
}

/** One collection of `endpoints` endpoints across 3 clusters; the numbers. */
export async function benchCollector(options: {
  endpoints: number;
}): Promise<CollectorBenchResult> {
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const fleet: FleetSnapshot = {
    pools: CLUSTERS.map(cluster => ({
      ref: `gpupool:default/${cluster}`,
      title: cluster,
      cluster,
      capacity: options.endpoints,
      product: 'NVIDIA-L4',
      baselines: new Map(),
      price: { amount: 0.85, currency: 'USD' },
      resourceName: 'nvidia.com/gpu',
    })),
    endpoints: CLUSTERS.flatMap((cluster, c) =>
      Array.from({ length: endpointsIn(options.endpoints, c) }, (_, i) => {
        const o = objectsOf(cluster, i, since);
        return {
          ref: `inferenceendpoint:default/${o.name}`,
          title: o.name,
          teamRef: `group:default/${o.namespace}`,
          poolRef: `gpupool:default/${cluster}`,
          modelRef: 'model:default/bench-model',
          modelVersion: 'v1',
          gpusNeeded: 1,
          gpusRequested: 1,
          namespace: o.namespace,
          kubernetesId: o.name,
        };
      }),
    ),
  };
  // One process per cluster, each its API server and its Prometheus.
  const children = CLUSTERS.map((_, c) =>
    fork(
      path.join(__dirname, 'collectorFakes.ts'),
      [String(options.endpoints), since, String(c)],
      { execArgv: ['--require', '@backstage/cli/config/nodeTransform.cjs'] },
    ),
  );
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'ai-platform-bench-collector-'),
  );
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'cost.sqlite') },
    useNullAsDefault: true,
  });
  try {
    const ready = await Promise.all(
      children.map(child =>
        answerOf<{ clusters: ClusterConfig[]; prometheusUrl: string }>(
          child,
          'ready',
        ),
      ),
    );
    await migrateDatabase(knex);
    const collector = new UsageCollector({
      fleet: { snapshot: async () => fleet },
      clusters: new ClusterObserver({
        clusters: new ClusterClients({
          clusters: ready.flatMap(r => r.clusters),
          createClient: cluster =>
            new KubernetesClusterClient({ cluster, requestTimeoutMs: 120_000 }),
        }),
      }),
      observations: DatabaseClusterObservationStore.create({ knex }),
      ingest: DatabaseUsageStore.create({ knex }),
      logger: quietLogger,
      prometheus: new Map(
        CLUSTERS.map((cluster, c) => [
          cluster,
          new PrometheusClient({
            url: `${ready[c].prometheusUrl}/clusters/${cluster}`,
            timeoutMs: 120_000,
          }),
        ]),
      ),
    });
    // The first collection of the process (cold), then the next one five
    // minutes later, as a running backend makes it (warm): the measure.
    const now = Date.now();
    const coldStarted = performance.now();
    await collector.collectOnce(new Date(now - 300_000));
    const coldMs = performance.now() - coldStarted;
    await ask(children, 'reset');
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await collector.collectOnce(new Date(now));
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const counts = await ask<{
      clusterRequests: number;
      prometheusRequests: number;
    }>(children, 'counts');
    const seen = {
      clusterRequests: counts.reduce((n, c) => n + c.clusterRequests, 0),
      prometheusRequests: counts.reduce((n, c) => n + c.prometheusRequests, 0),
    };
    if (seen.clusterRequests !== result.clusterRequests) {
      throw new Error(
        `the collector counted ${result.clusterRequests} cluster requests, the servers saw ${seen.clusterRequests}`,
      );
    }
    if (seen.prometheusRequests !== result.prometheusRequests) {
      throw new Error(
        `the collector counted ${result.prometheusRequests} Prometheus requests, Prometheus saw ${seen.prometheusRequests}`,
      );
    }
    if (
      result.failedClusters.length ||
      result.clusters.some(c => c.basis !== 'cluster-state')
    ) {
      throw new Error(
        `a cluster or Prometheus failed: ${JSON.stringify(result)}`,
      );
    }
    return {
      endpoints: options.endpoints,
      ms,
      coldMs,
      collectorCpuMs: (cpu.user + cpu.system) / 1000,
      clusterRequests: seen.clusterRequests,
      prometheusRequests: seen.prometheusRequests,
      samples: result.samples,
    };
  } finally {
    for (const child of children) child.send('stop');
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/*
 * Benchmark: the deploy service against the fake Kubernetes API server
 * (packages/fake-kube-apiserver) on loopback, with the stores on SQLite in
 * memory.
 *
 * 1. Sequential deploys of a 6-object endpoint (ServiceAccount, Deployment,
 *    Service, PodDisruptionBudget, HorizontalPodAutoscaler, ServiceMonitor): the HTTP
 *    requests per deploy by kind (discovery, apply, watch, other) and the
 *    time per deploy, with the deploy settings' defaults.
 *    The aim: discovery once per cluster (cached), the namespace's owners
 *    read once (cached), one read of each object before apply (the ownership
 *    check), one apply per object and one rollout watch per deploy.
 * 2. 100 concurrent deploys of 1-GPU endpoints onto one pool with room for 60:
 *    how many succeed (the aim: exactly the 60 that fit), how many the quota
 *    check refuses, and the wall time.
 *
 * 3. Promotes of a one-replica endpoint with surge (maxSurge 1,
 *    maxUnavailable 0), alternating two model versions, pods taking
 *    --surge-rollout-ms to start: the requests and time per promote, the
 *    surge GPUs reserved while it ran and released after, and the fewest
 *    ready pods during it in the fake's recorded pod states (the aim: never
 *    0, and never more pods than replicas + 1).
 *
 * 4. A canary promote of a two-replica endpoint through the Gateway API
 *    engine (the fake serves gateway.networking.k8s.io, not Argo Rollouts):
 *    steps 25 % and 50 % (each until approved), then 100 %; the requests to
 *    the cluster per step (the promote itself, then each approval with the
 *    driver runs until the route's weights reach the step), the GPUs
 *    reserved for the canary and whether they were released.
 *
 *   yarn bench deploy [--sequential 20] [--concurrent 100] [--capacity 60]
 *                     [--rollout-ms 0] [--promotes 10] [--surge-rollout-ms 50]
 *                     [--smoke]
 *
 * --smoke: 3 sequential deploys and 10 concurrent onto room for 6, in
 * seconds (the numbers mean little; that it runs and exits does).
 *
 * It exits by itself once it has printed: every harness closes its fake
 * API server (which ends its watches and drops its connections) and its
 * knex pool, and the deploy service leaves no timer behind.
 */
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import { performance } from 'node:perf_hooks';
import {
  bob,
  createDeployHarness,
} from '../src/deploy/__testUtils__/deployHarness';
import { readDeployOptions } from '../src/deploy/types';
import { CanaryDriver } from '../src/deploy/canary/CanaryDriver';
import { createCanaryEngines } from '../src/deploy/canary/createCanaryEngines';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SMOKE = process.argv.includes('--smoke');
const SEQUENTIAL = option('sequential', SMOKE ? 3 : 20);
const CONCURRENT = option('concurrent', SMOKE ? 10 : 100);
const CAPACITY = option('capacity', SMOKE ? 6 : 60);
const ROLLOUT_MS = option('rollout-ms', 0);
const PROMOTES = option('promotes', SMOKE ? 2 : 10);
const SURGE_ROLLOUT_MS = option('surge-rollout-ms', SMOKE ? 10 : 50);

const TEAM = 'group:default/applied-ml';

const benchPool: Entity = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'GpuPool',
  metadata: { name: 'bench-pool', namespace: 'default' },
  spec: {
    type: 'shared',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    cluster: 'gpu-eu-west',
    gpu: { product: 'NVIDIA-L4', memoryGiB: 24, count: CAPACITY, perNode: 4 },
    nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
    costPerGpuHour: { amount: 0.85, currency: 'USD' },
    // The team may use more than the pool has: capacity is what binds.
    quotas: [{ team: TEAM, gpus: CONCURRENT * 2 }],
  },
};

function endpoint(name: string, autoscaled: boolean): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'vllm',
      owner: TEAM,
      lifecycle: 'experimental',
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      gpuPool: 'gpupool:default/bench-pool',
      namespace: 'bench',
      runtime: { image: 'vllm/vllm-openai:v0.10.1', maxModelLen: 8192 },
      resources: autoscaled
        ? { gpusPerReplica: 1, replicas: 1, minReplicas: 1, maxReplicas: 2 }
        : { gpusPerReplica: 1, replicas: 1 },
    },
  };
}

function classify(r: {
  method: string;
  path: string;
  query: Record<string, string>;
}) {
  if (r.method === 'PATCH') return 'apply';
  if (r.query.watch === 'true') return 'watch';
  if (r.method === 'GET' && /^\/(api|apis)(\/[^/]+){0,2}$/.test(r.path)) {
    return 'discovery';
  }
  if (r.method === 'GET' && r.path.startsWith('/api/v1/namespaces/bench/')) {
    return 'read';
  }
  if (r.method === 'GET' && /\/namespaces\/bench\/[^/]+\/[^/]+$/.test(r.path)) {
    return 'read';
  }
  return 'other';
}

async function harness(extra: Entity[], rolloutDelayMs = ROLLOUT_MS) {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const nodes = Array.from({ length: Math.ceil(CAPACITY / 4) }, (_, i) => ({
    name: `l4-${i}`,
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
    allocatable: { 'nvidia.com/gpu': '4' },
  }));
  const h = await createDeployHarness({
    knex,
    extraEntities: [benchPool, ...extra],
    server: {
      rolloutDelayMs,
      namespaces: ['default'],
      // The team's namespace, with its owner.
      seed: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'bench',
            annotations: { 'ai-platform.io/owners': TEAM },
          },
        },
      ],
      nodes,
      groups: ['prometheus-operator'],
    },
    // The defaults of aiPlatform.deploy, plus a ServiceMonitor per endpoint.
    deploy: {
      ...readDeployOptions(new ConfigReader({})),
      serviceMonitor: { interval: '30s' },
    },
  });
  return {
    h,
    close: async () => {
      await h.close();
      await knex.destroy();
    },
  };
}

async function sequential() {
  const names = Array.from({ length: SEQUENTIAL }, (_, i) => `seq-${i}`);
  const { h, close } = await harness(names.map(n => endpoint(n, true)));
  const times: number[] = [];
  const perDeploy: Array<Record<string, number>> = [];
  for (const name of names) {
    h.server.clearRequests();
    const start = performance.now();
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: `inferenceendpoint:default/${name}`,
      wait: true,
    });
    times.push(performance.now() - start);
    if (record.state !== 'succeeded') {
      throw new Error(`${name}: ${record.state} ${record.error?.message}`);
    }
    const counts: Record<string, number> = {
      objects: record.objects.length,
    };
    for (const r of h.server.requests) {
      counts[classify(r)] = (counts[classify(r)] ?? 0) + 1;
    }
    perDeploy.push(counts);
  }
  await close();
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const first = perDeploy[0];
  const rest = perDeploy.slice(1);
  const avg = (key: string) =>
    rest.reduce((sum, c) => sum + (c[key] ?? 0), 0) / Math.max(rest.length, 1);
  console.log(
    `\n1. ${SEQUENTIAL} sequential deploys of a ${first.objects}-object endpoint (rollout ${ROLLOUT_MS} ms in the fake)`,
  );
  console.log(
    `   first deploy:  ${JSON.stringify(first)} (discovery fills the cache)`,
  );
  console.log(
    `   later deploys: discovery ${avg('discovery')}, read ${avg(
      'read',
    )}, apply ${avg('apply')}, watch ${avg('watch')}, other ${avg(
      'other',
    )} requests on average`,
  );
  console.log(
    `   time per deploy: median ${median.toFixed(
      1,
    )} ms, first ${times[0].toFixed(1)} ms, max ${Math.max(...times).toFixed(
      1,
    )} ms`,
  );
  const aimMet =
    avg('discovery') === 0 &&
    avg('read') === first.objects &&
    avg('apply') === first.objects &&
    avg('watch') === 1 &&
    avg('other') === 0;
  console.log(
    `   aim (discovery and namespace owners cached + one read and one apply per object + one watch): ${
      aimMet ? 'met' : 'NOT met'
    }`,
  );
}

async function concurrent() {
  // Not in the catalog: catalog endpoints without a deployment count as
  // using their GPUs already (architecture.md), which would fill the pool.
  const names = Array.from({ length: CONCURRENT }, (_, i) => `burst-${i}`);
  const { h, close } = await harness([]);
  const start = performance.now();
  const results = await Promise.allSettled(
    names.map(name =>
      h.service.deploy({
        credentials: bob,
        endpoint: endpoint(name, false) as unknown as Record<string, unknown>,
        wait: true,
      }),
    ),
  );
  const wall = performance.now() - start;
  const errors = new Set(
    results.flatMap(r =>
      r.status === 'fulfilled' && r.value.record.error?.check === 'apply'
        ? [r.value.record.error.message]
        : [],
    ),
  );
  const states: Record<string, number> = {};
  for (const r of results) {
    const key =
      r.status === 'fulfilled'
        ? `${r.value.record.state}${
            r.value.record.error ? ` at ${r.value.record.error.check}` : ''
          }`
        : `error: ${String(r.reason).slice(0, 80)}`;
    states[key] = (states[key] ?? 0) + 1;
  }
  const reserved = (
    await h
      .knex('gpu_allocations')
      .where('pool_ref', 'gpupool:default/bench-pool')
      .sum({ gpus: 'gpus' })
  )[0].gpus;
  await close();
  console.log(
    `\n2. ${CONCURRENT} concurrent 1-GPU deploys onto a pool with room for ${CAPACITY}`,
  );
  console.log(`   outcomes: ${JSON.stringify(states)}`);
  for (const e of [...errors].slice(0, 3)) {
    console.log(`   apply error: ${e}`);
  }
  console.log(
    `   GPUs reserved on the pool afterwards: ${reserved} of ${CAPACITY}`,
  );
  console.log(
    `   wall time: ${wall.toFixed(0)} ms (${(wall / CONCURRENT).toFixed(
      1,
    )} ms per deploy)`,
  );
  console.log(
    `   aim (exactly the ${CAPACITY} that fit succeed): ${
      states.succeeded === CAPACITY && Number(reserved) === CAPACITY
        ? 'met'
        : 'NOT met'
    }`,
  );
}

async function surgePromotes() {
  const { h, close } = await harness(
    [endpoint('surge-0', false)],
    SURGE_ROLLOUT_MS,
  );
  const ref = 'inferenceendpoint:default/surge-0';
  const first = await h.service.deploy({
    credentials: bob,
    endpoint: ref,
    wait: true,
  });
  if (first.record.state !== 'succeeded') {
    throw new Error(`surge-0: ${first.record.error?.message}`);
  }
  const rows: Array<{
    ms: number;
    requests: Record<string, number>;
    surge: number;
    minReady: number;
    maxPods: number;
  }> = [];
  for (let i = 0; i < PROMOTES; i++) {
    h.server.clearRequests();
    const before = h.server.podHistory('bench', 'surge-0').length;
    const start = performance.now();
    const { record } = await h.service.promote({
      credentials: bob,
      endpointRef: ref,
      modelVersion: i % 2 === 0 ? 'v2-fp8' : 'v2',
      reason: 'benchmark promote with surge',
      wait: true,
    });
    const ms = performance.now() - start;
    if (record.state !== 'succeeded') {
      throw new Error(`promote ${i}: ${record.state} ${record.error?.message}`);
    }
    const requests: Record<string, number> = {};
    for (const r of h.server.requests) {
      requests[classify(r)] = (requests[classify(r)] ?? 0) + 1;
    }
    const rollout = record.checks.find(c => c.name === 'quota')?.details
      ?.rollout as { surgeGpus?: number } | undefined;
    const states = h.server.podHistory('bench', 'surge-0').slice(before);
    rows.push({
      ms,
      requests,
      surge: rollout?.surgeGpus ?? 0,
      minReady: Math.min(...states.map(c => c.ready)),
      maxPods: Math.max(...states.map(c => c.pods)),
    });
  }
  const held = await h.knex('gpu_surge_reservations').count({ n: '*' });
  await close();
  const sorted = rows.map(r => r.ms).sort((a, b) => a - b);
  const avg = (key: string) =>
    rows.reduce((sum, r) => sum + (r.requests[key] ?? 0), 0) / rows.length;
  console.log(
    `\n3. ${PROMOTES} promotes of a one-replica endpoint with surge (pods start after ${SURGE_ROLLOUT_MS} ms in the fake)`,
  );
  console.log(
    `   requests per promote: discovery ${avg('discovery')}, read ${avg(
      'read',
    )}, apply ${avg('apply')}, watch ${avg('watch')}, other ${avg(
      'other',
    )} on average`,
  );
  console.log(
    `   time per promote: median ${sorted[
      Math.floor(sorted.length / 2)
    ].toFixed(1)} ms, max ${Math.max(...sorted).toFixed(1)} ms`,
  );
  console.log(
    `   surge GPUs reserved per promote: ${[
      ...new Set(rows.map(r => r.surge)),
    ].join(', ')}; still held afterwards: ${Number(held[0].n)}`,
  );
  const minReady = Math.min(...rows.map(r => r.minReady));
  const maxPods = Math.max(...rows.map(r => r.maxPods));
  console.log(
    `   fewest ready pods during a promote: ${minReady}; most pods: ${maxPods}`,
  );
  console.log(
    `   aim (never 0 ready, at most replicas + 1 pods, surge released): ${
      minReady >= 1 && maxPods <= 2 && Number(held[0].n) === 0
        ? 'met'
        : 'NOT met'
    }`,
  );
}

async function main() {
  console.log(
    `Deploy benchmark${
      SMOKE ? ' (smoke)' : ''
    }: deploy service -> fake Kubernetes API server on 127.0.0.1, stores on SQLite in memory`,
  );
  await sequential();
  await concurrent();
  await surgePromotes();
  await canaryPromote();
}

async function canaryPromote() {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const canaryEndpoint = endpoint('canary-0', false);
  (canaryEndpoint.spec as any).resources.replicas = 2;
  const h = await createDeployHarness({
    knex,
    extraEntities: [benchPool, canaryEndpoint],
    server: {
      rolloutDelayMs: SURGE_ROLLOUT_MS,
      namespaces: ['default'],
      seed: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'bench',
            annotations: { 'ai-platform.io/owners': TEAM },
          },
        },
      ],
      nodes: Array.from({ length: 4 }, (_, i) => ({
        name: `l4-${i}`,
        labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
        allocatable: { 'nvidia.com/gpu': '4' },
      })),
      groups: ['gateway-api'],
    },
    deploy: {
      ...readDeployOptions(new ConfigReader({})),
      canary: {
        'gpu-eu-west': {
          argoTrafficRouting: 'none',
          gateway: { name: 'public', namespace: 'bench' },
        },
      },
    },
    canary: { engines: createCanaryEngines() },
  });
  const ref = 'inferenceendpoint:default/canary-0';
  const canaries = h.service.canaries!;
  const driver = new CanaryDriver({
    canaries,
    deployments: h.store,
    logger: {
      error: () => {},
      warn: () => {},
      info: () => {},
      debug: () => {},
      child: () => ({} as any),
    },
  });
  const counted = () => {
    const requests: Record<string, number> = {};
    for (const r of h.server.requests) {
      requests[classify(r)] = (requests[classify(r)] ?? 0) + 1;
    }
    h.server.clearRequests();
    return Object.entries(requests)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  };
  /** Driver runs until the route gives the step's weight (or 50 runs). */
  const settle = async (weight: number) => {
    for (let i = 0; i < 50; i++) {
      const c = await canaries.store.latest(ref);
      if (c?.endedAt || c?.split?.actualCanaryPercent === weight) return i;
      await driver.tick();
      await new Promise(r => setTimeout(r, SURGE_ROLLOUT_MS));
    }
    return 50;
  };
  try {
    const first = await h.service.deploy({
      credentials: bob,
      endpoint: ref,
      wait: true,
    });
    if (first.record.state !== 'succeeded') {
      throw new Error(`canary-0: ${first.record.error?.message}`);
    }
    h.server.clearRequests();
    const lines: string[] = [];
    const start = performance.now();
    const { record } = await h.service.promote({
      credentials: bob,
      endpointRef: ref,
      modelVersion: 'v2-fp8',
      reason: 'benchmark canary promote',
      strategy: 'canary',
      canarySteps: [
        { weight: 25, pause: { approval: true } },
        { weight: 50, pause: { approval: true } },
        { weight: 100 },
      ],
      wait: true,
    });
    if (record.state !== 'canary') {
      throw new Error(
        `canary promote: ${record.state} ${record.error?.message}`,
      );
    }
    lines.push(`   promote (checks, apply, canary started): ${counted()}`);
    const runs1 = await settle(25);
    lines.push(`   step 1, 25 % (${runs1} driver runs): ${counted()}`);
    await canaries.approve(ref, 'user:default/bob', 'benchmark approval');
    const runs2 = await settle(50);
    lines.push(
      `   step 2, 50 % (approve + ${runs2} driver runs): ${counted()}`,
    );
    await canaries.approve(ref, 'user:default/bob', 'benchmark approval');
    lines.push(`   step 3, 100 % and complete (approve): ${counted()}`);
    const ms = performance.now() - start;
    const status = await canaries.status(ref);
    const held = await h.knex('gpu_surge_reservations').count({ n: '*' });
    console.log(
      `\n4. A canary promote of a two-replica endpoint through the Gateway API engine (pods start after ${SURGE_ROLLOUT_MS} ms in the fake)`,
    );
    console.log(`   requests per step (kind count):`);
    for (const l of lines) console.log(l);
    console.log(
      `   ${status.phase} in ${ms.toFixed(
        0,
      )} ms; GPUs reserved for the canary: ${
        record.canary?.reservedGpus
      }; still held afterwards: ${Number(
        held[0].n,
      )}; aim (succeeded, released): ${
        status.phase === 'succeeded' && Number(held[0].n) === 0
          ? 'met'
          : 'NOT met'
      }`,
    );
  } finally {
    await h.close();
    await knex.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

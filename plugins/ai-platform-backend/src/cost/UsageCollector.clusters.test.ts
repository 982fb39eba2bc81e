import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
  type KubeObject,
} from '@internal/fake-kube-apiserver';
import type { Knex } from 'knex';
import { migrateDatabase } from '../database/migrateDatabase';
import { ClusterClients } from '../deploy/ClusterClients';
import { KubernetesClusterClient } from '../deploy/kube/KubernetesClusterClient';
import type { FleetSnapshot } from '../fleet/FleetSource';
import { QuotaUsageService } from '../quotas/QuotaUsageService';
import { ClusterObserver } from './ClusterObserver';
import { DatabaseClusterObservationStore } from './DatabaseClusterObservationStore';
import { DatabaseCostQueries } from './DatabaseCostQueries';
import { DatabaseUsageStore } from './DatabaseUsageStore';
import { RunningFleetService } from './RunningFleetService';
import { UsageCollector } from './UsageCollector';
import {
  deploymentOf,
  portalAnnotations,
  replicaSetPod,
  workloadLabels,
} from './__testUtils__/collectorFixtures';

jest.setTimeout(120_000);

const T0 = Date.parse('2026-11-20T10:00:00Z') / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();
const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';
const POOL = 'gpupool:default/l4';

const endpoint = (name: string, team = TEAM_A, namespace = 'team-a') => ({
  ref: `inferenceendpoint:default/${name}`,
  title: name,
  teamRef: team,
  poolRef: POOL,
  modelRef: 'model:default/llama',
  modelVersion: 'v1',
  gpusNeeded: 4,
  gpusRequested: 1,
  namespace,
  kubernetesId: name,
});

/** The catalog: six endpoints of two teams on one pool of cluster gpu-a. */
const fleet: FleetSnapshot = {
  pools: [
    {
      ref: POOL,
      title: 'L4',
      cluster: 'gpu-a',
      capacity: 16,
      product: 'NVIDIA-L4',
      baselines: new Map(),
      price: { amount: 2, currency: 'USD' },
      resourceName: 'nvidia.com/gpu',
    },
  ],
  endpoints: [
    endpoint('scaled'),
    endpoint('deleted'),
    endpoint('never'),
    endpoint('outside'),
    endpoint('pending'),
    endpoint('claimed', TEAM_B, 'team-b'),
  ],
};

/** A Deployment as the portal renders it (annotations), or as someone else did (none). */
function deployment(
  name: string,
  namespace: string,
  annotations?: Record<string, string>,
): KubeObject {
  return deploymentOf({
    name,
    namespace,
    labels: workloadLabels(name, { vllm: false }),
    annotations,
  });
}

const portal = (name: string, owner = TEAM_A) => portalAnnotations(name, owner);

/** A pod of a Deployment's ReplicaSet, bound at `boundAt` (or pending). */
function pod(
  workload: string,
  namespace: string,
  suffix: string,
  options: { boundAt?: number; gpus?: number },
): KubeObject {
  return replicaSetPod({
    workload,
    namespace,
    hash: 'abc12',
    suffix,
    labels: workloadLabels(workload, { vllm: false }),
    containers: [
      {
        name: 'vllm',
        image: 'vllm/vllm-openai',
        resources: {
          limits: { 'nvidia.com/gpu': String(options.gpus ?? 1) },
        },
      },
    ],
    ...(options.boundAt !== undefined
      ? { nodeName: 'node-1', since: iso(options.boundAt) }
      : {}),
  });
}

type SampleRow = {
  sampled_at: string | number;
  endpoint_ref: string;
  gpus: number;
  gpus_basis: string | null;
};

describe('UsageCollector reading the clusters', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'bills what runs: scaled mid-interval, deleted, never deployed, outside the portal, claimed by another owner, cluster unreachable (%p)',
    async databaseId => {
      const knex: Knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      const server: FakeKubeApiServer = await startFakeKubeApiServer({
        controllers: false,
        clusterName: 'gpu-a',
        namespaces: ['default', 'team-a', 'team-b'],
        seed: [
          deployment('scaled', 'team-a', portal('scaled')),
          pod('scaled', 'team-a', 'aaaaa', { boundAt: T0 - 3600 }),
          deployment('deleted', 'team-a', portal('deleted')),
          pod('deleted', 'team-a', 'bbbbb', { boundAt: T0 - 3600 }),
          // Deployed by hand: no portal annotations.
          deployment('outside', 'team-a'),
          pod('outside', 'team-a', 'ccccc', { boundAt: T0 - 3600, gpus: 2 }),
          deployment('pending', 'team-a', portal('pending')),
          pod('pending', 'team-a', 'ddddd', {}),
          // team-a's annotations on the workload of team-b's endpoint.
          deployment('claimed', 'team-b', portal('claimed', TEAM_A)),
          pod('claimed', 'team-b', 'eeeee', { boundAt: T0 - 3600 }),
          // A kubernetes-id no endpoint has.
          deployment('stray', 'team-a', portal('stray')),
          pod('stray', 'team-a', 'fffff', { boundAt: T0 - 3600 }),
        ],
      });
      let closed = false;
      try {
        const usageStore = DatabaseUsageStore.create({ knex });
        const observations = DatabaseClusterObservationStore.create({ knex });
        const collector = new UsageCollector({
          fleet: { snapshot: async () => fleet },
          clusters: new ClusterObserver({
            pageSize: 2,
            clusters: new ClusterClients({
              clusters: [server.clusterConfig('gpu-a')],
              createClient: cluster =>
                new KubernetesClusterClient({
                  cluster,
                  requestTimeoutMs: 5000,
                }),
            }),
          }),
          observations,
          ingest: usageStore,
          logger: mockServices.logger.mock(),
          intervalSeconds: 300,
        });
        const samples = async (from: number) => {
          const rows = await knex<SampleRow>('usage_samples')
            .where('sampled_at', from)
            .select('endpoint_ref', 'gpus', 'gpus_basis');
          return Object.fromEntries(
            rows.map(r => [
              r.endpoint_ref.replace('inferenceendpoint:default/', ''),
              [Number(r.gpus), r.gpus_basis],
            ]),
          );
        };

        // 10:00-10:05, read at 10:05:10.
        const first = await collector.collectOnce(new Date((T0 + 310) * 1000));
        // One paginated LIST per type: 6 Deployments and 6 Pods in pages of 2.
        expect(first.clusterRequests).toBe(6);
        expect(first.foreignClaims).toBe(1);
        expect(await samples(T0)).toEqual({
          scaled: [1, 'cluster-state'],
          deleted: [1, 'cluster-state'],
          // Never deployed: declared, nothing runs, nothing billed.
          never: [0, 'cluster-state'],
          // Deployed outside the portal: matched by namespace and kubernetes-id.
          outside: [2, 'cluster-state'],
          // Pending, unscheduled pods hold nothing.
          pending: [0, 'cluster-state'],
          // The workload claiming it names another owner: not billed to it.
          claimed: [0, 'cluster-state'],
        });

        // At 10:07 the autoscaler adds two replicas; at 10:05:30 the deleted
        // endpoint's objects go.
        server.seed([
          pod('scaled', 'team-a', 'ggggg', { boundAt: T0 + 420 }),
          pod('scaled', 'team-a', 'hhhhh', { boundAt: T0 + 420 }),
        ]);
        for (const path of [
          '/apis/apps/v1/namespaces/team-a/deployments/deleted',
          '/api/v1/namespaces/team-a/pods/deleted-abc12-bbbbb',
        ]) {
          expect(
            (await fetch(`${server.url}${path}`, { method: 'DELETE' })).ok,
          ).toBe(true);
        }
        await collector.collectOnce(new Date((T0 + 610) * 1000));
        const second = await samples(T0 + 300);
        // Scaled up mid-interval: billed within this interval, for the 180 s the new pods held.
        expect(second.scaled).toEqual([1 + (2 * 180) / 300, 'cluster-state']);
        // Deleted: held until last seen (10:05:10), nothing after.
        expect(second.deleted[0]).toBeCloseTo(10 / 300, 6);
        expect(second.never).toEqual([0, 'cluster-state']);

        const running = new RunningFleetService({
          fleet: { snapshot: async () => fleet },
          observations,
        });
        const now = await running.running();
        const state = (name: string) =>
          now.endpoints.find(e => e.endpointRef.endsWith(`/${name}`))!;
        expect(state('never')).toMatchObject({
          state: 'declared-not-running',
          basis: 'cluster-state',
          gpus: 0,
        });
        expect(state('deleted').state).toBe('declared-not-running');
        expect(state('scaled')).toMatchObject({
          state: 'running',
          origin: 'portal',
          gpus: 3,
          runningPods: 3,
        });
        expect(state('outside')).toMatchObject({
          origin: 'outside-portal',
          gpus: 2,
        });
        expect(state('pending')).toMatchObject({
          state: 'pending',
          pendingPods: 1,
        });
        expect(now.foreignClaims).toEqual([
          expect.objectContaining({
            endpointRef: 'inferenceendpoint:default/claimed',
            endpointOwner: TEAM_B,
            claimedOwner: TEAM_A,
            gpus: 1,
          }),
        ]);
        expect(now.unmatched.map(u => u.workload)).toEqual(['stray']);

        // Quota use: reserved by records beside running, and the drift.
        const now2 = new Date().toISOString();
        await knex('gpu_allocations').insert([
          {
            endpoint_ref: 'inferenceendpoint:default/scaled',
            team_ref: TEAM_A,
            pool_ref: POOL,
            gpus: 2,
            updated_by: 'test',
            updated_at: now2,
          },
          {
            endpoint_ref: 'inferenceendpoint:default/never',
            team_ref: TEAM_A,
            pool_ref: POOL,
            gpus: 1,
            updated_by: 'test',
            updated_at: now2,
          },
        ]);
        const usage = await new QuotaUsageService({ knex, running }).usage();
        const teamA = usage.find(u => u.team === TEAM_A)!;
        expect(teamA).toMatchObject({
          pool: POOL,
          reserved: 3,
          // scaled 3 + outside 2 + the stray workload's 1 (its owner annotation)
          running: 6,
          basis: 'cluster-state',
        });
        expect(
          teamA.drift.map(d => [d.kind, d.endpointRef ?? d.workload]),
        ).toEqual([
          ['running-over-reserved', undefined],
          ['record-not-running', 'inferenceendpoint:default/never'],
          ['running-without-record', 'inferenceendpoint:default/outside'],
          ['running-without-record', 'gpu-a/team-a/stray'],
        ]);
        expect(teamA.declaredNotRunning).toEqual([
          'inferenceendpoint:default/deleted',
          'inferenceendpoint:default/never',
          'inferenceendpoint:default/pending',
        ]);

        // The cluster stops answering: its last known state, said so.
        await server.close();
        closed = true;
        const third = await collector.collectOnce(new Date((T0 + 910) * 1000));
        expect(third.clusters).toEqual([
          expect.objectContaining({
            cluster: 'gpu-a',
            basis: 'last-known-state',
            observedAt: T0 + 610,
          }),
        ]);
        const unreachable = await samples(T0 + 600);
        expect(unreachable.scaled).toEqual([3, 'last-known-state']);
        expect(unreachable.never).toEqual([0, 'last-known-state']);
        expect(unreachable.deleted).toEqual([0, 'last-known-state']);
        expect((await running.running()).clusters[0]).toMatchObject({
          basis: 'last-known-state',
          failure: expect.stringMatching(/ECONNREFUSED|fetch failed|connect/),
        });

        // The cost page's basis: shares of the GPU-hours by what they rest on.
        const summary = await DatabaseCostQueries.create({ knex }).costSummary({
          from: T0,
          to: T0 + 3600,
          groupBy: 'endpoint',
        });
        const gpuHours = 1 + 1 + 2 + (2.2 + 10 / 300 + 2) + (3 + 2);
        expect(summary.totals[0].gpuHours * 12).toBeCloseTo(gpuHours, 6);
        expect(summary.basis.gpuHours!.lastKnownState).toBeCloseTo(
          5 / gpuHours,
          6,
        );
        expect(summary.basis.gpuHours!.clusterState).toBeCloseTo(
          1 - 5 / gpuHours,
          6,
        );
        expect(summary.basis.gpuHours!.catalog).toBeCloseTo(0, 9);
        const never = summary.groups.find(g => g.key.endsWith('/never'))!;
        expect(never.cost).toBe(0);
      } finally {
        if (!closed) await server.close();
      }
    },
  );
});

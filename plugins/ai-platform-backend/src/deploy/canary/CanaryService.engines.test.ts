import { TestDatabases } from '@backstage/backend-test-utils';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CanaryStep } from '@internal/plugin-ai-platform-common';
import http from 'http';
import type { AddressInfo } from 'net';
import {
  bob,
  createDeployHarness,
  type DeployHarness,
} from '../__testUtils__/deployHarness';
import { CanaryDriver } from './CanaryDriver';
import { createCanaryEngines } from './createCanaryEngines';
import { createArgoRolloutsEngine } from './argoRollouts';
import type { StoredCanary } from './DatabaseCanaryStore';

jest.setTimeout(180_000);

/**
 * The canary workflow with the real engines (Argo Rollouts, Gateway API)
 * against the fake API server's simulated controllers, on both databases.
 */
const REF = 'inferenceendpoint:default/canary-real';
const NAMESPACE = 'chat-staging';
const NAME = 'canary-real';
const STEPS: CanaryStep[] = [
  { weight: 50, pause: { durationSeconds: 60 } },
  { weight: 75, pause: { approval: true } },
  { weight: 100 },
];

function endpoint(): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: { name: NAME, namespace: 'default' },
    spec: {
      type: 'vllm',
      owner: 'group:default/applied-ml',
      lifecycle: 'experimental',
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      gpuPool: 'gpupool:default/canary-l4',
      namespace: NAMESPACE,
      runtime: { image: 'vllm/vllm-openai:canary-real', maxModelLen: 8192 },
      resources: { gpusPerReplica: 1, replicas: 2 },
      slo: { availability: 99 },
    },
  };
}

/** A pool of the fake's 16 L4 GPUs with room for the team (no other endpoint on it). */
const pool: Entity = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'GpuPool',
  metadata: { name: 'canary-l4', namespace: 'default' },
  spec: {
    type: 'shared',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    cluster: 'gpu-eu-west',
    gpu: { product: 'NVIDIA-L4', memoryGiB: 24, count: 16, perNode: 4 },
    nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
    tolerations: [
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ],
    costPerGpuHour: { amount: 0.85, currency: 'USD' },
    quotas: [{ team: 'group:default/applied-ml', gpus: 16 }],
  },
};

const silent: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
};

/** A Prometheus that answers every instant query with `value`. */
async function prometheusDouble(value: number) {
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }],
        },
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise(r => server.close(r)),
  };
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'Canary promotes through the real engines on %p',
  id => {
    let h: DeployHarness;
    let clock = 0;
    let figures: { errorRate?: number } = {};

    async function harness(
      groups: Array<'argo-rollouts' | 'gateway-api'>,
      prometheusUrl?: string,
    ) {
      clock = 0;
      h = await createDeployHarness({
        knex: await databases.init(id),
        extraEntities: [pool, endpoint()],
        server: { groups, rolloutDelayMs: 10 },
        deploy: {
          canary: {
            'gpu-eu-west': {
              argoTrafficRouting: 'none',
              gateway: { name: 'public', namespace: NAMESPACE },
            },
          },
        },
        now: () => new Date(Date.now() + clock),
        canary: {
          engines: {
            ...createCanaryEngines(),
            // Argo's analysis every second in the tests (1 m by default).
            'argo-rollouts': createArgoRolloutsEngine({
              analysis: { interval: '1s', failureLimit: 0 },
            }),
          },
          ...(prometheusUrl ? { prometheusUrlFor: () => prometheusUrl } : {}),
        },
      });
      const first = await h.service.deploy({
        credentials: bob,
        endpoint: REF,
        wait: true,
      });
      expect(first.record.state).toBe('succeeded');
    }

    afterEach(async () => {
      await h?.close();
    });

    const driver = () =>
      new CanaryDriver({
        canaries: h.service.canaries!,
        deployments: h.store,
        logger: silent,
        reader: {
          currentFigures: async () => ({
            kind: 'prometheus',
            url: 'http://prometheus.test',
            selector: '',
            current: figures,
          }),
        },
      });
    const canary = async (): Promise<StoredCanary> =>
      (await h.service.canaries!.store.latest(REF))!;
    /** Driver runs until `done` holds (the simulated controllers take time). */
    const driveUntil = async (
      done: (c: StoredCanary) => boolean,
      what: string,
    ) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        await driver().tick();
        const c = await canary();
        if (done(c)) return c;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${what}: ${JSON.stringify({
              phase: c.phase,
              step: c.stepIndex,
              split: c.split,
              message: c.message,
            })}`,
          );
        }
        await new Promise(r => setTimeout(r, 50));
      }
    };
    const promote = () =>
      h.service.promote({
        credentials: bob,
        endpointRef: REF,
        modelVersion: 'v2-fp8',
        reason: 'fp8 halves the GPU memory',
        strategy: 'canary',
        canarySteps: STEPS,
        wait: true,
      });
    const reservations = () =>
      h.knex('gpu_surge_reservations').select('deployment_id', 'gpus');
    const route = () =>
      h.server.getObject({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        namespace: NAMESPACE,
        name: NAME,
      }) as any;
    const stableArgs = () =>
      JSON.stringify(
        (
          h.server.getObject({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: NAMESPACE,
            name: NAME,
          }) as any
        )?.spec?.template?.spec?.containers?.[0]?.args,
      );
    const canaryWeight = () =>
      (route()?.spec?.rules?.[0]?.backendRefs ?? []).find((b: any) =>
        String(b.name).endsWith('-canary'),
      )?.weight;

    describe('gateway-api', () => {
      it('pause, timer, approve, complete: the route moves step by step and the stable takes the new version', async () => {
        await harness(['gateway-api']);
        const before = stableArgs();
        const started = await promote();
        expect(started.record.error).toBeUndefined();
        expect(started.record.state).toBe('canary');
        expect(stableArgs()).toEqual(before);
        expect(started.record.canary?.engine).toBe('gateway-api');
        expect((await reservations())[0]?.gpus).toBe(
          started.record.canary?.reservedGpus,
        );
        await driveUntil(
          c => c.split?.actualCanaryPercent === 50,
          'the route at 50 %',
        );
        expect(canaryWeight()).toBe(50);
        clock = 61_000;
        await driveUntil(c => c.stepIndex === 1, 'step 2 after the pause');
        await driveUntil(
          c => c.split?.actualCanaryPercent === 75,
          'the route at 75 %',
        );
        expect((await canary()).phase).toBe('awaiting-approval');
        const approved = await h.service.canaries!.approve(
          REF,
          'user:default/bob',
        );
        expect(approved.phase).toBe('progressing');
        await h.service.canaries!.idle();
        expect((await canary()).phase).toBe('succeeded');
        expect((await h.store.get(started.record.id)).state).toBe('succeeded');
        expect(await reservations()).toEqual([]);
        // The stable Deployment runs the new version now.
        expect(stableArgs()).not.toEqual(before);
        expect(canaryWeight() ?? 0).toBe(0);
      });

      it('a failed analysis aborts: all weight back on stable', async () => {
        await harness(['gateway-api'], 'http://prometheus.test');
        const started = await promote();
        figures = { errorRate: 0.001 };
        await driveUntil(
          c => c.split?.actualCanaryPercent === 50,
          'the route at 50 %',
        );
        figures = { errorRate: 0.3 };
        const c = await driveUntil(c2 => !!c2.endedAt, 'the abort');
        expect(c).toMatchObject({
          phase: 'aborted',
          analysis: { status: 'failed' },
        });
        expect(canaryWeight() ?? 0).toBe(0);
        expect((await h.store.get(started.record.id)).state).toBe('failed');
        expect(await reservations()).toEqual([]);
        figures = {};
      });
    });

    describe('argo-rollouts', () => {
      it('converts the running Deployment through workloadRef (both workloads reserved), follows the steps, and aborts back to stable', async () => {
        await harness(['argo-rollouts']);
        const started = await promote();
        expect(started.record.canary).toMatchObject({
          engine: 'argo-rollouts',
          converting: true,
        });
        // Both workloads count: the endpoint's 2 GPUs again, plus the canary's.
        expect(started.record.canary!.reservedGpus).toBeGreaterThanOrEqual(3);
        expect((await reservations())[0]?.gpus).toBe(
          started.record.canary!.reservedGpus,
        );
        const rollout = h.server.getObject({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          namespace: NAMESPACE,
          name: NAME,
        }) as any;
        expect(rollout.spec.workloadRef).toMatchObject({
          kind: 'Deployment',
          name: NAME,
        });
        await driveUntil(
          c => c.phase === 'paused' && c.split?.canaryReplicas === 1,
          'Argo on step 1, paused',
        );
        const aborted = await h.service.canaries!.abort(
          REF,
          'user:default/bob',
          'answers look wrong',
        );
        expect(aborted.phase).toBe('aborted');
        expect((await h.store.get(started.record.id)).state).toBe('failed');
        expect(await reservations()).toEqual([]);
      });

      it('mirrors a failed AnalysisRun: Argo aborts, the canary ends analysis-failed', async () => {
        const prometheus = await prometheusDouble(0.5);
        try {
          await harness(['argo-rollouts'], prometheus.url);
          const started = await promote();
          const c = await driveUntil(c2 => !!c2.endedAt, 'the abort');
          expect(c.phase).toBe('aborted');
          const status = await h.service.canaries!.status(REF);
          expect(status.events.map(e => e.type)).toContain('analysis-failed');
          expect((await h.store.get(started.record.id)).state).toBe('failed');
          expect(await reservations()).toEqual([]);
        } finally {
          await prometheus.close();
        }
      });
    });
  },
);

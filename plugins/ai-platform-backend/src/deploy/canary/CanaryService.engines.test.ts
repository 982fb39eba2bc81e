import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
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
      url: 'https://canary-real.inference.example.com/v1',
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
    const waitFor = async (done: () => boolean, what: string) => {
      const deadline = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
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

      it('a succeeded canary records what runs: a rollback to its revision runs its version on the stable Deployment, no canary pods', async () => {
        await harness(['gateway-api']);
        const started = await promote();
        await driveUntil(
          c => c.split?.actualCanaryPercent === 50,
          'the route at 50 %',
        );
        clock = 61_000;
        await driveUntil(
          c => c.phase === 'awaiting-approval',
          'step 2 awaiting approval',
        );
        await h.service.canaries!.approve(REF, 'user:default/bob');
        await h.service.canaries!.idle();
        const canaryArgs = stableArgs();
        expect(canaryArgs).toContain('--quantization');
        // The revision records the new stable (not the old template), the
        // canary at 0 replicas and the route all on stable.
        const record = await h.store.get(started.record.id);
        expect(record.state).toBe('succeeded');
        const recorded = (kind: string, name: string) =>
          record.manifests.find(
            m => m.kind === kind && m.metadata.name === name,
          ) as any;
        expect(
          JSON.stringify(
            recorded('Deployment', NAME).spec.template.spec.containers[0].args,
          ),
        ).toEqual(canaryArgs);
        expect(recorded('Deployment', `${NAME}-canary`).spec.replicas).toBe(0);
        expect(
          recorded('HTTPRoute', NAME).spec.rules[0].backendRefs.map(
            (b: any) => b.weight,
          ),
        ).toEqual([100, 0]);

        // Another version, rolling; then back to the canary's revision.
        const other = await h.service.promote({
          credentials: bob,
          endpointRef: REF,
          modelVersion: 'v2',
          reason: 'back to bf16',
          wait: true,
        });
        expect(other.record.state).toBe('succeeded');
        expect(stableArgs()).not.toEqual(canaryArgs);
        const back = await h.service.rollback({
          credentials: bob,
          endpointRef: REF,
          toRevision: started.record.revision,
          reason: 'fp8 after all',
          wait: true,
        });
        expect(back.record.error).toBeUndefined();
        expect(back.record.state).toBe('succeeded');
        expect(stableArgs()).toEqual(canaryArgs);
        const canaryDeployment = h.server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: NAMESPACE,
          name: `${NAME}-canary`,
        }) as any;
        expect(canaryDeployment.spec.replicas).toBe(0);
        expect(
          h.server.listObjects({
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: NAMESPACE,
            labelSelector: `app.kubernetes.io/instance=${NAME}-canary`,
          }),
        ).toEqual([]);
        expect(canaryWeight() ?? 0).toBe(0);
        expect(await reservations()).toEqual([]);
      });

      it('an aborted canary fails its revision: it is never restored', async () => {
        await harness(['gateway-api']);
        const started = await promote();
        await h.service.canaries!.abort(REF, 'user:default/bob', 'no');
        const record = await h.store.get(started.record.id);
        expect(record.state).toBe('failed');
        expect((await h.store.applied(REF)).map(r => r.revision)).not.toContain(
          record.revision,
        );
        await expect(
          h.service.rollback({
            credentials: bob,
            endpointRef: REF,
            toRevision: record.revision,
            wait: true,
          }),
        ).rejects.toThrow(/has no applied revision/);
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

      const deploymentPods = () =>
        h.server.podHistory(NAMESPACE, NAME).map(s => s.pods);
      const endpointPods = () =>
        h.server
          .listObjects({
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: NAMESPACE,
            labelSelector: `app.kubernetes.io/instance=${NAME}`,
          })
          .filter((p: any) => !p.metadata.deletionTimestamp);
      /** v1 passes the gates (the harness records no scores for it). */
      const scoreV1 = () =>
        h.postScores('model:default/llama-3-1-8b-instruct', 'v1', [
          { task: 'mmlu', metric: 'acc', value: 0.7 },
          { task: 'gsm8k', metric: 'exact_match,strict-match', value: 0.8 },
          { task: 'ifeval', metric: 'prompt_level_strict_acc', value: 0.8 },
        ]);
      const canaryOf = (modelVersion: string, steps: CanaryStep[]) =>
        h.service.promote({
          credentials: bob,
          endpointRef: REF,
          modelVersion,
          reason: `canary of ${modelVersion}`,
          strategy: 'canary',
          canarySteps: steps,
          wait: true,
        });

      it('a converted endpoint refuses rolling promotes and rollbacks (409, audited); a one-step canary changes the version through the Rollout', async () => {
        await harness(['argo-rollouts']);
        await scoreV1();
        const started = await canaryOf('v2-fp8', [
          { weight: 50, pause: { approval: true } },
          { weight: 100 },
        ]);
        expect(started.record.canary?.converting).toBe(true);
        await driveUntil(
          c => c.phase === 'awaiting-approval',
          'Argo on step 1, awaiting approval',
        );
        await h.service.canaries!.approve(REF, 'user:default/bob');
        await driveUntil(c => c.phase === 'succeeded', 'the canary succeeded');
        expect(await reservations()).toEqual([]);
        // From here the Deployment holds no pods: the Rollout has them all.
        const mark = deploymentPods().length;

        const refused = await h.service
          .promote({
            credentials: bob,
            endpointRef: REF,
            modelVersion: 'v1',
            reason: 'rolling',
            wait: true,
          })
          .catch(error => error);
        // A 409 (ConflictError) that says what runs and what to do.
        expect(refused).toBeInstanceOf(ConflictError);
        expect(refused.message).toMatch(
          /runs as Argo Rollout chat-staging\/canary-real .*Promote with strategy canary instead/,
        );
        await expect(
          h.service.rollback({
            credentials: bob,
            endpointRef: REF,
            toRevision: 1,
            wait: true,
          }),
        ).rejects.toThrow(
          /runs as Argo Rollout .*To go back to v2, promote it with strategy canary/,
        );
        const refusals = (await h.audit()).filter(
          a =>
            ['endpoint.promote', 'endpoint.rollback'].includes(a.action) &&
            a.outcome === 'failure',
        );
        expect(refusals.map(a => a.action)).toEqual([
          'endpoint.promote',
          'endpoint.rollback',
        ]);
        expect(refusals[0].message).toMatch(/runs as Argo Rollout/);
        expect(await reservations()).toEqual([]);

        // A one-step canary: through the Rollout, no second conversion.
        const once = await canaryOf('v1', [{ weight: 100 }]);
        expect(once.record.error).toBeUndefined();
        expect(once.record.canary?.converting).toBeUndefined();
        await driveUntil(
          c => c.deploymentId === once.record.id && c.phase === 'succeeded',
          'the one-step canary succeeded',
        );
        await waitFor(() => endpointPods().length === 2, 'two pods');
        expect(deploymentPods().slice(mark)).toEqual(
          deploymentPods()
            .slice(mark)
            .map(() => 0),
        );
        expect(
          (
            h.server.getObject({
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: NAMESPACE,
              name: NAME,
            }) as any
          ).spec.replicas ?? 0,
        ).toBe(0);
        expect(await reservations()).toEqual([]);
        expect(
          (await h.service.status({ credentials: bob, endpointRef: REF }))
            .runningModelVersion,
        ).toBe('v1');
      });

      it('after an abort the page says the stable version runs, and the next canary goes through the Rollout, clearing the aborted template', async () => {
        await harness(['argo-rollouts']);
        await scoreV1();
        const first = await canaryOf('v2-fp8', STEPS);
        await driveUntil(
          c => c.phase === 'paused' && c.split?.canaryReplicas === 1,
          'Argo on step 1, paused',
        );
        await h.service.canaries!.abort(REF, 'user:default/bob', 'no');
        expect((await h.store.get(first.record.id)).state).toBe('failed');
        expect(
          (await h.service.status({ credentials: bob, endpointRef: REF }))
            .runningModelVersion,
        ).toBe('v2');
        const mark = deploymentPods().length;
        // A rolling promote is refused here too: the Rollout holds the pods.
        await expect(
          h.service.promote({
            credentials: bob,
            endpointRef: REF,
            modelVersion: 'v1',
            reason: 'rolling',
            wait: true,
          }),
        ).rejects.toThrow(/runs as Argo Rollout/);

        const next = await canaryOf('v1', [{ weight: 100 }]);
        expect(next.record.error).toBeUndefined();
        // Through the existing Rollout: not a second conversion.
        expect(next.record.canary?.converting).toBeUndefined();
        const rollout = () =>
          h.server.getObject({
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            namespace: NAMESPACE,
            name: NAME,
          }) as any;
        expect(
          rollout().metadata.annotations?.[
            'ai-platform.io/canary-pending-workload'
          ],
        ).toBeUndefined();
        await driveUntil(
          c => c.deploymentId === next.record.id && c.phase === 'succeeded',
          'the next canary succeeded',
        );
        expect(rollout().status.abort).toBeFalsy();
        await waitFor(() => endpointPods().length === 2, 'two pods');
        expect(
          deploymentPods()
            .slice(mark)
            .every(p => p === 0),
        ).toBe(true);
        expect(await reservations()).toEqual([]);
        expect(
          (await h.service.status({ credentials: bob, endpointRef: REF }))
            .runningModelVersion,
        ).toBe('v1');
      });

      it('a canary of the version just aborted finds Argo still aborted and ends aborted (documented: retry is not offered)', async () => {
        await harness(['argo-rollouts']);
        await canaryOf('v2-fp8', STEPS);
        await driveUntil(
          c => c.phase === 'paused' && c.split?.canaryReplicas === 1,
          'Argo on step 1, paused',
        );
        await h.service.canaries!.abort(REF, 'user:default/bob', 'no');
        const mark = deploymentPods().length;
        const again = await canaryOf('v2-fp8', [{ weight: 100 }]);
        expect(again.record.canary?.converting).toBeUndefined();
        const c = await driveUntil(
          c2 => c2.deploymentId === again.record.id && !!c2.endedAt,
          'the canary of the aborted version ending',
        );
        expect(c.phase).toBe('aborted');
        expect((await h.store.get(again.record.id)).state).toBe('failed');
        expect(await reservations()).toEqual([]);
        expect(
          deploymentPods()
            .slice(mark)
            .every(p => p === 0),
        ).toBe(true);
        expect(
          (await h.service.status({ credentials: bob, endpointRef: REF }))
            .runningModelVersion,
        ).toBe('v2');
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

import { TestDatabases } from '@backstage/backend-test-utils';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CanaryStep } from '@internal/plugin-ai-platform-common';
import {
  bob,
  carol,
  createDeployHarness,
  type DeployHarness,
} from '../__testUtils__/deployHarness';
import { memoryCanaryEngine } from './__testUtils__/memoryCanaryEngine';
import { CanaryDriver } from './CanaryDriver';
import type { StoredCanary } from './DatabaseCanaryStore';

jest.setTimeout(90_000);

const REF = 'inferenceendpoint:default/canary-demo';
const TEAM = 'group:default/applied-ml';
const STEPS: CanaryStep[] = [
  { weight: 10, pause: { durationSeconds: 300 } },
  { weight: 50, pause: { approval: true } },
  { weight: 100 },
];

function canaryDemo(
  url = 'https://canary-demo.inference.example.com/v1',
): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: { name: 'canary-demo', namespace: 'default' },
    spec: {
      type: 'vllm',
      owner: TEAM,
      lifecycle: 'experimental',
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      gpuPool: 'gpupool:default/l4-inference',
      namespace: 'chat-staging',
      url,
      runtime: { image: 'vllm/vllm-openai:canary-test', maxModelLen: 8192 },
      resources: { gpusPerReplica: 1, replicas: 2 },
      slo: { availability: 99, ttftP95Ms: 1500 },
    },
  };
}

const silent: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
};

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('Canary promotes on %p', id => {
  let h: DeployHarness;
  let clock = 0;
  let engine: ReturnType<typeof memoryCanaryEngine>;
  let ended: Array<{ type: string; phase: string }>;
  let figures: { errorRate?: number; ttftP95Ms?: number } | undefined;

  async function harness(
    options: {
      groups?: Array<'argo-rollouts' | 'gateway-api'>;
      engineName?: 'argo-rollouts' | 'gateway-api';
      prometheus?: boolean;
      knex?: Awaited<ReturnType<typeof databases.init>>;
      url?: string;
    } = {},
  ) {
    clock = 0;
    const engineName = options.engineName ?? 'gateway-api';
    engine = memoryCanaryEngine(engineName);
    ended = [];
    const other = memoryCanaryEngine(
      engineName === 'gateway-api' ? 'argo-rollouts' : 'gateway-api',
    );
    h = await createDeployHarness({
      knex: options.knex ?? (await databases.init(id)),
      extraEntities: [canaryDemo(options.url)],
      server: { groups: options.groups ?? ['gateway-api'] },
      deploy: {
        canary: {
          'gpu-eu-west': {
            argoTrafficRouting: 'none',
            gateway: { name: 'public', namespace: 'gateways' },
          },
        },
      },
      now: () => new Date(Date.now() + clock),
      canary: {
        engines: {
          [engineName]: engine,
          [other.name]: other,
        } as any,
        ...(options.prometheus
          ? { prometheusUrlFor: () => 'http://prometheus.test:9090' }
          : {}),
        onEnded: async (canary, how) => {
          ended.push({ type: how.type, phase: canary.phase });
        },
      },
    });
    return h;
  }

  const driver = () =>
    new CanaryDriver({
      canaries: h.service.canaries!,
      deployments: h.store,
      logger: silent,
      reader: {
        currentFigures: async w => ({
          kind: 'prometheus',
          url: 'http://prometheus.test:9090',
          selector: `namespace="${w.namespace}"`,
          current: figures ?? {},
        }),
      },
    });

  afterEach(async () => {
    await h?.close();
  });

  const deployFirst = async () => {
    const first = await h.service.deploy({
      credentials: bob,
      endpoint: REF,
      wait: true,
    });
    expect(first.record.state).toBe('succeeded');
  };
  const promote = (extra: { dryRun?: boolean; steps?: CanaryStep[] } = {}) =>
    h.service.promote({
      credentials: bob,
      endpointRef: REF,
      modelVersion: 'v2-fp8',
      reason: 'fp8 halves the GPU memory',
      strategy: 'canary',
      canarySteps: extra.steps ?? STEPS,
      wait: true,
      ...(extra.dryRun ? { dryRun: true } : {}),
    });
  const reservations = () =>
    h.knex('gpu_surge_reservations').select('deployment_id', 'gpus');
  const canary = async (): Promise<StoredCanary> =>
    (await h.service.canaries!.store.latest(REF))!;
  const auditOf = async (action: string) =>
    (await h.audit()).filter(a => a.action === action);

  it('answers a dry run with the engine, the steps, the GPUs and the split, reserving nothing', async () => {
    await harness();
    await deployFirst();
    const dry = await promote({ dryRun: true });
    expect(dry.record.state).toBe('dry-run');
    expect(dry.record.canary).toMatchObject({
      engine: 'gateway-api',
      steps: STEPS,
      reservedGpus: 1,
      splits: [
        {
          desiredCanaryPercent: 10,
          actualCanaryPercent: 10,
          basis: 'route-weights',
        },
        { desiredCanaryPercent: 50, actualCanaryPercent: 50 },
        { desiredCanaryPercent: 100, actualCanaryPercent: 100 },
      ],
    });
    // The endpoint's spec.url is the Service, not the gateway's address.
    expect(dry.record.canary!.warnings!.join('\n')).toMatch(
      /Gateway gateways\/public does not exist/,
    );
    const quota = dry.record.checks.find(c => c.name === 'quota');
    expect(quota?.details?.rollout).toMatchObject({
      strategy: 'canary',
      surgeGpus: 1,
    });
    expect(await reservations()).toEqual([]);
    expect(await h.service.canaries!.store.latest(REF)).toBeUndefined();
  });

  it('runs the steps: the pause ends on the timer, the approval by a person, then it succeeds and releases its GPUs once', async () => {
    await harness();
    await deployFirst();
    const started = await promote();
    expect(started.record.state).toBe('canary');
    expect(started.record.finishedAt).toBeUndefined();
    expect(await reservations()).toEqual([
      { deployment_id: started.record.id, gpus: 1 },
    ]);
    let c = await canary();
    expect(c).toMatchObject({
      phase: 'paused',
      stepIndex: 0,
      stableVersion: 'v2',
      canaryVersion: 'v2-fp8',
      reservedGpus: 1,
      analysis: { status: 'none' },
    });

    // Another promote waits for the canary; the sweep leaves it alone.
    await expect(promote()).rejects.toThrow(/in progress \(canary\)/);
    clock = 10 * 60_000;
    await h.service.failInterrupted();
    expect((await h.store.get(started.record.id)).state).toBe('canary');
    expect(await reservations()).toHaveLength(1);
    clock = 0;

    // The pause has not ended: nothing moves.
    await driver().tick();
    expect((await canary()).stepIndex).toBe(0);
    // Approve is not advance.
    await expect(
      h.service.canaries!.approve(REF, 'user:default/bob'),
    ).rejects.toThrow(/no approval to give.*advance skips it/);

    clock = 301_000;
    await driver().tick();
    c = await canary();
    expect(c).toMatchObject({ stepIndex: 1, phase: 'awaiting-approval' });
    expect(engine.calls).toContain('advance:1');
    const steps = await auditOf('endpoint.canary.step');
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ actor: 'system', target: REF });

    // An approval step does not move on its own, nor by advance.
    clock = 10 * 3600_000;
    await driver().tick();
    expect((await canary()).stepIndex).toBe(1);
    await expect(
      h.service.canaries!.advance(REF, 'user:default/bob'),
    ).rejects.toThrow(/waits for an approval/);

    const approved = await h.service.canaries!.approve(
      REF,
      'user:default/bob',
      'latency holds in staging',
    );
    // Completing waits for the stable's rollout: it goes on after the answer.
    expect(approved.phase).toBe('progressing');
    await h.service.canaries!.idle();
    expect((await canary()).phase).toBe('succeeded');
    expect(engine.calls).toEqual(
      expect.arrayContaining(['advance:2', 'complete']),
    );
    const record = await h.store.get(started.record.id);
    expect(record.state).toBe('succeeded');
    expect(record.finishedAt).toBeDefined();
    expect(await reservations()).toEqual([]);
    const status = await h.service.canaries!.status(REF);
    expect(status.reservedGpus).toBe(0);
    expect(status.events.map(e => [e.type, e.actor])).toEqual([
      ['started', 'user:default/bob'],
      ['step', 'system'],
      ['approved', 'user:default/bob'],
      ['succeeded', 'system'],
      ['released', 'system'],
    ]);
    // The success that completing the approval reached is audited too.
    expect(await auditOf('endpoint.canary.succeeded')).toEqual([
      expect.objectContaining({
        actor: 'system',
        outcome: 'success',
        message: expect.stringMatching(
          /completing the approval by user:default\/bob/,
        ),
      }),
    ]);
    // The promote's record has the step changes as events too.
    expect(record.events.map(e => e.message).join('\n')).toMatch(
      /canary approved \(step 3 of 3, by user:default\/bob\)/,
    );
    // Settling again releases nothing more.
    await h.service.canaries!.settle(await canary());
    expect(
      (await h.service.canaries!.status(REF)).events.filter(
        e => e.type === 'released',
      ),
    ).toHaveLength(1);
    // The running version is the canary's now.
    expect(
      (await h.service.running()).find(r => r.endpointRef === REF),
    ).toMatchObject({ modelVersion: 'v2-fp8' });
  });

  it('advance skips a timed pause', async () => {
    await harness();
    await deployFirst();
    await promote();
    const moved = await h.service.canaries!.advance(
      REF,
      'user:default/bob',
      'no need to wait in staging',
    );
    expect(moved).toMatchObject({ stepIndex: 1, phase: 'awaiting-approval' });
    expect(moved.events.at(-1)).toMatchObject({
      type: 'advanced',
      actor: 'user:default/bob',
    });
  });

  it('abort sends all traffic back to stable, fails the record and releases the GPUs', async () => {
    await harness();
    await deployFirst();
    const started = await promote();
    const aborted = await h.service.canaries!.abort(
      REF,
      'user:default/bob',
      'answers look wrong',
    );
    expect(aborted.phase).toBe('aborted');
    expect(engine.calls).toContain('abort');
    const record = await h.store.get(started.record.id);
    expect(record).toMatchObject({
      state: 'failed',
      error: {
        check: 'rollout',
        message: expect.stringMatching(
          /aborted by user:default\/bob: answers look wrong/,
        ),
      },
    });
    expect(await reservations()).toEqual([]);
    await expect(
      h.service.canaries!.abort(REF, 'user:default/bob', 'again please'),
    ).rejects.toThrow(/has ended: aborted/);
    // An abort that loses the race to another ending says so, and is not
    // audited as an abort that happened.
    const before = (await h.audit()).length;
    await expect(
      h.service.canaries!.abortCanary(await canary(), {
        actor: 'system',
        type: 'analysis-failed',
        message: 'too late',
      }),
    ).rejects.toThrow(/ended aborted meanwhile: aborted by user:default\/bob/);
    expect((await h.audit()).length).toBe(before);
    // A person's abort tells nobody; it is their own doing.
    expect(ended).toEqual([{ type: 'aborted', phase: 'aborted' }]);
    // v2 still runs.
    expect(
      (await h.service.running()).find(r => r.endpointRef === REF),
    ).toMatchObject({ modelVersion: 'v2' });
  });

  it('after an abort the driver reads the split again, only reading, until no request reaches the canary', async () => {
    await harness();
    await deployFirst();
    await promote();
    await driver().tick();
    expect((await canary()).split).toMatchObject({ actualCanaryPercent: 10 });
    await h.service.canaries!.abort(
      REF,
      'user:default/bob',
      'answers look wrong',
    );
    // The split read before the abort is not what runs any more.
    engine.calls.length = 0;
    await driver().tick();
    expect(engine.calls).toEqual(['observe:read-only']);
    const status = await h.service.canaries!.status(REF);
    expect(status.phase).toBe('aborted');
    expect(status.split).toMatchObject({
      desiredCanaryPercent: 0,
      actualCanaryPercent: 0,
      canaryReplicas: 0,
      note: 'aborted: all traffic on v2',
    });
    // Drained: the driver leaves it alone from now on.
    engine.calls.length = 0;
    await driver().tick();
    expect(engine.calls).toEqual([]);
  });

  it('a failed analysis aborts the canary and tells the listener (the owners)', async () => {
    await harness({ prometheus: true });
    await deployFirst();
    const started = await promote();
    figures = { errorRate: 0.001, ttftP95Ms: 900 };
    await driver().tick();
    expect((await canary()).analysis).toMatchObject({
      status: 'running',
      errorRate: 0.001,
      ttftP95Seconds: 0.9,
    });
    figures = { errorRate: 0.2, ttftP95Ms: 900 };
    await driver().tick();
    const c = await canary();
    expect(c.phase).toBe('aborted');
    expect(c.analysis).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/error rate 20 % is above 1 %/),
    });
    expect(ended).toEqual([{ type: 'analysis-failed', phase: 'aborted' }]);
    expect((await h.store.get(started.record.id)).state).toBe('failed');
    expect(await reservations()).toEqual([]);
    const audit = await auditOf('endpoint.canary.analysis-failed');
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'system', outcome: 'failure' }),
    ]);
    figures = undefined;
  });

  it('resumes after a restart: a new backend drives the canary on, and its GPUs stay held until it ends', async () => {
    const knex = await databases.init(id);
    await harness({ knex });
    await deployFirst();
    const started = await promote();
    await h.close();
    // A new backend on the same database (the sweep runs at start).
    await harness({ knex });
    await h.service.failInterrupted();
    expect(await reservations()).toEqual([
      { deployment_id: started.record.id, gpus: 1 },
    ]);
    clock = 301_000;
    await driver().tick();
    expect(await canary()).toMatchObject({
      stepIndex: 1,
      phase: 'awaiting-approval',
    });
    await h.service.canaries!.abort(REF, 'user:default/bob', 'stop it now');
    expect(await reservations()).toEqual([]);
    clock = 0;
  });

  it('an ended canary a crash left unsettled is settled by the driver: the record ends, the GPUs go back once', async () => {
    await harness();
    await deployFirst();
    const started = await promote();
    // As if the backend stopped right after the canary's end was stored.
    await h.service.canaries!.store.end(
      started.record.id,
      { phase: 'aborted', message: 'aborted' },
      new Date().toISOString(),
    );
    await driver().tick();
    expect((await h.store.get(started.record.id)).state).toBe('failed');
    expect(await reservations()).toEqual([]);
    expect(await h.service.canaries!.store.unreleased()).toEqual([]);
  });

  it('completes a gateway-api canary left on 100 % by a restart mid-complete', async () => {
    await harness();
    await deployFirst();
    const started = await promote();
    // As if the backend stopped after moving to the last step, before complete().
    await h.service.canaries!.store.update(
      started.record.id,
      { stepIndex: 2, phase: 'progressing', pauseEndsAt: null },
      new Date().toISOString(),
    );
    await driver().tick();
    // Completing runs after the tick, which holds up no other canary.
    await h.service.canaries!.idle();
    expect(engine.calls).toContain('complete');
    expect((await canary()).phase).toBe('succeeded');
    expect((await h.store.get(started.record.id)).state).toBe('succeeded');
    expect(await reservations()).toEqual([]);
  });

  it('mirrors Argo Rollouts: the Rollout moves on and ends by itself', async () => {
    await harness({ groups: ['argo-rollouts'], engineName: 'argo-rollouts' });
    await deployFirst();
    const started = await promote();
    expect(started.record.canary).toMatchObject({
      engine: 'argo-rollouts',
      splits: [
        {
          basis: 'replica-count',
          actualCanaryPercent: 33.3,
          note: expect.stringMatching(/with 2 replicas a 10 % step is 33.3 %/),
        },
        { actualCanaryPercent: 50 },
        { actualCanaryPercent: 100 },
      ],
    });
    const target = {
      cluster: 'gpu-eu-west',
      namespace: 'chat-staging',
      name: 'canary-demo',
    };
    engine.set(target, {
      stepIndex: 1,
      phase: 'awaiting-approval',
      weight: 50,
      message: 'paused',
    });
    await driver().tick();
    expect(await canary()).toMatchObject({
      stepIndex: 1,
      phase: 'awaiting-approval',
    });
    await h.service.canaries!.approve(REF, 'user:default/bob');
    expect(engine.calls).toContain('advance:2');
    expect((await canary()).phase).toBe('progressing');
    engine.set(target, { stepIndex: 2, phase: 'succeeded', weight: 100 });
    await driver().tick();
    expect((await canary()).phase).toBe('succeeded');
    expect((await h.store.get(started.record.id)).state).toBe('succeeded');
    expect(await reservations()).toEqual([]);
  });

  it('refuses a canary where the cluster serves no engine, naming what to install', async () => {
    await harness({ groups: [] });
    await deployFirst();
    await expect(promote()).rejects.toThrow(
      /serves neither Argo Rollouts .* nor the Gateway API .* install Argo Rollouts/,
    );
    const refused = await auditOf('endpoint.promote');
    expect(refused.at(-1)).toMatchObject({ outcome: 'failure' });
  });

  it('refuses a canary of a KServe LLMInferenceService endpoint: not in scope', async () => {
    engine = memoryCanaryEngine('gateway-api');
    h = await createDeployHarness({
      knex: await databases.init(id),
      extraEntities: [canaryDemo()],
      deploy: {
        clusterTargets: {
          'gpu-eu-west': { target: 'llm-inference-service' },
        },
      },
      canary: {
        engines: {
          'gateway-api': engine,
          'argo-rollouts': memoryCanaryEngine('argo-rollouts'),
        },
      },
    });
    await expect(promote()).rejects.toThrow(
      /renders endpoints as KServe LLMInferenceServices .* canaries of those are not supported .* strategy rolling/,
    );
    expect(engine.calls).toEqual([]);
  });

  it("refuses a Gateway API canary whose endpoint's spec.url has no DNS hostname: its route would take every request on the listener", async () => {
    await harness({ url: 'http://canary-demo.chat-staging.svc:8000' });
    await deployFirst();
    await expect(promote()).rejects.toThrow(
      /"http:\/\/canary-demo.chat-staging.svc:8000" has no DNS hostname .* take every request on the Gateway's listener/,
    );
    expect(engine.calls).not.toContain('render');
    expect(await reservations()).toEqual([]);
    const refused = await auditOf('endpoint.promote');
    expect(refused.at(-1)).toMatchObject({ outcome: 'failure' });
  });

  it('refuses a canary when nothing runs yet', async () => {
    await harness();
    await expect(promote()).rejects.toThrow(/no stable version/);
  });

  it('refuses carol (not an owner) on the canary actions', async () => {
    await harness();
    await deployFirst();
    await promote();
    await expect(
      h.service.canaryFor({
        credentials: carol,
        endpointRef: REF,
        authorize: 'abort',
      }),
    ).rejects.toThrow(/may not abort the canary/);
    await expect(
      h.service.canaryFor({
        credentials: bob,
        endpointRef: REF,
        authorize: 'abort',
      }),
    ).resolves.toBeDefined();
  });
});

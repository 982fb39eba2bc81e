import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import {
  bob,
  createDeployHarness,
  type DeployHarness,
  L4_NODES,
} from './__testUtils__/deployHarness';

jest.setTimeout(90_000);

const IMAGE = 'vllm/vllm-openai:rollout-test';
const REF = 'inferenceendpoint:default/rollout-demo';
const POOL = 'gpupool:default/l4-inference';
const TEAM = 'group:default/applied-ml';

/** A one-replica production endpoint (automatic rollback on by default). */
function rolloutDemo(
  overrides: { lifecycle?: string; autoRollback?: boolean } = {},
): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: { name: 'rollout-demo', namespace: 'default' },
    spec: {
      type: 'vllm',
      owner: TEAM,
      lifecycle: overrides.lifecycle ?? 'production',
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      gpuPool: POOL,
      namespace: 'chat-staging',
      runtime: { image: IMAGE, maxModelLen: 8192 },
      resources: { gpusPerReplica: 1, replicas: 1 },
      ...(overrides.autoRollback !== undefined
        ? { rollout: { autoRollback: overrides.autoRollback } }
        : {}),
    },
  };
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function until<T>(
  fn: () => Promise<T | undefined>,
  what: string,
): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 25));
  }
}

describe.each(databases.eachSupportedId())('Rollouts on %p', id => {
  let h: DeployHarness;
  let clock = 0;

  async function harness(
    options: {
      entity?: Entity;
      server?: Parameters<typeof createDeployHarness>[0]['server'];
      deploy?: Parameters<typeof createDeployHarness>[0]['deploy'];
    } = {},
  ) {
    clock = 0;
    h = await createDeployHarness({
      knex: await databases.init(id),
      extraEntities: [options.entity ?? rolloutDemo()],
      server: options.server,
      deploy: options.deploy,
      now: () => new Date(Date.now() + clock),
    });
    // Both versions pass the model's gates (a production endpoint enforces them).
    for (const version of ['v2', 'v2-fp8']) {
      await h.postScores('model:default/llama-3-1-8b-instruct', version, [
        { task: 'mmlu', metric: 'acc', value: 0.7 },
        { task: 'gsm8k', metric: 'exact_match,strict-match', value: 0.8 },
        { task: 'ifeval', metric: 'prompt_level_strict_acc', value: 0.8 },
      ]);
    }
    return h;
  }

  afterEach(async () => {
    await h?.close();
  });

  const surgeRows = () =>
    h.knex('gpu_surge_reservations').select('deployment_id', 'gpus');
  const podHistory = () => h.server.podHistory('chat-staging', 'rollout-demo');
  const firstDeploy = async () => {
    const first = await h.service.deploy({
      credentials: bob,
      endpoint: REF,
      wait: true,
    });
    expect(first.record.error).toBeUndefined();
    expect(first.record.state).toBe('succeeded');
    return first.record;
  };
  const promote = (extra: { allowDowntime?: boolean; wait?: boolean } = {}) =>
    h.service.promote({
      credentials: bob,
      endpointRef: REF,
      modelVersion: 'v2-fp8',
      reason: 'fp8 halves the GPU memory',
      wait: true,
      ...extra,
    });
  const quotaCheckOf = (record: DeploymentRecord) =>
    record.checks.find(c => c.name === 'quota');

  it('reserves the surge GPUs while a promote rolls out, never leaves the endpoint without a ready replica, and releases them at the end', async () => {
    await harness({ server: { rolloutDelayMs: 150 } });
    const first = await firstDeploy();
    expect(quotaCheckOf(first)?.details?.rollout).toMatchObject({
      strategy: 'none',
      surgeGpus: 0,
    });
    const before = podHistory().length;
    const started = await promote({ wait: false });
    const during = await until(async () => {
      const rows = await surgeRows();
      return rows.length ? rows : undefined;
    }, 'the surge reservation');
    expect(during).toEqual([{ deployment_id: started.record.id, gpus: 1 }]);
    const usage = await h.quotas.check({ team: TEAM, pool: POOL, gpus: 0 });
    // 1 (rollout-demo) + 1 surge + the other applied-ml endpoints (catalog).
    expect(usage.used).toBe(1 + 1 + 6 + 1 + 2);
    const final = await started.settled;
    expect(final.state).toBe('succeeded');
    expect(quotaCheckOf(final)).toMatchObject({
      status: 'passed',
      message: expect.stringMatching(/^reserved 1 \+ 1 surge GPUs/),
      details: { rollout: { strategy: 'surge', maxSurge: 1, surgeGpus: 1 } },
    });
    expect(await surgeRows()).toEqual([]);
    // The fake's recorded pod states: a surge pod, never zero ready.
    const states = podHistory().slice(before);
    expect(Math.max(...states.map(s => s.pods))).toBe(2);
    expect(states.map(s => s.ready)).toEqual(states.map(() => 1));
    const deployment = h.server.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'chat-staging',
      name: 'rollout-demo',
    }) as any;
    expect(deployment.spec.strategy.rollingUpdate).toEqual({
      maxSurge: 1,
      maxUnavailable: 0,
    });
  });

  it('refuses the surge when the quota has no room, then rolls out with downtime when the caller accepts it (audited)', async () => {
    await harness();
    await firstDeploy();
    // Room for the endpoint's own GPU, not for a surge pod.
    await h.quotas.setOverride({
      team: TEAM,
      pool: POOL,
      gpus: 10,
      reason: 'a tight quota for the test',
      actor: 'user:default/alice',
    });
    const refused = await promote();
    expect(refused.record.state).toBe('failed');
    expect(refused.record.error).toMatchObject({
      check: 'quota',
      message: expect.stringMatching(
        /^no room for the surge: quota exceeded: .*allowDowntime: true/,
      ),
    });
    expect(await surgeRows()).toEqual([]);
    // Nothing was applied: the first revision still runs.
    expect(
      (await h.service.status({ credentials: bob, endpointRef: REF }))
        .runningModelVersion,
    ).toBe('v2');

    const before = podHistory().length;
    const accepted = await promote({ allowDowntime: true });
    expect(accepted.record.state).toBe('succeeded');
    expect(quotaCheckOf(accepted.record)?.details?.rollout).toMatchObject({
      strategy: 'downtime',
      maxSurge: 0,
      maxUnavailable: 1,
    });
    const states = podHistory().slice(before);
    expect(Math.min(...states.map(s => s.ready))).toBe(0);
    expect(Math.max(...states.map(s => s.pods))).toBe(1);
    const audit = (await h.audit()).filter(
      r => r.action === 'endpoint.promote',
    );
    expect(audit.at(-1)).toMatchObject({
      outcome: 'success',
      request: expect.objectContaining({ allowDowntime: true }),
    });
    expect(audit.at(-2)).toMatchObject({ outcome: 'failure' });
  });

  it('refuses the surge when the pool has no room, then accepts allowDowntime', async () => {
    await harness();
    await firstDeploy();
    const { poolFree } = await h.quotas.check({
      team: TEAM,
      pool: POOL,
      gpus: 0,
      endpoint: REF,
    });
    // Another team's endpoint takes all but the endpoint's own GPU.
    await h.knex('gpu_allocations').insert({
      endpoint_ref: 'inferenceendpoint:default/someone-else',
      team_ref: 'group:default/data-science',
      pool_ref: POOL,
      gpus: poolFree - 1,
      updated_by: 'test',
      updated_at: new Date().toISOString(),
    });
    const refused = await promote();
    expect(refused.record.error?.message).toMatch(
      /^no room for the surge: pool full: /,
    );
    const accepted = await promote({ allowDowntime: true });
    expect(accepted.record.state).toBe('succeeded');
  });

  const failures: Array<{
    kind: string;
    server: Parameters<typeof createDeployHarness>[0]['server'];
    behaviour?: 'missing' | 'crashing' | 'hanging';
    message: RegExp;
  }> = [
    {
      kind: 'an image pull error',
      server: {},
      behaviour: 'missing',
      message: /(ErrImagePull|ImagePullBackOff)/,
    },
    {
      kind: 'a crash loop',
      server: {},
      behaviour: 'crashing',
      message: /CrashLoopBackOff/,
    },
    {
      kind: 'a progress deadline',
      server: { progressDeadlineMs: 600 },
      behaviour: 'hanging',
      message: /exceeded its progress deadline/,
    },
    {
      kind: 'pods unschedulable for lack of GPUs',
      // One GPU in the whole cluster: the surge pod never fits.
      server: {
        progressDeadlineMs: 600,
        nodes: [{ ...L4_NODES[0], allocatable: { 'nvidia.com/gpu': '1' } }],
      },
      message: /progress deadline.*Insufficient nvidia\.com\/gpu/,
    },
  ];

  it.each(failures)(
    'rolls back on its own after $kind, as a revision of its own, audited',
    async ({ server, behaviour, message }) => {
      await harness({ server });
      await firstDeploy();
      const before = podHistory().length;
      if (behaviour) h.server.setImageBehaviour(IMAGE, behaviour);
      const failed = await promote();
      expect(failed.record).toMatchObject({
        operation: 'promote',
        state: 'failed',
        revision: 2,
        error: { check: 'rollout', message: expect.stringMatching(message) },
      });
      expect(failed.record.events.map(e => e.message)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Automatic rollback .*re-applying revision 1/),
          'Automatic rollback revision 3 succeeded: revision 1 (v2) runs again',
        ]),
      );
      const [rollback] = await h.service.list({ endpointRef: REF, limit: 1 });
      expect(rollback).toMatchObject({
        operation: 'auto-rollback',
        state: 'succeeded',
        revision: 3,
        restoredRevision: 1,
        modelVersion: 'v2',
        reason: expect.stringMatching(
          /^automatic rollback: revision 2 failed its rollout: /,
        ),
      });
      expect(
        (await h.service.status({ credentials: bob, endpointRef: REF }))
          .runningModelVersion,
      ).toBe('v2');
      // Served throughout, surge released.
      const states = podHistory().slice(before);
      expect(states.map(s => s.ready)).toEqual(states.map(() => 1));
      expect(await surgeRows()).toEqual([]);
      const audit = (await h.audit()).filter(
        r => r.action === 'endpoint.auto-rollback',
      );
      expect(audit).toEqual([
        expect.objectContaining({
          outcome: 'success',
          request: expect.objectContaining({
            failedRevision: 2,
            toRevision: 1,
          }),
        }),
      ]);
    },
  );

  it('does not roll back where autoRollback is off (the default outside production)', async () => {
    await harness({ entity: rolloutDemo({ lifecycle: 'experimental' }) });
    await firstDeploy();
    h.server.setImageBehaviour(IMAGE, 'crashing');
    const failed = await promote();
    expect(failed.record.state).toBe('failed');
    const [newest] = await h.service.list({ endpointRef: REF, limit: 1 });
    expect(newest.revision).toBe(2);
    expect(await surgeRows()).toEqual([]);
  });

  it('stops when the automatic rollback fails too, and says so; it never loops', async () => {
    await harness();
    await firstDeploy();
    h.server.setImageBehaviour(IMAGE, 'crashing');
    const started = await promote({ wait: false });
    await until(
      async () =>
        (await h.service.get(started.record.id)).state === 'rolling-out'
          ? true
          : undefined,
      'the rollout',
    );
    // The rollback's apply of the Deployment fails.
    h.server.injectFault({
      method: 'PATCH',
      path: /\/apis\/apps\/v1\/namespaces\/chat-staging\/deployments\/rollout-demo/,
      kind: 'status',
      code: 500,
      message: 'etcdserver: request timed out',
      times: Infinity,
    });
    const failed = await started.settled;
    expect(failed.state).toBe('failed');
    const records = await h.service.list({ endpointRef: REF });
    expect(records.map(r => [r.revision, r.operation, r.state])).toEqual([
      [3, 'auto-rollback', 'failed'],
      [2, 'promote', 'failed'],
      [1, 'deploy', 'succeeded'],
    ]);
    expect(failed.events.at(-1)?.message).toMatch(
      /^Automatic rollback revision 3 failed at apply: .*it stops there/,
    );
    const rollback = await h.service.get(records[0].id);
    expect(rollback.events.at(-1)?.message).toMatch(
      /^Automatic rollback stopped: this automatic rollback \(revision 3\) failed too/,
    );
    expect(await surgeRows()).toEqual([]);
  });

  it('releases the surge GPUs of a rollout that a stopped backend left behind', async () => {
    await harness({
      server: { progressDeadlineMs: 60_000 },
      deploy: { rolloutTimeoutMs: 3000 },
      entity: rolloutDemo({ autoRollback: false }),
    });
    await firstDeploy();
    h.server.setImageBehaviour(IMAGE, 'hanging');
    const started = await promote({ wait: false });
    await until(async () => {
      const rows = await surgeRows();
      return rows.length ? rows : undefined;
    }, 'the surge reservation');
    // A restarted backend sweeps: the record is silent for long enough.
    clock = 10 * 60_000;
    await h.service.failInterrupted();
    expect(await surgeRows()).toEqual([]);
    expect((await h.service.get(started.record.id)).state).toBe('failed');
    await started.settled;
  });
});

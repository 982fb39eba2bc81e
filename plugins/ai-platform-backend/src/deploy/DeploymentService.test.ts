import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  exampleEntity,
  exampleNamespaceOwners,
} from '../__testUtils__/exampleEntities';
import {
  alice,
  bob,
  carol,
  createDeployHarness,
  type DeployHarness,
} from './__testUtils__/deployHarness';

jest.setTimeout(60_000);

const STAGING = 'inferenceendpoint:default/chat-assistant-staging';
const PROD = 'inferenceendpoint:default/chat-assistant-prod';
const LLAMA = 'model:default/llama-3-1-8b-instruct';

/** A new endpoint of applied-ml on the L4 pool, not in the catalog. */
function newEndpoint(
  name: string,
  overrides: {
    replicas?: number;
    owner?: string;
    image?: string;
    gpuPool?: string;
    namespace?: string;
  } = {},
): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'vllm',
      owner: overrides.owner ?? 'group:default/applied-ml',
      lifecycle: 'experimental',
      model: LLAMA,
      modelVersion: 'v2',
      gpuPool: overrides.gpuPool ?? 'gpupool:default/l4-inference',
      namespace: overrides.namespace ?? 'chat-staging',
      runtime: {
        image: overrides.image ?? 'vllm/vllm-openai:v0.10.1',
        maxModelLen: 8192,
      },
      resources: { gpusPerReplica: 1, replicas: overrides.replicas ?? 1 },
    },
  };
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('DeploymentService on %p', id => {
  let h: DeployHarness;

  beforeEach(async () => {
    h = await createDeployHarness({ knex: await databases.init(id) });
  });

  afterEach(async () => {
    await h.close();
  });

  const KINDS = [
    ['apps/v1', 'Deployment'],
    ['v1', 'Service'],
    ['policy/v1', 'PodDisruptionBudget'],
  ];
  /** Our objects in the fake cluster, with their resourceVersions. */
  const ourObjects = (namespace = 'chat-staging') =>
    KINDS.flatMap(([apiVersion, kind]) =>
      h.server.listObjects({ apiVersion, kind, namespace }),
    )
      .map(o => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
      .sort();

  /** `action:outcome` of the audit records, oldest first. */
  const audited = async () =>
    (await h.audit()).map(a => `${a.action}:${a.outcome}`);

  /** Requests that change something in the cluster. */
  const writes = () => h.server.requests.filter(r => r.method !== 'GET');

  const applies = () =>
    h.server.requests.filter(
      r => r.method === 'PATCH' && r.query.dryRun === undefined,
    );

  it('deploys an endpoint: checks in order, applies, waits for the rollout, records progress', async () => {
    await h.close();
    // Slow pods, so that the rollout has steps to report.
    h = await createDeployHarness({
      knex: await databases.init(id),
      server: { rolloutDelayMs: 400 },
    });
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(record).toMatchObject({
      endpointRef: STAGING,
      revision: 1,
      operation: 'deploy',
      state: 'succeeded',
      modelVersion: 'v2',
      gpus: 1,
      requestedBy: 'user:default/bob',
      team: 'group:default/applied-ml',
    });
    expect(record.checks.map(c => [c.name, c.status])).toEqual([
      ['permission', 'passed'],
      ['identity', 'passed'],
      ['namespace', 'passed'],
      ['target', 'passed'],
      ['ownership', 'passed'],
      ['lifecycle', 'passed'],
      ['sizing', 'passed'],
      ['gates', 'skipped'],
      ['quota', 'passed'],
      ['apply', 'passed'],
      ['rollout', 'passed'],
    ]);
    expect(record.objects.map(o => [o.kind, o.action])).toEqual([
      ['ServiceAccount', 'created'],
      ['Deployment', 'created'],
      ['Service', 'created'],
      ['PodDisruptionBudget', 'created'],
    ]);
    const messages = record.events.map(e => e.message);
    expect(messages).toContain('1 of 1 replicas ready');
    expect(messages.some(m => /replicas (updated|are available)/.test(m))).toBe(
      true,
    );
    // Applied with our field manager, server-side.
    expect(applies()).toHaveLength(4);
    for (const r of applies()) {
      expect(r.contentType).toContain('application/apply-patch+yaml');
      expect(r.query.fieldManager).toBe('backstage-ai-platform');
    }
    const live = h.server.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'chat-staging',
      name: 'chat-assistant-staging',
    }) as any;
    expect(live.status.readyReplicas).toBe(1);
    expect(await h.quotas.allocation(STAGING)).toEqual({
      team: 'group:default/applied-ml',
      pool: 'gpupool:default/l4-inference',
      gpus: 1,
    });
    const audit = await h.audit();
    expect(audit.at(-1)).toMatchObject({
      action: 'endpoint.deploy',
      target: STAGING,
      actor: 'user:default/bob',
      outcome: 'success',
    });
    expect((await h.service.list({ endpointRef: STAGING }))[0].id).toBe(
      record.id,
    );
  });

  it('answers before the rollout when the caller does not wait, and the record can be polled', async () => {
    const started = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
    });
    expect(['applying', 'rolling-out', 'succeeded']).toContain(
      started.record.state,
    );
    const final = await started.settled;
    expect(final.state).toBe('succeeded');
    expect((await h.service.get(final.id)).state).toBe('succeeded');
  });

  it('refuses a deploy over the team quota, applying and reserving nothing', async () => {
    // applied-ml holds 9 of its 12 L4 GPUs through the catalog's endpoints.
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('big-chat', { replicas: 4 }),
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error?.check).toBe('quota');
    expect(record.error?.message).toMatch(/quota/i);
    expect(record.checks.map(c => c.name)).toEqual([
      'permission',
      'identity',
      'namespace',
      'target',
      'ownership',
      'lifecycle',
      'sizing',
      'gates',
      'quota',
    ]);
    expect(applies()).toHaveLength(0);
    expect(
      await h.quotas.allocation('inferenceendpoint:default/big-chat'),
    ).toBeUndefined();
    expect((await h.audit()).at(-1)).toMatchObject({
      action: 'endpoint.deploy',
      outcome: 'failure',
    });
  });

  it('refuses a deploy onto a full pool even within the team quota', async () => {
    // The L4 pool holds 16 GPUs; Applied ML's endpoints need 9 of them.
    // With a quota of the whole pool, Applied ML has room for 7 more, but
    // once Data Science runs 3, the pool has room for 4 only.
    await h.quotas.setOverride({
      team: 'group:default/applied-ml',
      pool: 'gpupool:default/l4-inference',
      gpus: 16,
      reason: 'test',
      actor: 'user:default/alice',
    });
    const ds = await h.service.deploy({
      credentials: carol,
      endpoint: newEndpoint('ds-chat', {
        replicas: 3,
        owner: 'group:default/data-science',
        namespace: 'ds-sandbox',
      }),
      wait: true,
    });
    expect(ds.record.state).toBe('succeeded');
    h.server.clearRequests();
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('huge-chat', { replicas: 5 }),
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error).toMatchObject({ check: 'quota' });
    expect(record.error?.message).toMatch(/pool/i);
    expect(record.error?.message).toBe(
      'pool full: gpupool:default/l4-inference has 16 GPUs and 12 are allocated; 5 more would make 17',
    );
    expect(applies()).toHaveLength(0);
    expect(await audited()).toEqual([
      'endpoint.deploy:success',
      'endpoint.deploy:failure',
    ]);
    expect(
      await h.quotas.allocation('inferenceendpoint:default/huge-chat'),
    ).toBeUndefined();
  });

  it('blocks a production deploy on a failing gate, then passes with an audited override', async () => {
    await h.postScores(LLAMA, 'v1', [
      { task: 'mmlu', metric: 'acc', value: 0.6 },
      { task: 'gsm8k', metric: 'exact_match,strict-match', value: 0.8 },
      { task: 'ifeval', metric: 'prompt_level_strict_acc', value: 0.8 },
    ]);
    const blocked = await h.service.deploy({
      credentials: bob,
      endpoint: PROD,
      wait: true,
    });
    expect(blocked.record.state).toBe('failed');
    expect(blocked.record.error?.check).toBe('gates');
    expect(blocked.record.error?.message).toContain(
      'mmlu acc = 0.6 (min 0.66)',
    );
    expect(applies()).toHaveLength(0);
    expect(await h.quotas.allocation(PROD)).toBeUndefined();

    // bob may not override; alice (platform admin) may, with a reason.
    const refused = await h.service.deploy({
      credentials: bob,
      endpoint: PROD,
      overrideGates: true,
      reason: 'launch',
      wait: true,
    });
    expect(refused.record.error?.message).toContain('may not override gates');
    expect(await h.quotas.allocation(PROD)).toBeUndefined();

    const overridden = await h.service.deploy({
      credentials: alice,
      endpoint: PROD,
      overrideGates: true,
      reason: 'Known MMLU dip; launch approved by the eval board',
      wait: true,
    });
    expect(overridden.record.state).toBe('succeeded');
    expect(overridden.record.checks.find(c => c.name === 'gates')?.status).toBe(
      'overridden',
    );
    const actions = (await h.audit()).map(a => `${a.action}:${a.outcome}`);
    expect(actions).toEqual([
      'endpoint.deploy:failure',
      'endpoint.deploy:failure',
      'gate.override:success',
      'endpoint.deploy:success',
    ]);
    const override = (await h.audit()).find(a => a.action === 'gate.override');
    expect(override).toMatchObject({
      actor: 'user:default/alice',
      target: LLAMA,
      request: expect.objectContaining({
        task: 'mmlu',
        reason: 'Known MMLU dip; launch approved by the eval board',
      }),
    });
    expect(await h.quotas.allocation(PROD)).toMatchObject({
      gpus: overridden.record.gpus,
    });
  });

  it('treats a missing gate result as failing for production', async () => {
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: PROD,
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error?.message).toContain('mmlu acc has no result');
    expect(await audited()).toEqual(['endpoint.deploy:failure']);
    expect(await h.quotas.allocation(PROD)).toBeUndefined();
  });

  it('surfaces an image pull failure and fails without waiting for the timeout', async () => {
    h.server.setImageBehaviour('vllm/vllm-openai:no-such-tag', 'missing');
    const started = Date.now();
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('bad-image', {
        image: 'vllm/vllm-openai:no-such-tag',
      }),
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error).toMatchObject({
      check: 'rollout',
      object: 'Deployment/bad-image',
    });
    expect(record.error?.message).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(Date.now() - started).toBeLessThan(9000);
    // The objects are applied, so the GPUs stay reserved until fixed or rolled back.
    expect(
      (await h.quotas.allocation('inferenceendpoint:default/bad-image'))?.gpus,
    ).toBe(1);
    expect(await audited()).toEqual(['endpoint.deploy:failure']);
    expect((await h.audit()).at(-1)?.message).toMatch(
      /rollout failed: .*Image/,
    );
  });

  it('surfaces FailedScheduling when the nodes lack the GPUs', async () => {
    await h.close();
    h = await createDeployHarness({
      knex: await databases.init(id),
      server: {
        nodes: [
          {
            name: 'cpu-only',
            labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
            allocatable: { cpu: '16', memory: '64Gi' },
            taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
          },
        ],
      },
      deploy: { rolloutTimeoutMs: 1500 },
    });
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error?.check).toBe('rollout');
    expect(record.error?.message).toContain('FailedScheduling');
    expect(record.error?.message).toContain('Insufficient nvidia.com/gpu');
    expect(
      record.events.some(
        e => e.level === 'warning' && e.message.startsWith('FailedScheduling'),
      ),
    ).toBe(true);
    expect(await audited()).toEqual(['endpoint.deploy:failure']);
    // Applied, so the GPUs stay reserved for the pods that wait for a node.
    expect((await h.quotas.allocation(STAGING))?.gpus).toBe(1);
  });

  it('reports the object and the cluster answer when the server fails mid-apply, then converges on a re-run', async () => {
    h.server.injectFault({
      method: 'PATCH',
      path: /\/services\//,
      kind: 'status',
      code: 500,
      message: 'etcdserver: request timed out',
      times: 1,
    });
    const failed = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(failed.record.state).toBe('failed');
    expect(failed.record.error).toMatchObject({
      check: 'apply',
      object: 'Service/chat-assistant-staging',
      cause: 'HTTP 500: etcdserver: request timed out',
    });
    expect(failed.record.error?.message).toContain(
      'Deployment/chat-assistant-staging applied before it',
    );
    // The reservation is released: the endpoint held nothing before.
    expect(await h.quotas.allocation(STAGING)).toBeUndefined();

    const rerun = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(rerun.record.state).toBe('succeeded');
    expect(rerun.record.revision).toBe(2);
    expect(rerun.record.objects.map(o => [o.kind, o.action])).toEqual([
      ['ServiceAccount', 'unchanged'],
      ['Deployment', 'unchanged'],
      ['Service', 'created'],
      ['PodDisruptionBudget', 'created'],
    ]);
    expect((await h.quotas.allocation(STAGING))?.gpus).toBe(1);
    expect(await audited()).toEqual([
      'endpoint.deploy:failure',
      'endpoint.deploy:success',
    ]);
  });

  it('restores the previous reservation when an update fails mid-apply', async () => {
    await h.service.deploy({ credentials: bob, endpoint: STAGING, wait: true });
    h.server.injectFault({ method: 'PATCH', kind: 'drop', times: 1 });
    const failed = await h.service.promote({
      credentials: bob,
      endpointRef: STAGING,
      modelVersion: 'v2-fp8',
      wait: true,
    });
    expect(failed.record.state).toBe('failed');
    expect(failed.record.error?.object).toBe(
      'ServiceAccount/chat-assistant-staging',
    );
    expect((await h.quotas.allocation(STAGING))?.gpus).toBe(1);
  });

  it('dry-runs on the cluster: says what would change, applies and reserves nothing', async () => {
    const before = ourObjects();
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      dryRun: true,
      wait: true,
    });
    expect(record.state).toBe('dry-run');
    expect(record.dryRun).toBe(true);
    expect(record.objects.map(o => o.action)).toEqual([
      'created',
      'created',
      'created',
      'created',
    ]);
    expect(
      h.server.requests
        .filter(r => r.method === 'PATCH')
        .every(r => r.query.dryRun === 'All'),
    ).toBe(true);
    expect(ourObjects()).toEqual(before);
    expect(before).toEqual([]);
    expect(await h.quotas.allocation(STAGING)).toBeUndefined();
    // The answer carries the rendered objects, as the cluster validated them.
    expect(record.manifests?.map(m => `${m.kind}/${m.metadata.name}`)).toEqual([
      'ServiceAccount/chat-assistant-staging',
      'Deployment/chat-assistant-staging',
      'Service/chat-assistant-staging',
      'PodDisruptionBudget/chat-assistant-staging',
    ]);
    expect(await h.service.get(record.id)).toEqual(record);

    // Against a running endpoint, a promote's dry run names the changed fields.
    const applied = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    // A real deploy only names its objects.
    expect(applied.record.manifests).toBeUndefined();
    const preview = await h.service.promote({
      credentials: bob,
      endpointRef: STAGING,
      modelVersion: 'v2-fp8',
      dryRun: true,
      wait: true,
    });
    const deployment = preview.record.objects[1];
    expect(deployment.action).toBe('configured');
    expect(deployment.changes).toEqual(
      expect.arrayContaining([
        'labels.ai-platform.io/model-version',
        'spec.template.spec.containers',
      ]),
    );
    expect((await h.quotas.allocation(STAGING))?.gpus).toBe(1);
    expect(await audited()).toEqual([
      'endpoint.deploy:success',
      'endpoint.deploy:success',
      'endpoint.promote:success',
    ]);
  });

  it('makes an unchanged re-deploy a no-op', async () => {
    await h.service.deploy({ credentials: bob, endpoint: STAGING, wait: true });
    const before = ourObjects();
    h.server.clearRequests();
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(record.state).toBe('unchanged');
    expect(record.objects.every(o => o.action === 'unchanged')).toBe(true);
    expect(ourObjects()).toEqual(before);
    // Who owns the namespace and each object is read first; then one
    // apply per object and nothing else: no watch, no discovery (cached).
    expect(h.server.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/namespaces/chat-staging',
      'GET /api/v1/namespaces/chat-staging/serviceaccounts/chat-assistant-staging',
      'GET /apis/apps/v1/namespaces/chat-staging/deployments/chat-assistant-staging',
      'GET /api/v1/namespaces/chat-staging/services/chat-assistant-staging',
      'GET /apis/policy/v1/namespaces/chat-staging/poddisruptionbudgets/chat-assistant-staging',
      'PATCH /api/v1/namespaces/chat-staging/serviceaccounts/chat-assistant-staging',
      'PATCH /apis/apps/v1/namespaces/chat-staging/deployments/chat-assistant-staging',
      'PATCH /api/v1/namespaces/chat-staging/services/chat-assistant-staging',
      'PATCH /apis/policy/v1/namespaces/chat-staging/poddisruptionbudgets/chat-assistant-staging',
    ]);
    expect(await audited()).toEqual([
      'endpoint.deploy:success',
      'endpoint.deploy:success',
    ]);
    expect((await h.quotas.allocation(STAGING))?.gpus).toBe(1);
  });

  it('promotes to another version and rolls back to the previous revision', async () => {
    await h.service.deploy({ credentials: bob, endpoint: STAGING, wait: true });
    const args = () =>
      (
        h.server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'chat-staging',
          name: 'chat-assistant-staging',
        }) as any
      ).spec.template.spec.containers[0].args;
    expect(args()[0]).toBe('meta-llama/Llama-3.1-8B-Instruct');

    const promoted = await h.service.promote({
      credentials: bob,
      endpointRef: STAGING,
      modelVersion: 'v2-fp8',
      reason: 'fp8 halves the GPU memory',
      wait: true,
    });
    expect(promoted.record).toMatchObject({
      operation: 'promote',
      state: 'succeeded',
      modelVersion: 'v2-fp8',
      revision: 2,
    });
    expect(args()[0]).toBe('neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8');
    expect(
      (await h.service.status({ credentials: bob, endpointRef: STAGING }))
        .runningModelVersion,
    ).toBe('v2-fp8');

    const rolledBack = await h.service.rollback({
      credentials: bob,
      endpointRef: STAGING,
      reason: 'latency regression',
      wait: true,
    });
    expect(rolledBack.record).toMatchObject({
      operation: 'rollback',
      state: 'succeeded',
      modelVersion: 'v2',
      restoredRevision: 1,
      revision: 3,
    });
    expect(args()[0]).toBe('meta-llama/Llama-3.1-8B-Instruct');
    const status = await h.service.status({
      credentials: bob,
      endpointRef: STAGING,
    });
    expect(status).toMatchObject({
      runningModelVersion: 'v2',
      runningRevision: 3,
      catalogModelVersion: 'v2',
      clusterConfigured: true,
      deployment: { readyReplicas: 1 },
    });
    expect(status.pods).toHaveLength(1);
    expect(await audited()).toEqual([
      'endpoint.deploy:success',
      'endpoint.promote:success',
      'endpoint.rollback:success',
    ]);
    // One allocation throughout: a promote or rollback moves it, never adds one.
    expect(await h.quotas.allocation(STAGING)).toMatchObject({ gpus: 1 });
  });

  it('refuses a rollback with nothing to roll back to, audited, with no revision', async () => {
    await expect(
      h.service.rollback({ credentials: bob, endpointRef: STAGING }),
    ).rejects.toThrow('has no earlier revision to roll back to');
    expect(await h.service.list({ endpointRef: STAGING })).toEqual([]);
    expect(await h.audit()).toEqual([
      expect.objectContaining({
        action: 'endpoint.rollback',
        outcome: 'failure',
        actor: 'user:default/bob',
        target: STAGING,
        message: expect.stringContaining('has no earlier revision'),
      }),
    ]);
  });

  it('audits calls refused before planning: unknown endpoint, invalid entity, unknown version', async () => {
    await expect(
      h.service.deploy({ credentials: bob, endpoint: 'nope' }),
    ).rejects.toThrow(NotFoundError);
    const bad = newEndpoint('bad');
    (bad.spec as any).resources.gpusPerReplica = 0;
    await expect(
      h.service.deploy({ credentials: bob, endpoint: bad }),
    ).rejects.toThrow('spec.resources.gpusPerReplica');
    await expect(
      h.service.promote({
        credentials: bob,
        endpointRef: STAGING,
        modelVersion: 'v9',
        dryRun: true,
      }),
    ).rejects.toThrow(
      'modelVersion: model:default/llama-3-1-8b-instruct has no version "v9"',
    );
    const records = await h.audit();
    expect(
      records.map(r => [r.action, r.target, r.outcome, r.request.dryRun]),
    ).toEqual([
      ['endpoint.deploy', 'inferenceendpoint:default/nope', 'failure', false],
      ['endpoint.deploy', 'inferenceendpoint:default/bad', 'failure', false],
      ['endpoint.promote', STAGING, 'failure', true],
    ]);
    expect(records[2].request.modelVersion).toBe('v9');
    expect(records[0].message).toContain('is not in the catalog');
    // Nothing was planned, so nothing was numbered, reserved or sent.
    expect(await h.service.list({})).toEqual([]);
    // Deciding may read who owns the namespace; nothing is written.
    expect(writes()).toEqual([]);
  });

  it('denies a deploy without permission, recording the attempt and touching nothing', async () => {
    await expect(
      h.service.deploy({ credentials: carol, endpoint: STAGING, wait: true }),
    ).rejects.toThrow(NotAllowedError);
    const [record] = await h.service.list({ endpointRef: STAGING });
    expect(record).toMatchObject({
      state: 'failed',
      error: { check: 'permission' },
      requestedBy: 'user:default/carol',
    });
    // Deciding may read who owns the namespace; nothing is written.
    expect(writes()).toEqual([]);
    expect(await h.quotas.allocation(STAGING)).toBeUndefined();
    expect((await h.audit()).at(-1)).toMatchObject({
      action: 'endpoint.deploy',
      outcome: 'failure',
      actor: 'user:default/carol',
    });
  });

  it('decides on the owner group in the request for an endpoint not in the catalog', async () => {
    const mine = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('new-chat'),
      wait: true,
    });
    expect(mine.record.state).toBe('succeeded');
    await expect(
      h.service.deploy({
        credentials: bob,
        endpoint: newEndpoint('their-chat', {
          owner: 'group:default/data-science',
        }),
        wait: true,
      }),
    ).rejects.toThrow('decided for owner group:default/data-science');
  });

  it('decides on the pool in the request too, when the policy limits pools', async () => {
    await h.close();
    h = await createDeployHarness({
      knex: await databases.init(id),
      deployPools: ['gpupool:default/l4-dev-timesliced'],
    });
    await expect(
      h.service.deploy({
        credentials: bob,
        endpoint: newEndpoint('on-l4'),
        wait: true,
      }),
    ).rejects.toThrow(
      'decided for owner group:default/applied-ml on pool gpupool:default/l4-inference',
    );
    // Deciding may read who owns the namespace; nothing is written.
    expect(writes()).toEqual([]);
    expect(
      await h.quotas.allocation('inferenceendpoint:default/on-l4'),
    ).toBeUndefined();
    // The same owner on the pool the policy allows passes the permission check.
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('on-dev', {
        gpuPool: 'gpupool:default/l4-dev-timesliced',
      }),
      wait: true,
    });
    expect(record.checks.find(c => c.name === 'permission')?.status).toBe(
      'passed',
    );
    // An endpoint in the catalog is decided on the pool its entity names.
    await expect(
      h.service.deploy({ credentials: bob, endpoint: STAGING, wait: true }),
    ).rejects.toThrow(NotAllowedError);
    expect(await audited()).toEqual([
      'endpoint.deploy:failure',
      expect.stringMatching(/^endpoint\.deploy:/),
      'endpoint.deploy:failure',
    ]);
  });

  it('runs the checks only when the pool cluster is not configured, and says so', async () => {
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('h100-chat', {
        gpuPool: 'gpupool:default/h100-inference',
        namespace: 'chat',
      }),
      wait: true,
    });
    expect(record.state).toBe('check-only');
    const apply = record.checks.find(c => c.name === 'apply');
    expect(apply?.status).toBe('skipped');
    expect(apply?.message).toContain('Nothing was applied');
    expect(apply?.message).toContain('gpu-us-east');
    expect(apply?.message).toContain('kubernetes.clusterLocatorMethods');
    expect(record.objects.map(o => o.kind)).toEqual([
      'ServiceAccount',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
    expect(record.manifests?.map(m => m.kind)).toEqual([
      'ServiceAccount',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
    expect(
      await h.quotas.allocation('inferenceendpoint:default/h100-chat'),
    ).toBeUndefined();
    expect(await audited()).toEqual(['endpoint.deploy:success']);
  });

  it('runs the checks only when the cluster is unreachable and configured so', async () => {
    await h.close();
    h = await createDeployHarness({
      knex: await databases.init(id),
      deploy: {
        unreachableClusters: 'check-only',
        // The cluster cannot say who owns its namespaces: config does.
        namespaces: {
          mapping: { 'gpu-eu-west': exampleNamespaceOwners() },
          systemNamespaces: [],
          cacheTtlMs: 0,
        },
      },
    });
    await h.server.close();
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(record.state).toBe('check-only');
    expect(record.checks.find(c => c.name === 'apply')?.message).toContain(
      'could not be reached',
    );
    expect(await h.quotas.allocation(STAGING)).toBeUndefined();
  });

  it('applies a ServiceMonitor when configured, and names the missing CRD when the cluster lacks it', async () => {
    await h.close();
    h = await createDeployHarness({
      knex: await databases.init(id),
      deploy: { serviceMonitor: { interval: '30s' } },
      server: { groups: ['prometheus-operator'] },
    });
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(record.state).toBe('succeeded');
    expect(record.objects.map(o => `${o.kind}:${o.action}`)).toEqual([
      'ServiceAccount:created',
      'Deployment:created',
      'Service:created',
      'PodDisruptionBudget:created',
      'ServiceMonitor:created',
    ]);
    expect(
      h.server.getObject({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        namespace: 'chat-staging',
        name: 'chat-assistant-staging',
      })?.spec,
    ).toMatchObject({ endpoints: [{ port: 'http', path: '/metrics' }] });

    // Without the prometheus-operator CRDs the apply fails on that object,
    // and the reservation goes back to what it was.
    h.server.uninstallGroup('prometheus-operator');
    const other = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('no-crd'),
      wait: true,
    });
    expect(other.record.state).toBe('failed');
    expect(other.record.error).toMatchObject({
      check: 'apply',
      object: 'ServiceMonitor/no-crd',
    });
    expect(other.record.error?.message).toContain(
      'the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor: is its CRD installed?',
    );
    expect(
      await h.quotas.allocation('inferenceendpoint:default/no-crd'),
    ).toBeUndefined();
  });

  it('refuses a second deploy of the same endpoint while one is in progress', async () => {
    const first = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
    });
    await expect(
      h.service.deploy({ credentials: bob, endpoint: STAGING }),
    ).rejects.toThrow(/revision 1 in progress/);
    await first.settled;
  });

  it('fails fast on a crash loop', async () => {
    h.server.setImageBehaviour('vllm/vllm-openai:crashes', 'crashing');
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: newEndpoint('crashy', { image: 'vllm/vllm-openai:crashes' }),
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error?.message).toContain('CrashLoopBackOff');
    expect(await audited()).toEqual(['endpoint.deploy:failure']);
  });

  it('rejects an invalid endpoint entity naming the field', async () => {
    const bad = newEndpoint('bad');
    (bad.spec as any).resources.gpusPerReplica = 0;
    await expect(
      h.service.deploy({ credentials: bob, endpoint: bad }),
    ).rejects.toThrow('spec.resources.gpusPerReplica');
    expect(exampleEntity(STAGING)).toBeDefined();
  });

  it('says where to fix the credentials when the cluster refuses them', async () => {
    await h.close();
    h = await createDeployHarness({
      knex: await databases.init(id),
      clusterToken: 'a-stale-token',
      deploy: {
        namespaces: {
          mapping: { 'gpu-eu-west': exampleNamespaceOwners() },
          systemNamespaces: [],
          cacheTtlMs: 0,
        },
      },
    });
    const { record } = await h.service.deploy({
      credentials: bob,
      endpoint: STAGING,
      wait: true,
    });
    expect(record.state).toBe('failed');
    expect(record.error?.cause).toMatch(/^HTTP 401/);
    expect(record.error?.message).toContain(
      'serviceAccountToken in kubernetes.clusterLocatorMethods',
    );
    expect(await h.quotas.allocation(STAGING)).toBeUndefined();
    expect(await audited()).toEqual(['endpoint.deploy:failure']);
  });

  it('records an unexpected failure instead of leaving the deployment in progress', async () => {
    jest
      .spyOn(h.quotas, 'reserve')
      .mockRejectedValueOnce(new Error('the database went away'));
    await expect(
      h.service.deploy({ credentials: bob, endpoint: STAGING, wait: true }),
    ).rejects.toThrow('the database went away');
    const [record] = await h.service.list({ endpointRef: STAGING });
    expect(record).toMatchObject({
      state: 'failed',
      error: {
        check: 'quota',
        message: 'Unexpected error: the database went away',
      },
    });
    expect(await audited()).toEqual(['endpoint.deploy:failure']);
  });
});

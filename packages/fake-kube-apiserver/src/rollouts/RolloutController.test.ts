import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '../FakeKubeApiServer';
import { apply, call, startPrometheus } from '../__testUtils__/progressive';
import type { KubeObject } from '../types';
import type { RolloutStatus } from './types';

const NS = 'team-a';
const ROLLOUTS = `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`;

function rollout(options: {
  image: string;
  replicas?: number;
  steps?: unknown[];
  canary?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'chat', namespace: NS },
    spec: {
      replicas: options.replicas ?? 4,
      selector: { matchLabels: { app: 'chat' } },
      template: {
        metadata: { labels: { app: 'chat' } },
        spec: { containers: [{ name: 'vllm', image: options.image }] },
      },
      strategy: {
        canary: { steps: options.steps ?? [], ...options.canary },
      },
      ...options.spec,
    },
  };
}

const ref = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  namespace: NS,
  name: 'chat',
};
const st = (o?: KubeObject) => (o?.status ?? {}) as RolloutStatus;

describe('simulated Argo Rollouts', () => {
  let server: FakeKubeApiServer;
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await server?.close();
    for (const c of closers.splice(0)) await c();
  });

  async function start(groups: Array<'argo-rollouts' | 'gateway-api'>) {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 5,
      groups,
      seed: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }],
    });
  }

  /** Pods of the Rollout's ReplicaSet of template `hash`, by spec.replicas. */
  function rsReplicas(hash: string | undefined) {
    const rs = server
      .listObjects({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: NS })
      .find(r => r.metadata.labels?.['rollouts-pod-template-hash'] === hash);
    return (rs?.spec as { replicas?: number } | undefined)?.replicas;
  }

  async function healthy(image: string) {
    return server.waitForObject(
      ref,
      o =>
        st(o).phase === 'Healthy' &&
        st(o).observedGeneration === String(o?.metadata.generation) &&
        st(o).stableRS === st(o).currentPodHash &&
        JSON.stringify(o?.spec).includes(image),
    );
  }

  it('is served through discovery only on a cluster that has it', async () => {
    await start([]);
    let groups = await call(server, 'GET', '/apis');
    expect(JSON.stringify(groups.body)).not.toContain('argoproj.io');
    expect((await call(server, 'GET', ROLLOUTS)).code).toBe(404);
    server.installGroup('argo-rollouts');
    groups = await call(server, 'GET', '/apis');
    expect(JSON.stringify(groups.body)).toContain('argoproj.io');
    const list = await call(server, 'GET', '/apis/argoproj.io/v1alpha1');
    const names = list.body.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'rollouts',
        'rollouts/status',
        'rollouts/scale',
        'analysistemplates',
        'clusteranalysistemplates',
        'analysisruns',
      ]),
    );
    expect(JSON.stringify(groups.body)).not.toContain(
      'gateway.networking.k8s.io',
    );
  });

  it('follows setWeight and timed pause steps by replica count, pauses indefinitely, and completes on promote', async () => {
    await start(['argo-rollouts']);
    const steps = [
      { setWeight: 25 },
      { pause: { duration: '200ms' } },
      { setWeight: 50 },
      { pause: {} },
    ];
    await apply(server, rollout({ image: 'vllm:a', steps }));
    // A Rollout's first template goes straight to stable, steps skipped.
    const first = await healthy('vllm:a');
    expect(st(first)).toMatchObject({
      currentStepIndex: 4,
      replicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      selector: 'app=chat',
      observedGeneration: '1',
    });
    const stableHash = st(first).stableRS;
    expect(first?.metadata.annotations?.['rollout.argoproj.io/revision']).toBe(
      '1',
    );

    await apply(server, rollout({ image: 'vllm:b', steps }));
    const paused = await server.waitForObject(
      ref,
      o => st(o).currentStepIndex === 3 && st(o).phase === 'Paused',
    );
    const canaryHash = st(paused).currentPodHash;
    expect(canaryHash).not.toBe(stableHash);
    expect(st(paused)).toMatchObject({
      stableRS: stableHash,
      controllerPause: true,
      message: 'CanaryPauseStep',
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
    });
    // setWeight 50 of 4 replicas without traffic routing: 2 and 2.
    expect(rsReplicas(canaryHash)).toBe(2);
    expect(rsReplicas(stableHash)).toBe(2);
    expect(st(paused).canary?.weights).toBeUndefined();
    expect(st(paused).conditions?.find(c => c.type === 'Paused')).toMatchObject(
      { status: 'True', reason: 'RolloutPaused' },
    );

    // `kubectl argo rollouts promote` clears the pause conditions.
    const promoted = await call(
      server,
      'PATCH',
      `${ROLLOUTS}/chat/status`,
      { status: { pauseConditions: null } },
      'application/merge-patch+json',
    );
    expect(promoted.code).toBe(200);
    const done = await healthy('vllm:b');
    expect(st(done)).toMatchObject({
      stableRS: canaryHash,
      currentStepIndex: 4,
      readyReplicas: 4,
    });
    expect(st(done).pauseConditions).toBeUndefined();
    expect(rsReplicas(canaryHash)).toBe(4);
    expect(rsReplicas(stableHash)).toBe(0);
    const events = server
      .listObjects({ apiVersion: 'v1', kind: 'Event', namespace: NS })
      .filter(e => (e.involvedObject as { kind: string }).kind === 'Rollout')
      .map(e => e.reason);
    expect(events).toEqual(
      expect.arrayContaining([
        'RolloutStepCompleted',
        'RolloutPaused',
        'RolloutResumed',
        'RolloutCompleted',
      ]),
    );
  });

  it('with spec.paused holds the rollout until spec.paused is false (promote of a manually paused rollout)', async () => {
    await start(['argo-rollouts']);
    const steps = [{ setWeight: 50 }];
    await apply(server, rollout({ image: 'vllm:a', steps, replicas: 2 }));
    await healthy('vllm:a');
    await apply(
      server,
      rollout({ image: 'vllm:b', steps, replicas: 2, spec: { paused: true } }),
    );
    const held = await server.waitForObject(
      ref,
      o => st(o).phase === 'Paused' && st(o).message === 'manually paused',
    );
    // spec.paused stops the steps where they are: nothing scaled yet.
    expect(st(held).currentStepIndex).toBe(0);
    expect(rsReplicas(st(held).currentPodHash)).toBe(0);
    await call(
      server,
      'PATCH',
      `${ROLLOUTS}/chat`,
      { spec: { paused: false } },
      'application/merge-patch+json',
    );
    await healthy('vllm:b');
  });

  it('with traffic routing sets status.canary.weights and the HTTPRoute weights, keeps the stable at full scale, and on abort sends all traffic back to stable and scales the canary down', async () => {
    await start(['argo-rollouts', 'gateway-api']);
    for (const name of ['chat-stable', 'chat-canary']) {
      await apply(server, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: NS },
        spec: { selector: { app: 'chat' }, ports: [{ port: 8000 }] },
      });
    }
    await apply(server, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'chat', namespace: NS },
      spec: {
        parentRefs: [{ name: 'inference', namespace: 'gateways' }],
        rules: [
          {
            backendRefs: [
              { name: 'chat-stable', port: 8000, weight: 100 },
              { name: 'chat-canary', port: 8000, weight: 0 },
            ],
          },
        ],
      },
    });
    const canary = {
      canaryService: 'chat-canary',
      stableService: 'chat-stable',
      abortScaleDownDelaySeconds: 1,
      trafficRouting: {
        plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'chat' } },
      },
    };
    const steps = [{ setWeight: 20 }, { pause: {} }];
    await apply(server, rollout({ image: 'vllm:a', steps, canary }));
    const first = await healthy('vllm:a');
    const stableHash = st(first).stableRS;
    await apply(server, rollout({ image: 'vllm:b', steps, canary }));
    const paused = await server.waitForObject(
      ref,
      o => st(o).phase === 'Paused',
    );
    const canaryHash = st(paused).currentPodHash;
    expect(st(paused).canary?.weights).toEqual({
      canary: {
        weight: 20,
        podTemplateHash: canaryHash,
        serviceName: 'chat-canary',
      },
      stable: {
        weight: 80,
        podTemplateHash: stableHash,
        serviceName: 'chat-stable',
      },
    });
    // 20 % of 4 replicas: one canary pod; the stable stays at 4.
    expect(rsReplicas(canaryHash)).toBe(1);
    expect(rsReplicas(stableHash)).toBe(4);
    const route = server.getObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: NS,
      name: 'chat',
    });
    expect(
      (route?.spec as { rules: Array<{ backendRefs: unknown[] }> }).rules[0]
        .backendRefs,
    ).toEqual([
      { name: 'chat-stable', port: 8000, weight: 80 },
      { name: 'chat-canary', port: 8000, weight: 20 },
    ]);
    const canarySvc = server.getObject({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: NS,
      name: 'chat-canary',
    });
    expect(
      (canarySvc?.spec as { selector: Record<string, string> }).selector,
    ).toEqual({ app: 'chat', 'rollouts-pod-template-hash': canaryHash });

    // `kubectl argo rollouts abort` sets status.abort.
    await call(
      server,
      'PATCH',
      `${ROLLOUTS}/chat/status`,
      { status: { abort: true } },
      'application/merge-patch+json',
    );
    const aborted = await server.waitForObject(
      ref,
      o =>
        st(o).phase === 'Degraded' &&
        st(o).canary?.weights?.canary.weight === 0,
    );
    expect(st(aborted).message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2',
    );
    expect(st(aborted).abortedAt).toBeDefined();
    expect(st(aborted).pauseConditions).toBeUndefined();
    expect(st(aborted).stableRS).toBe(stableHash);
    const routeAfter = server.getObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: NS,
      name: 'chat',
    });
    expect(JSON.stringify(routeAfter?.spec)).toContain(
      '{"name":"chat-stable","port":8000,"weight":100}',
    );
    // abortScaleDownDelaySeconds later the canary is scaled down.
    await server.waitForObject(ref, () => rsReplicas(canaryHash) === 0, {
      timeoutMs: 4000,
    });
    expect(rsReplicas(stableHash)).toBe(4);
  });

  it("runs an analysis step against the template's Prometheus and goes on when it succeeds", async () => {
    await start(['argo-rollouts']);
    const prometheus = await startPrometheus(() => 0.01);
    closers.push(prometheus.close);
    await apply(server, analysisTemplate(prometheus.url));
    const steps = [
      { setWeight: 50 },
      {
        analysis: {
          templates: [{ templateName: 'slo' }],
          args: [{ name: 'service', value: 'chat-canary' }],
        },
      },
    ];
    await apply(server, rollout({ image: 'vllm:a', steps, replicas: 2 }));
    await healthy('vllm:a');
    await apply(server, rollout({ image: 'vllm:b', steps, replicas: 2 }));
    const done = await healthy('vllm:b');
    expect(prometheus.queries).toContain(
      'sum(rate(errors{service="chat-canary"}[5m]))',
    );
    const runs = server.listObjects({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      namespace: NS,
    });
    expect(runs).toHaveLength(1);
    expect(runs[0].metadata.name).toBe(`chat-${st(done).currentPodHash}-2-1`);
    expect(runs[0].metadata.labels).toMatchObject({
      'rollout-type': 'Step',
      'step-index': '1',
      'rollouts-pod-template-hash': st(done).currentPodHash,
    });
    expect(runs[0].status).toMatchObject({
      phase: 'Successful',
      metricResults: [
        {
          name: 'error-rate',
          phase: 'Successful',
          count: 2,
          successful: 2,
          measurements: [
            { phase: 'Successful', value: '[0.01]' },
            { phase: 'Successful', value: '[0.01]' },
          ],
        },
      ],
    });
  });

  it('aborts the rollout when its analysis fails, as the real controller does', async () => {
    await start(['argo-rollouts']);
    const prometheus = await startPrometheus(() => 0.2);
    closers.push(prometheus.close);
    await apply(server, analysisTemplate(prometheus.url));
    const steps = [
      { setWeight: 50 },
      {
        analysis: {
          templates: [{ templateName: 'slo' }],
          args: [{ name: 'service', value: 'chat-canary' }],
        },
      },
      { pause: {} },
    ];
    await apply(server, rollout({ image: 'vllm:a', steps, replicas: 2 }));
    const first = await healthy('vllm:a');
    await apply(server, rollout({ image: 'vllm:b', steps, replicas: 2 }));
    const aborted = await server.waitForObject(
      ref,
      o => st(o).phase === 'Degraded',
    );
    expect(st(aborted).abort).toBe(true);
    expect(st(aborted).message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(st(aborted).canary?.currentStepAnalysisRunStatus).toMatchObject({
      status: 'Failed',
    });
    await server.waitForObject(
      ref,
      () =>
        rsReplicas(st(aborted).currentPodHash) === 0 &&
        rsReplicas(st(first).stableRS) === 2,
    );
  });

  it('aborts on an injected analysis error once consecutiveErrorLimit is passed', async () => {
    await start(['argo-rollouts']);
    const prometheus = await startPrometheus(() => 0.01);
    closers.push(prometheus.close);
    await apply(
      server,
      analysisTemplate(prometheus.url, { consecutiveErrorLimit: 1 }),
    );
    server.setAnalysisFault({ phase: 'Error', message: 'connection refused' });
    const canary = {
      analysis: {
        templates: [{ templateName: 'slo' }],
        args: [{ name: 'service', value: 'chat-canary' }],
      },
    };
    const steps = [{ setWeight: 50 }, { pause: {} }];
    await apply(
      server,
      rollout({ image: 'vllm:a', steps, canary, replicas: 2 }),
    );
    await healthy('vllm:a');
    await apply(
      server,
      rollout({ image: 'vllm:b', steps, canary, replicas: 2 }),
    );
    const aborted = await server.waitForObject(
      ref,
      o => st(o).phase === 'Degraded',
    );
    expect(
      st(aborted).canary?.currentBackgroundAnalysisRunStatus,
    ).toMatchObject({
      status: 'Error',
    });
    expect(st(aborted).message).toContain(
      'Metric "error-rate" assessed Error due to consecutiveErrors (2) > consecutiveErrorLimit (1): "Error Message: connection refused"',
    );
    expect(prometheus.queries).toHaveLength(0);
  });

  it('converts a running Deployment through workloadRef: the Rollout runs its template and scales it down on success', async () => {
    await start(['argo-rollouts']);
    await apply(server, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'chat', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'chat' } },
        template: {
          metadata: { labels: { app: 'chat' } },
          spec: { containers: [{ name: 'vllm', image: 'vllm:a' }] },
        },
      },
    });
    await server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: NS,
        name: 'chat',
      },
      o => (o?.status as { readyReplicas?: number })?.readyReplicas === 2,
    );
    await apply(server, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'chat', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'chat' } },
        workloadRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'chat',
          scaleDown: 'onsuccess',
        },
        strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
      },
    });
    const ready = await server.waitForObject(
      ref,
      o => st(o).phase === 'Healthy',
    );
    expect(st(ready)).toMatchObject({
      readyReplicas: 2,
      workloadObservedGeneration: '1',
    });
    const deployment = await server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: NS,
        name: 'chat',
      },
      o => (o?.spec as { replicas?: number }).replicas === 0,
    );
    expect(deployment?.metadata.managedFields?.map(m => m.manager)).toContain(
      'rollouts-controller',
    );
    const pods = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: NS,
      labelSelector: 'rollouts-pod-template-hash',
    });
    expect(pods).toHaveLength(2);
    expect(JSON.stringify(pods[0].spec)).toContain('vllm:a');

    // A new template in the Deployment is a new revision of the Rollout.
    await call(
      server,
      'PATCH',
      `/apis/apps/v1/namespaces/${NS}/deployments/chat`,
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'vllm', image: 'vllm:b' }] },
          },
        },
      },
      'application/merge-patch+json',
    );
    const paused = await server.waitForObject(
      ref,
      o => st(o).phase === 'Paused',
    );
    expect(st(paused).stableRS).toBe(st(ready).stableRS);
    expect(st(paused).currentPodHash).not.toBe(st(ready).stableRS);
  });

  it('with canary pods that crash reports ProgressDeadlineExceeded, and aborts with progressDeadlineAbort', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 5,
      progressDeadlineMs: 300,
      groups: ['argo-rollouts'],
      crashingImages: ['vllm:broken'],
      seed: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }],
    });
    const steps = [{ setWeight: 50 }, { pause: {} }];
    const spec = { progressDeadlineAbort: true };
    await apply(server, rollout({ image: 'vllm:a', steps, replicas: 2, spec }));
    const first = await healthy('vllm:a');
    await apply(
      server,
      rollout({ image: 'vllm:broken', steps, replicas: 2, spec }),
    );
    const aborted = await server.waitForObject(
      ref,
      o => st(o).phase === 'Degraded',
    );
    expect(st(aborted).message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "chat-[a-z0-9]+" has timed out progressing\.$/,
    );
    expect(st(aborted).currentStepIndex).toBe(0);
    const message = st(aborted).message;
    await server.waitForObject(
      ref,
      () =>
        rsReplicas(st(aborted).currentPodHash) === 0 &&
        rsReplicas(st(first).stableRS) === 2,
    );
    // The reason stays in the message on later reconciles.
    await new Promise(r => setTimeout(r, 100));
    expect(st(server.getObject(ref)).message).toBe(message);
  });

  it('serves the scale subresource, and an HPA scales the Rollout it targets', async () => {
    await start(['argo-rollouts']);
    await apply(server, rollout({ image: 'vllm:a', replicas: 1 }));
    await healthy('vllm:a');
    const scale = await call(server, 'GET', `${ROLLOUTS}/chat/scale`);
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 1 },
      status: { replicas: 1, selector: 'app=chat' },
    });
    const bad = await call(
      server,
      'PATCH',
      `${ROLLOUTS}/chat/scale`,
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    );
    expect(bad.code).toBe(422);
    await apply(server, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'chat', namespace: NS },
      spec: {
        scaleTargetRef: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'chat',
        },
        minReplicas: 3,
        maxReplicas: 5,
      },
    });
    const scaled = await server.waitForObject(
      ref,
      o => st(o).readyReplicas === 3,
    );
    expect((scaled?.spec as { replicas: number }).replicas).toBe(3);
    expect(
      scaled?.metadata.managedFields?.find(
        m => m.manager === 'kube-controller-manager',
      )?.subresource,
    ).toBe('scale');
  });
});

function analysisTemplate(
  address: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'slo', namespace: NS },
    spec: {
      args: [{ name: 'service' }],
      metrics: [
        {
          name: 'error-rate',
          interval: '100ms',
          count: 2,
          successCondition: 'result[0] <= 0.05',
          ...extra,
          provider: {
            prometheus: {
              address,
              query: 'sum(rate(errors{service="{{args.service}}"}[5m]))',
            },
          },
        },
      ],
    },
  };
}

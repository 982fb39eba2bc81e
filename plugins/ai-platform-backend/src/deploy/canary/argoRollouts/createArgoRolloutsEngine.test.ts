import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { CanaryPhase } from '@internal/plugin-ai-platform-common';
import http from 'http';
import type { AddressInfo } from 'net';
import { ownedExampleNamespaces } from '../../../__testUtils__/exampleEntities';
import { L4_NODES } from '../../__testUtils__/deployHarness';
import { KubernetesClusterClient } from '../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../render/types';
import type {
  CanaryEngine,
  CanaryObservation,
  CanaryRenderInput,
  CanaryTarget,
} from '../types';
import { canaryRenderInput } from './__testUtils__/canaryPlans';
import { createArgoRolloutsEngine } from './createArgoRolloutsEngine';
import { PENDING_WORKLOAD_ANNOTATION } from './renderArgoCanary';

jest.setTimeout(90_000);

const NAME = 'chat-assistant-staging';
const NAMESPACE = 'chat-staging';

async function until(
  read: () => Promise<CanaryObservation>,
  done: (value: CanaryObservation) => boolean,
  timeoutMs = 20_000,
): Promise<CanaryObservation> {
  const deadline = Date.now() + timeoutMs;
  let last: CanaryObservation | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out; last observation: ${JSON.stringify(last)}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

/**
 * A Prometheus that answers every instant query with `value` (a test
 * double of its HTTP API, recording the queries it was asked).
 */
async function startPrometheusDouble(value: number) {
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    queries.push(url.searchParams.get('query') ?? '');
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
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('the Argo Rollouts canary engine against the fake API server', () => {
  let server: FakeKubeApiServer;
  let client: KubernetesClusterClient;
  let target: CanaryTarget;
  let engine: CanaryEngine;

  const deployment = () =>
    server.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NAMESPACE,
      name: NAME,
    });
  const rollout = () =>
    server.getObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      namespace: NAMESPACE,
      name: NAME,
    });

  async function apply(manifests: KubernetesManifest[]) {
    for (const m of manifests) {
      await client.apply(m, { dryRun: false, force: true });
    }
  }

  /** The stable version running as a plain Deployment, then the canary's objects applied. */
  async function start(input: CanaryRenderInput) {
    await apply(input.stableManifests!);
    await server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: NAMESPACE,
        name: NAME,
      },
      d => (d?.status as any)?.readyReplicas === 2,
    );
    const uid = deployment()!.metadata.uid;
    const rendered = engine.render(input);
    await apply(rendered.manifests);
    return { uid, rendered };
  }

  const observeUntil = (input: CanaryRenderInput, phase: CanaryPhase) =>
    until(
      () => engine.observe(target, input.steps),
      o => o.phase === phase,
    );

  beforeEach(async () => {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      groups: ['argo-rollouts'],
      rolloutDelayMs: 20,
      nodes: L4_NODES,
      seed: ownedExampleNamespaces(),
    });
    client = new KubernetesClusterClient({
      cluster: server.clusterConfig('gpu-eu-west'),
    });
    target = {
      client,
      cluster: 'gpu-eu-west',
      namespace: NAMESPACE,
      name: NAME,
    };
    engine = createArgoRolloutsEngine();
  });

  afterEach(async () => {
    await server.close();
  });

  it('converts a running Deployment through workloadRef, then follows the steps: pause, approval, success; the next canary changes the referenced Deployment', async () => {
    const input = canaryRenderInput({
      resources: { gpusPerReplica: 1, replicas: 2 },
    });
    const { uid, rendered } = await start(input);
    expect(rendered.converting).toBe(true);

    // Argo takes over the pods; the engine then gives the Deployment the
    // new template, and the canary's first step pauses.
    const paused = await observeUntil(input, 'paused');
    expect(paused.stepIndex).toBe(0);
    expect(paused.split).toMatchObject({
      desiredCanaryPercent: 10,
      basis: 'replica-count',
      canaryReplicas: 1,
    });
    // With 2 replicas a 10 % step is not 10 %: the page is told what it is.
    expect(paused.split.actualCanaryPercent).toBeGreaterThan(10);
    expect(paused.split.note).toMatch(/a 10 % step is/);
    expect(paused.analysis).toMatchObject({ status: 'none' });
    // Nothing recreated: the same Deployment, scaled to 0 by Argo, holding
    // the new template that the Rollout reads.
    const referenced = deployment()!;
    expect(referenced.metadata.uid).toBe(uid);
    expect((referenced.spec as any).replicas).toBe(0);
    expect(
      (referenced.spec as any).template.metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v2-fp8');

    // Skip the timed pause (promote), then approve the 50 % step.
    await engine.advance(target, input.steps, 1);
    await engine.advance(target, input.steps, 1); // a retry moves nothing
    const approval = await observeUntil(input, 'awaiting-approval');
    expect(approval.stepIndex).toBe(1);
    expect(approval.split.desiredCanaryPercent).toBe(50);
    await engine.advance(target, input.steps, 2);
    const done = await observeUntil(input, 'succeeded');
    expect(done).toMatchObject({
      stepIndex: 2,
      split: { actualCanaryPercent: 100, stableReplicas: 0 },
    });
    await engine.complete(target); // Argo did it
    const status = rollout()!.status as any;
    expect(status.stableRS).toBe(status.currentPodHash);

    // The next canary of the converted endpoint: the new template goes
    // into the referenced Deployment (still at 0 replicas), and Argo runs
    // the steps again.
    const next = {
      ...canaryRenderInput({
        resources: { gpusPerReplica: 1, replicas: 2 },
        stableVersion: 'v2-fp8',
        newVersion: 'v1',
      }),
      stableManifests: rendered.manifests,
    };
    const second = engine.render(next);
    expect(second.converting).toBe(false);
    await apply(second.manifests);
    const again = await observeUntil(next, 'paused');
    expect(again.stepIndex).toBe(0);
    expect((deployment()!.spec as any).replicas).toBe(0);
    expect((rollout()!.status as any).currentPodHash).not.toBe(
      status.currentPodHash,
    );
    await engine.advance(target, next.steps, 1);
    await observeUntil(next, 'awaiting-approval');
    await engine.advance(target, next.steps, 2);
    await observeUntil(next, 'succeeded');
  });

  it("refuses a conversion's second move when the Rollout's annotation holds another Deployment than the one it references", async () => {
    const input = canaryRenderInput({
      resources: { gpusPerReplica: 1, replicas: 2 },
    });
    await apply(input.stableManifests!);
    await server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: NAMESPACE,
        name: NAME,
      },
      d => (d?.status as any)?.readyReplicas === 2,
    );
    const rendered = engine.render(input);
    // As if someone who may edit the Rollout pointed its annotation at a
    // Deployment of another namespace.
    const tampered = rendered.manifests.map(m => {
      const pending = m.metadata.annotations?.[PENDING_WORKLOAD_ANNOTATION];
      if (m.kind !== 'Rollout' || !pending) return m;
      const workload = JSON.parse(pending) as KubernetesManifest;
      return {
        ...m,
        metadata: {
          ...m.metadata,
          annotations: {
            ...m.metadata.annotations,
            [PENDING_WORKLOAD_ANNOTATION]: JSON.stringify({
              ...workload,
              metadata: { ...workload.metadata, namespace: 'default' },
            }),
          },
        },
      };
    });
    expect(tampered).not.toEqual(rendered.manifests);
    await apply(tampered);
    // Once Argo has taken the pods over, the engine would apply the
    // annotation's Deployment: it refuses instead.
    const refusal = async (): Promise<unknown> => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        try {
          await engine.observe(target, input.steps);
        } catch (error) {
          return error;
        }
        await new Promise(r => setTimeout(r, 50));
      }
      return undefined;
    };
    expect(String(await refusal())).toMatch(
      /does not hold the Deployment it references/,
    );
    expect(
      server.getObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'default',
        name: NAME,
      }),
    ).toBeUndefined();
  });

  it("converts an autoscaled endpoint: the HPA scales the Rollout, whose replica count is the HPA's", async () => {
    const input = canaryRenderInput({
      resources: {
        gpusPerReplica: 1,
        replicas: 2,
        minReplicas: 2,
        maxReplicas: 3,
      },
    });
    await start(input);
    const hpa = server.getObject({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      namespace: NAMESPACE,
      name: NAME,
    })!;
    expect((hpa.spec as any).scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: NAME,
    });
    const paused = await observeUntil(input, 'paused');
    expect((rollout()!.spec as any).replicas).toBe(2);
    expect(paused.split.canaryReplicas).toBe(1);
    expect((deployment()!.spec as any).replicas).toBe(0);
  });

  it('aborts the way kubectl argo rollouts abort does: all traffic back to the stable pods', async () => {
    const input = canaryRenderInput({
      resources: { gpusPerReplica: 1, replicas: 2 },
    });
    await start(input);
    await observeUntil(input, 'paused');
    await engine.abort(target);
    const aborted = await observeUntil(input, 'aborted');
    expect(aborted.message).toMatch(/^Aborted: all traffic is back/);
    expect((rollout()!.status as any).abort).toBe(true);
    const patches = server.requests.filter(
      r => r.method === 'PATCH' && r.path.endsWith('/status'),
    );
    expect(patches.map(p => [p.path, p.contentType, p.body])).toEqual([
      [
        `/apis/argoproj.io/v1alpha1/namespaces/${NAMESPACE}/rollouts/${NAME}/status`,
        'application/merge-patch+json',
        { status: { abort: true } },
      ],
    ]);
    await engine.abort(target); // already aborted: nothing sent
    expect(
      server.requests.filter(
        r => r.method === 'PATCH' && r.path.endsWith('/status'),
      ),
    ).toHaveLength(1);
    await expect(engine.advance(target, input.steps, 1)).rejects.toThrow(
      /is aborted/,
    );
  });

  it('routes through the Gateway API plugin: the split is the HTTPRoute weights Argo sets', async () => {
    server.installGroup('gateway-api');
    const input = canaryRenderInput({
      resources: { gpusPerReplica: 1, replicas: 2 },
      settings: {
        argoTrafficRouting: 'gateway-api',
        gateway: { name: 'inference', namespace: 'gateway-system' },
      },
    });
    await start(input);
    const paused = await observeUntil(input, 'paused');
    expect(paused.split).toMatchObject({
      desiredCanaryPercent: 10,
      actualCanaryPercent: 10,
      basis: 'route-weights',
      stableReplicas: 2,
      canaryReplicas: 1,
    });
    expect(paused.split.note).toBeUndefined();
    const route = server.getObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: NAMESPACE,
      name: NAME,
    })!;
    expect(
      ((route.spec as any).rules[0].backendRefs as any[]).map(
        b => `${b.name}=${b.weight}`,
      ),
    ).toEqual([`${NAME}=90`, `${NAME}-canary=10`]);
  });

  it('reads a failed analysis from the newest AnalysisRun: Argo aborts, and the observation says why', async () => {
    const prometheus = await startPrometheusDouble(0.25);
    try {
      const input = canaryRenderInput({
        resources: { gpusPerReplica: 1, replicas: 2 },
        analysis: {
          prometheusAddress: prometheus.url,
          maxErrorRate: 0.01,
          maxTtftP95Seconds: 2,
        },
      });
      engine = createArgoRolloutsEngine({
        analysis: { interval: '1s', failureLimit: 0 },
      });
      await start(input);
      const aborted = await until(
        () => engine.observe(target, input.steps),
        o => o.phase === 'aborted',
        40_000,
      );
      expect(aborted.analysis).toMatchObject({
        status: 'failed',
        errorRate: 0.25,
      });
      expect(aborted.message).toMatch(/^Aborted after a failed analysis/);
      // The canary's pods were measured: its pod template hash in the query.
      const hash = (rollout()!.status as any).currentPodHash;
      expect(
        prometheus.queries.some(q => q.includes(`${NAME}-${hash}-[a-z0-9]{5}`)),
      ).toBe(true);
    } finally {
      await prometheus.close();
    }
  });
});

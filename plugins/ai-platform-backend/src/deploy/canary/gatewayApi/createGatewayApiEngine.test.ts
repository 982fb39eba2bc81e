import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { CanaryPhase } from '@internal/plugin-ai-platform-common';
import { ownedExampleNamespaces } from '../../../__testUtils__/exampleEntities';
import { L4_NODES } from '../../__testUtils__/deployHarness';
import { KubernetesClusterClient } from '../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../render/types';
import { canaryRenderInput } from '../argoRollouts/__testUtils__/canaryPlans';
import type { CanaryEngine, CanaryRenderInput, CanaryTarget } from '../types';
import { createGatewayApiEngine } from './createGatewayApiEngine';
import { ANNOTATION_CANARY_STABLE_MANIFEST } from './renderGatewayCanary';

jest.setTimeout(60_000);

const gateway = { name: 'inference', namespace: 'gateway-system' };
const NAME = 'chat-assistant-staging';
const NAMESPACE = 'chat-staging';

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('the Gateway API canary engine against the fake API server', () => {
  let server: FakeKubeApiServer;
  let client: KubernetesClusterClient;
  let target: CanaryTarget;
  let engine: CanaryEngine;
  let input: CanaryRenderInput;

  const route = () =>
    server.getObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: NAMESPACE,
      name: NAME,
    });
  const deployment = (name: string) =>
    server.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NAMESPACE,
      name,
    });
  const weights = () =>
    ((route()?.spec as any).rules[0].backendRefs as any[]).map(
      b => `${b.name}=${b.weight}`,
    );
  const phase = (want: CanaryPhase) =>
    until(
      () => engine.observe(target, input.steps),
      o => o.phase === want,
    );

  async function apply(manifests: KubernetesManifest[]) {
    for (const m of manifests) {
      await client.apply(m, { dryRun: false, force: true });
    }
  }

  beforeEach(async () => {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      groups: ['gateway-api'],
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
    engine = createGatewayApiEngine({ completeTimeoutMs: 15_000 });
    input = canaryRenderInput({
      resources: { gpusPerReplica: 1, replicas: 2 },
      url: 'https://chat-staging.inference.example.com/v1',
      settings: { argoTrafficRouting: 'none', gateway },
    });
    // The stable version runs.
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
  });

  afterEach(async () => {
    await server.close();
  });

  it('renders a stable and a canary Deployment behind an HTTPRoute, validated, and reserves the canary pods at the largest weight plus the stable surge', () => {
    const rendered = engine.render(input);
    expect(rendered.converting).toBe(false);
    expect(rendered.manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(
      [
        `ServiceAccount/${NAME}`,
        `Service/${NAME}`,
        `PodDisruptionBudget/${NAME}`,
        `Deployment/${NAME}`,
        `Service/${NAME}-canary`,
        `Deployment/${NAME}-canary`,
        `HTTPRoute/${NAME}`,
      ],
    );
    const [stable, canary] = rendered.manifests.filter(
      m => m.kind === 'Deployment',
    );
    // The stable Deployment is the running one, unchanged.
    expect(stable).toEqual(
      input.stableManifests!.find(m => m.kind === 'Deployment'),
    );
    expect(canary.spec).toMatchObject({
      replicas: 1, // enough for 10 % and the next step's 50 % of 2
      selector: {
        matchLabels: { 'app.kubernetes.io/instance': `${NAME}-canary` },
      },
      template: {
        metadata: {
          labels: {
            'app.kubernetes.io/instance': `${NAME}-canary`,
            'ai-platform.io/model-version': 'v2-fp8',
          },
        },
      },
    });
    const httpRoute = rendered.manifests.find(m => m.kind === 'HTTPRoute')!;
    expect(httpRoute.spec).toMatchObject({
      parentRefs: [{ name: 'inference', namespace: 'gateway-system' }],
      hostnames: ['chat-staging.inference.example.com'],
      rules: [
        {
          backendRefs: [
            { name: NAME, port: 8000, weight: 100 },
            { name: `${NAME}-canary`, port: 8000, weight: 0 },
          ],
        },
      ],
    });
    // 2 canary pods at 100 % + 1 surge pod of the stable, 1 GPU each.
    expect(rendered.canaryGpus).toBe(3);
    expect(engine.canaryWorkloadName?.(NAME)).toBe(`${NAME}-canary`);
    expect(() =>
      engine.render({ ...input, settings: { argoTrafficRouting: 'none' } }),
    ).toThrow(/needs canary.gateway/);
  });

  it("gives the canary its own NetworkPolicy and ServiceMonitor, selecting only the canary's pods and Service", () => {
    const rendered = engine.render(
      canaryRenderInput({
        resources: { gpusPerReplica: 1, replicas: 2 },
        settings: { argoTrafficRouting: 'none', gateway },
        deploy: {
          serviceMonitor: { interval: '30s' },
          networkPolicy: {
            allowSameNamespace: false,
            allowFromNamespaces: ['gateway-system'],
            allowFromPodLabels: {},
          },
        },
      }),
    );
    const of = (kind: string, name: string) =>
      rendered.manifests.find(
        m => m.kind === kind && m.metadata.name === name,
      )!;
    const instance = (labels: Record<string, string>) =>
      labels['app.kubernetes.io/instance'];
    expect(
      instance((of('NetworkPolicy', NAME).spec as any).podSelector.matchLabels),
    ).toBe(NAME);
    expect(
      instance(
        (of('NetworkPolicy', `${NAME}-canary`).spec as any).podSelector
          .matchLabels,
      ),
    ).toBe(`${NAME}-canary`);
    expect((of('NetworkPolicy', `${NAME}-canary`).spec as any).ingress).toEqual(
      (of('NetworkPolicy', NAME).spec as any).ingress,
    );
    expect(
      instance(
        (of('ServiceMonitor', `${NAME}-canary`).spec as any).selector
          .matchLabels,
      ),
    ).toBe(`${NAME}-canary`);
    expect(instance(of('Service', `${NAME}-canary`).metadata.labels!)).toBe(
      `${NAME}-canary`,
    );
    // The stable objects do not select the canary's pods.
    expect(instance((of('Service', NAME).spec as any).selector)).toBe(NAME);
  });

  it('moves the weights step by step once the canary pods are ready, then makes the new version the stable one', async () => {
    await apply(engine.render(input).manifests);
    // The route waits at 0 % until the canary pod is ready, then takes 10 %.
    const paused = await phase('paused');
    expect(paused).toMatchObject({
      stepIndex: 0,
      split: {
        desiredCanaryPercent: 10,
        actualCanaryPercent: 10,
        basis: 'route-weights',
        stableReplicas: 2,
        canaryReplicas: 1,
      },
    });
    expect(weights()).toEqual([`${NAME}=90`, `${NAME}-canary=10`]);

    await engine.advance(target, input.steps, 1);
    // Idempotent: a retry changes nothing.
    await engine.advance(target, input.steps, 1);
    const approval = await phase('awaiting-approval');
    expect(approval.stepIndex).toBe(1);
    expect(weights()).toEqual([`${NAME}=50`, `${NAME}-canary=50`]);
    // Scaled for the next step (100 % of 2) already.
    expect((deployment(`${NAME}-canary`)?.spec as any).replicas).toBe(2);

    await engine.advance(target, input.steps, 2);
    await until(
      async () => weights(),
      w => w.join() === `${NAME}=0,${NAME}-canary=100`,
    );
    await engine.complete(target);
    const done = await engine.observe(target, input.steps);
    expect(done.phase).toBe('succeeded');
    expect(weights()).toEqual([`${NAME}=100`, `${NAME}-canary=0`]);
    const stable = deployment(NAME)!;
    expect(
      (stable.spec as any).template.metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v2-fp8');
    expect((stable.status as any).readyReplicas).toBe(2);
    expect((deployment(`${NAME}-canary`)?.spec as any).replicas).toBe(0);
    // Completing again is a no-op.
    await engine.complete(target);
  });

  it('aborts: all weight back to stable, the canary scaled to 0, and no advance afterwards', async () => {
    await apply(engine.render(input).manifests);
    await phase('paused');
    await engine.abort(target);
    expect(weights()).toEqual([`${NAME}=100`, `${NAME}-canary=0`]);
    expect((deployment(`${NAME}-canary`)?.spec as any).replicas).toBe(0);
    const aborted = await engine.observe(target, input.steps);
    expect(aborted).toMatchObject({
      phase: 'aborted',
      split: { actualCanaryPercent: 0 },
    });
    // The stable still runs the old version.
    expect(
      (deployment(NAME)?.spec as any).template.metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v2');
    await engine.abort(target);
    await expect(engine.advance(target, input.steps, 1)).rejects.toThrow(
      /is aborted/,
    );
  });

  it('aborts while completing: the stable Deployment goes back to the version it ran before', async () => {
    await apply(engine.render(input).manifests);
    await phase('paused');
    const impatient = createGatewayApiEngine({ completeTimeoutMs: 1 });
    await expect(impatient.complete(target)).rejects.toThrow(
      /did not roll out the new version within/,
    );
    expect(
      (deployment(NAME)?.spec as any).template.metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v2-fp8');
    await engine.abort(target);
    expect(
      (deployment(NAME)?.spec as any).template.metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v2');
    expect(weights()).toEqual([`${NAME}=100`, `${NAME}-canary=0`]);
    expect((deployment(`${NAME}-canary`)?.spec as any).replicas).toBe(0);
    expect((await engine.observe(target, input.steps)).phase).toBe('aborted');
    await expect(engine.complete(target)).rejects.toThrow(/is aborted/);
  });

  it("refuses to apply a stable Deployment the canary's annotation points elsewhere (another namespace, another endpoint)", async () => {
    await apply(engine.render(input).manifests);
    await phase('paused');
    const canary = deployment(`${NAME}-canary`)!;
    const annotations = canary.metadata.annotations!;
    const stable = JSON.parse(
      annotations[ANNOTATION_CANARY_STABLE_MANIFEST],
    ) as KubernetesManifest;
    const tampered = (elsewhere: Partial<KubernetesManifest['metadata']>) =>
      apply([
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: `${NAME}-canary`,
            namespace: NAMESPACE,
            annotations: {
              ...annotations,
              [ANNOTATION_CANARY_STABLE_MANIFEST]: JSON.stringify({
                ...stable,
                metadata: { ...stable.metadata, ...elsewhere },
              }),
            },
          },
          spec: canary.spec as Record<string, unknown>,
        },
      ]);
    await tampered({ namespace: 'default', name: 'victim' });
    await expect(engine.complete(target)).rejects.toThrow(
      /does not hold the stable Deployment of its endpoint/,
    );
    await tampered({
      annotations: {
        ...stable.metadata.annotations,
        'ai-platform.io/endpoint': 'inferenceendpoint:default/someone-else',
      },
    });
    await expect(engine.complete(target)).rejects.toThrow(
      /does not hold the stable Deployment of its endpoint/,
    );
    expect(
      server.getObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'default',
        name: 'victim',
      }),
    ).toBeUndefined();
    // The stable Deployment still runs the version it ran.
    expect(
      (deployment(NAME)?.spec as any).template.metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v2');
  });

  it('reports a canary whose objects are gone as failed', async () => {
    const seen = await engine.observe(target, input.steps);
    expect(seen.phase).toBe('failed');
    expect(seen.message).toBe(
      `HTTPRoute ${NAMESPACE}/${NAME} does not exist on cluster gpu-eu-west`,
    );
  });
});

import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from './FakeKubeApiServer';
import {
  applyObject,
  loadClientNode,
  waitUntil,
} from './__testUtils__/clients';
import type { KubeObject } from './types';

const NAMESPACE = 'team-a';

function deployment(replicas?: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'chat', namespace: NAMESPACE },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: { app: 'chat' } },
      template: {
        metadata: { labels: { app: 'chat' } },
        spec: { containers: [{ name: 'vllm', image: 'vllm/vllm-openai' }] },
      },
    },
  };
}

function hpa(options: { min?: number; max: number; target?: string }) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'chat', namespace: NAMESPACE },
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: options.target ?? 'chat',
      },
      ...(options.min !== undefined ? { minReplicas: options.min } : {}),
      maxReplicas: options.max,
    },
  } as KubeObject;
}

type Managed = Array<{
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}>;

beforeAll(() => {
  loadClientNode();
}, 60_000);

describe('Deployment defaults and the simulated HPA controller', () => {
  let server: FakeKubeApiServer;

  afterEach(async () => {
    await server.close();
  });

  const get = (kind: 'Deployment' | 'HorizontalPodAutoscaler') =>
    server.getObject({
      apiVersion: kind === 'Deployment' ? 'apps/v1' : 'autoscaling/v2',
      kind,
      namespace: NAMESPACE,
      name: 'chat',
    });
  const replicas = () => (get('Deployment')?.spec as any)?.replicas;
  const ownersOfReplicas = () =>
    ((get('Deployment')?.metadata.managedFields ?? []) as Managed)
      .filter(m => m.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined)
      .map(m => `${m.manager}:${m.operation}:${m.subresource ?? ''}`);

  it('defaults spec.replicas to 1, owned by no applier, as the real API server does', async () => {
    server = await startFakeKubeApiServer({ namespaces: [NAMESPACE] });
    const created = await applyObject(server, deployment());
    expect((created.spec as any).replicas).toBe(1);
    expect(ownersOfReplicas()).toEqual([]);

    // An applier that owned replicas and stops sending them: back to 1.
    await applyObject(server, deployment(3));
    expect(replicas()).toBe(3);
    expect(ownersOfReplicas()).toEqual(['ai-platform:Apply:']);
    await applyObject(server, deployment());
    expect(replicas()).toBe(1);
  });

  it('scales the target into the HPA range through the scale subresource, and reports it', async () => {
    server = await startFakeKubeApiServer({
      namespaces: [NAMESPACE],
      rolloutDelayMs: 0,
    });
    await applyObject(server, deployment());
    await applyObject(server, hpa({ min: 2, max: 5 }));
    await waitUntil(
      () =>
        (get('HorizontalPodAutoscaler')?.status as any)?.currentReplicas === 2,
    );
    expect(replicas()).toBe(2);
    expect(ownersOfReplicas()).toEqual([
      'kube-controller-manager:Update:scale',
    ]);
    const status = get('HorizontalPodAutoscaler')?.status as any;
    expect(status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
      lastScaleTime: expect.any(String),
      // After the rescale the controller syncs again, and the count is
      // within the range now.
      conditions: [
        expect.objectContaining({ type: 'AbleToScale', status: 'True' }),
        expect.objectContaining({
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
        }),
      ],
    });
    const scaledAt = status.lastScaleTime;

    // Within the range, the count is left as it is (no metrics to act on).
    await applyObject(server, hpa({ min: 1, max: 5 }));
    await waitUntil(
      () =>
        (get('HorizontalPodAutoscaler')?.status as any)?.observedGeneration ===
        get('HorizontalPodAutoscaler')?.metadata.generation,
    );
    expect(replicas()).toBe(2);
    expect(get('HorizontalPodAutoscaler')?.status).toMatchObject({
      desiredReplicas: 2,
      lastScaleTime: scaledAt,
    });

    // Above the range: scaled down to the maximum.
    await applyObject(server, hpa({ min: 1, max: 1 }));
    await waitUntil(() => replicas() === 1);
    expect(ownersOfReplicas()).toEqual([
      'kube-controller-manager:Update:scale',
    ]);
  });

  it('says when the target does not exist, and leaves an HPA without status until it syncs', async () => {
    server = await startFakeKubeApiServer({ namespaces: [NAMESPACE] });
    await applyObject(server, hpa({ max: 3, target: 'missing' }));
    await waitUntil(() => get('HorizontalPodAutoscaler')?.status !== undefined);
    expect(get('HorizontalPodAutoscaler')?.status).toMatchObject({
      desiredReplicas: 0,
      conditions: [
        expect.objectContaining({
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedGetScale',
          message: expect.stringContaining(
            'deployments.apps "missing" not found',
          ),
        }),
      ],
    });
    await server.close();

    server = await startFakeKubeApiServer({
      namespaces: [NAMESPACE],
      autoscalerSyncDelayMs: 60_000,
    });
    await applyObject(server, deployment());
    await applyObject(server, hpa({ min: 2, max: 3 }));
    await new Promise(r => setTimeout(r, 100));
    expect(get('HorizontalPodAutoscaler')?.status).toBeUndefined();
    expect(replicas()).toBe(1);
  });
});

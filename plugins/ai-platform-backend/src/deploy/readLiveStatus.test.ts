import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  type FakeKubeApiServer,
  type FakeKubeApiServerOptions,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { L4_NODES } from './__testUtils__/deployHarness';
import {
  EXAMPLE_ENTITIES,
  examplePlan,
  fakeRun,
  STAGING,
} from './__testUtils__/fakeRun';
import { ClusterClients } from './ClusterClients';
import type { StoredDeployment } from './DatabaseDeploymentStore';
import { KubernetesClusterClient } from './kube/KubernetesClusterClient';
import { applyStep } from './pipeline/applyStep';
import type { DeploymentPlan } from './planDeployment';
import {
  autoscalerName,
  describeAutoscaler,
  describeDeployment,
  readLiveStatus,
} from './readLiveStatus';

jest.setTimeout(30_000);

/** The staging endpoint, autoscaled 2-3 replicas (not in the catalog). */
function autoscaledEndpoint(): Entity {
  const staging = EXAMPLE_ENTITIES.find(
    e => e.metadata.name === 'chat-assistant-staging',
  )!;
  return {
    ...staging,
    metadata: { name: 'chat-autoscaled', namespace: 'default' },
    spec: {
      ...staging.spec,
      resources: {
        gpusPerReplica: 1,
        replicas: 2,
        minReplicas: 2,
        maxReplicas: 3,
      },
    },
  };
}

function captureLogger(warnings: string[]): LoggerService {
  const logger: LoggerService = {
    error: () => {},
    warn: (message, meta) => {
      warnings.push(`${message} ${JSON.stringify(meta)}`);
    },
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

describe('readLiveStatus', () => {
  let server: FakeKubeApiServer;
  let clients: ClusterClients;

  async function start(options: FakeKubeApiServerOptions = {}) {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'fake-token',
      rolloutDelayMs: 0,
      namespaces: ['chat-staging'],
      nodes: L4_NODES,
      ...options,
    });
    clients = new ClusterClients({
      clusters: [server.clusterConfig('gpu-eu-west') as ClusterConfig],
      createClient: cluster =>
        new KubernetesClusterClient({ cluster, requestTimeoutMs: 2000 }),
    });
  }

  afterEach(async () => {
    await server?.close();
  });

  /** Applies a plan to the fake cluster; the record of it, as the store keeps it. */
  async function deployed(plan: DeploymentPlan): Promise<StoredDeployment> {
    const run = fakeRun({
      plan,
      target: clients.target('gpu-eu-west', 'gpupool:default/l4-inference'),
      deps: { clients },
    });
    expect((await applyStep.run(run)).status).toBe('passed');
    return {
      revision: 1,
      modelVersion: plan.modelVersion,
      manifests: plan.manifests,
    } as StoredDeployment;
  }

  const deploymentOf = (plan: DeploymentPlan) =>
    plan.manifests.find(m => m.kind === 'Deployment')!.metadata.name;

  const ready = (name: string, count: number) =>
    server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'chat-staging',
        name,
      },
      d => (d?.status as any)?.readyReplicas === count,
    );

  it('reads an autoscaled endpoint’s desired replicas from its HorizontalPodAutoscaler', async () => {
    await start();
    const plan = await examplePlan({ endpoint: autoscaledEndpoint() });
    const hpa = plan.manifests.find(m => m.kind === 'HorizontalPodAutoscaler');
    expect(hpa).toBeDefined();
    // The renderer leaves the count to the autoscaler.
    expect(
      (plan.manifests.find(m => m.kind === 'Deployment')!.spec as any).replicas,
    ).toBeUndefined();
    const running = await deployed(plan);
    const name = deploymentOf(plan);
    await ready(name, 2);
    await server.waitForObject(
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        namespace: 'chat-staging',
        name: hpa!.metadata.name,
      },
      o => (o?.status as any)?.currentReplicas === 2,
    );
    const status = await readLiveStatus({
      resolved: plan,
      running,
      clients,
      logger: captureLogger([]),
    });
    expect(status.error).toBeUndefined();
    expect(status.deployment).toMatchObject({
      name,
      replicas: 2,
      desiredReplicas: 2,
      readyReplicas: 2,
      autoscaler: {
        name: hpa!.metadata.name,
        minReplicas: 2,
        maxReplicas: 3,
        currentReplicas: 2,
        desiredReplicas: 2,
      },
    });
    expect(status.pods).toHaveLength(2);
  });

  it('reads a fixed-replica endpoint’s desired replicas from the Deployment, without asking for an autoscaler', async () => {
    await start();
    const plan = await examplePlan();
    expect(plan.manifests.some(m => m.kind === 'HorizontalPodAutoscaler')).toBe(
      false,
    );
    const running = await deployed(plan);
    await ready(deploymentOf(plan), 1);
    server.clearRequests();
    const status = await readLiveStatus({
      resolved: plan,
      running,
      clients,
      logger: captureLogger([]),
    });
    expect(status).toMatchObject({
      endpointRef: STAGING,
      clusterConfigured: true,
      runningRevision: 1,
      deployment: { replicas: 1, desiredReplicas: 1, readyReplicas: 1 },
    });
    expect(status.deployment?.autoscaler).toBeUndefined();
    expect(
      server.requests.filter(r => r.path.includes('horizontalpodautoscalers')),
    ).toEqual([]);
  });

  it('falls back to the Deployment’s replicas while the autoscaler has no status yet', async () => {
    await start({ autoscalerSyncDelayMs: 60_000 });
    const plan = await examplePlan({ endpoint: autoscaledEndpoint() });
    const running = await deployed(plan);
    // The API server defaulted spec.replicas to 1; the HPA did not act yet.
    await ready(deploymentOf(plan), 1);
    const status = await readLiveStatus({
      resolved: plan,
      running,
      clients,
      logger: captureLogger([]),
    });
    expect(status.deployment).toMatchObject({
      replicas: 1,
      desiredReplicas: 1,
      readyReplicas: 1,
    });
    expect(status.deployment?.autoscaler).toEqual({
      name: 'chat-autoscaled',
      minReplicas: 2,
      maxReplicas: 3,
    });
  });

  it('still shows the Deployment when the autoscaler cannot be read, and logs why', async () => {
    await start();
    const plan = await examplePlan({ endpoint: autoscaledEndpoint() });
    const running = await deployed(plan);
    await ready(deploymentOf(plan), 2);
    server.injectFault({
      method: 'GET',
      path: /horizontalpodautoscalers/,
      kind: 'status',
      code: 403,
      message: 'forbidden: cannot get horizontalpodautoscalers',
      times: 1,
    });
    const warnings: string[] = [];
    const status = await readLiveStatus({
      resolved: plan,
      running,
      clients,
      logger: captureLogger(warnings),
    });
    expect(status.error).toBeUndefined();
    expect(status.deployment).toMatchObject({
      replicas: 2,
      desiredReplicas: 2,
    });
    expect(status.deployment?.autoscaler).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringContaining('cannot get horizontalpodautoscalers'),
    ]);
  });

  it('says so when the pool’s cluster is not configured, reading nothing', async () => {
    await start();
    const plan = await examplePlan({
      endpoint: 'inferenceendpoint:default/reasoning-70b-prod',
    });
    const status = await readLiveStatus({
      resolved: plan,
      running: undefined,
      clients,
      logger: captureLogger([]),
    });
    expect(status.clusterConfigured).toBe(false);
    expect(status.error).toContain('gpu-us-east');
    expect(server.requests).toEqual([]);
  });
});

describe('autoscalerName', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'chat' },
  };

  it('names the HPA the running revision applied, or the one KEDA makes for its ScaledObject', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'chat-hpa' },
    };
    const scaledObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'chat' },
    };
    expect(
      autoscalerName({ manifests: [deployment, hpa], deploymentName: 'chat' }),
    ).toBe('chat-hpa');
    expect(
      autoscalerName({
        manifests: [deployment, scaledObject],
        deploymentName: 'chat',
      }),
    ).toBe('keda-hpa-chat');
    expect(
      autoscalerName({
        manifests: [
          deployment,
          {
            ...scaledObject,
            spec: {
              advanced: { horizontalPodAutoscalerConfig: { name: 'custom' } },
            },
          },
        ],
        deploymentName: 'chat',
      }),
    ).toBe('custom');
  });

  it('names none for a fixed-replica revision, and the Deployment’s name without a revision', () => {
    expect(
      autoscalerName({ manifests: [deployment], deploymentName: 'chat' }),
    ).toBeUndefined();
    expect(
      autoscalerName({ manifests: undefined, deploymentName: 'chat' }),
    ).toBe('chat');
  });
});

describe('describeAutoscaler', () => {
  const hpa = (status?: Record<string, unknown>, target = 'chat') => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'chat' },
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: target,
      },
      minReplicas: 1,
      maxReplicas: 4,
    },
    ...(status ? { status } : {}),
  });

  it('treats the zero status of an HPA the controller has not synced as unknown', () => {
    // What a real API server returns for a new HPA: desiredReplicas is required.
    expect(describeAutoscaler(hpa({ desiredReplicas: 0 }), 'chat')).toEqual({
      name: 'chat',
      minReplicas: 1,
      maxReplicas: 4,
    });
    expect(
      describeAutoscaler(
        hpa({
          desiredReplicas: 0,
          conditions: [{ type: 'AbleToScale', status: 'True' }],
        }),
        'chat',
      ),
    ).toMatchObject({ desiredReplicas: 0 });
  });

  it('ignores an HPA that scales another workload', () => {
    expect(
      describeAutoscaler(hpa({ desiredReplicas: 2 }, 'other'), 'chat'),
    ).toBeUndefined();
  });
});

describe('describeDeployment', () => {
  const live = (
    spec: Record<string, unknown>,
    status: Record<string, unknown>,
  ) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'chat' },
    spec,
    status,
  });

  it('wants what the autoscaler decided, else spec.replicas, else status.replicas', () => {
    const autoscaler = { name: 'chat', maxReplicas: 4, desiredReplicas: 3 };
    expect(
      describeDeployment(live({ replicas: 2 }, { replicas: 2 }), autoscaler),
    ).toMatchObject({ replicas: 2, desiredReplicas: 3, autoscaler });
    expect(
      describeDeployment(live({ replicas: 2 }, { replicas: 1 }), {
        name: 'chat',
        maxReplicas: 4,
      }),
    ).toMatchObject({ replicas: 2, desiredReplicas: 2 });
    expect(
      describeDeployment(live({}, { replicas: 1 }), undefined),
    ).toMatchObject({ desiredReplicas: 1 });
    expect(
      describeDeployment(live({}, {}), undefined).desiredReplicas,
    ).toBeUndefined();
  });
});

import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import type { Entity } from '@backstage/catalog-model';
import { L4_NODES } from '../__testUtils__/deployHarness';
import {
  examplePlan,
  EXAMPLE_ENTITIES,
  fakeRun,
  TEST_DEPLOY_OPTIONS,
} from '../__testUtils__/fakeRun';
import { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import type { DeployOptions } from '../types';
import { applyStep } from './applyStep';
import { rolloutStep } from './rolloutStep';

jest.setTimeout(30_000);

describe('rolloutStep', () => {
  let server: FakeKubeApiServer;

  async function start(nodes = L4_NODES) {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'fake-token',
      rolloutDelayMs: 50,
      namespaces: ['chat-staging'],
      nodes,
    });
  }

  afterEach(async () => {
    await server?.close();
  });

  /** Applies the plan to the fake cluster, as the apply step before it would. */
  async function applied(plan: DeploymentPlan, deploy?: DeployOptions) {
    const cluster = server.clusterConfig('gpu-eu-west') as ClusterConfig;
    const client = new KubernetesClusterClient({
      cluster,
      requestTimeoutMs: 2000,
    });
    const run = fakeRun({
      plan,
      target: { cluster },
      deps: {
        clients: { client: () => client },
        deploy: deploy ?? TEST_DEPLOY_OPTIONS,
      },
    });
    expect((await applyStep.run(run)).status).toBe('passed');
    return run;
  }

  /** The staging endpoint with another image. */
  async function withImage(image: string) {
    const endpoint = EXAMPLE_ENTITIES.find(
      e => e.metadata.name === 'chat-assistant-staging',
    ) as Entity;
    return examplePlan({
      endpoint: {
        ...endpoint,
        metadata: { name: 'with-image', namespace: 'default' },
        spec: {
          ...endpoint.spec,
          runtime: { ...(endpoint.spec as any).runtime, image },
        },
      },
    });
  }

  it('passes once the rollout is done, reporting its progress', async () => {
    await start();
    const run = await applied(await examplePlan());
    const outcome = await rolloutStep.run(run);
    expect(outcome).toEqual({
      status: 'passed',
      message: '1 of 1 replicas ready',
    });
    expect(run.progress.states).toEqual(['applying', 'rolling-out']);
    expect(run.progress.events.at(-1)).toEqual({
      level: 'info',
      message: '1 of 1 replicas ready',
      object: 'Deployment/chat-assistant-staging',
    });
  });

  it('fails at once on a crash loop, naming the pod and the Deployment', async () => {
    await start();
    server.setImageBehaviour('vllm/vllm-openai:crashes', 'crashing');
    const run = await applied(await withImage('vllm/vllm-openai:crashes'));
    const started = Date.now();
    const outcome = await rolloutStep.run(run);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { object: 'Deployment/with-image' },
    });
    expect(outcome.message).toMatch(
      /^Pod with-image-.* is in CrashLoopBackOff/,
    );
    expect(Date.now() - started).toBeLessThan(
      TEST_DEPLOY_OPTIONS.rolloutTimeoutMs,
    );
  });

  it('fails at the timeout with what the cluster said, when no node has the GPUs', async () => {
    await start([
      {
        name: 'cpu-only',
        labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
        allocatable: { cpu: '16', memory: '64Gi' },
        taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
      } as (typeof L4_NODES)[number],
    ]);
    const run = await applied(await examplePlan(), {
      ...TEST_DEPLOY_OPTIONS,
      rolloutTimeoutMs: 1500,
    });
    const outcome = await rolloutStep.run(run);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(
      /^The rollout did not finish within 2 s \(.*\): FailedScheduling on Pod\/chat-assistant-staging-.*Insufficient nvidia.com\/gpu/,
    );
    expect(outcome.details).toEqual({
      warnings: [expect.stringContaining('FailedScheduling')],
    });
  });

  it('skips without a Deployment to wait for, or when nothing was applied', async () => {
    const plan = await examplePlan();
    const withoutDeployment = fakeRun({
      plan: {
        ...plan,
        manifests: plan.manifests.filter(m => m.kind !== 'Deployment'),
      },
    });
    withoutDeployment.applied = { client: {} as any, objects: [] };
    expect(await rolloutStep.run(withoutDeployment)).toEqual({
      status: 'skipped',
      message: 'no Deployment to wait for',
    });
    expect(withoutDeployment.progress.states).toEqual(['rolling-out']);
    expect(await rolloutStep.run(fakeRun({ plan }))).toEqual({
      status: 'skipped',
      message: 'nothing was applied',
    });
  });
});

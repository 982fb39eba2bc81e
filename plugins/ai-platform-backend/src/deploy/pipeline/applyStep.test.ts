import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import type { DeploymentObject } from '@internal/plugin-ai-platform-common';
import { L4_NODES } from '../__testUtils__/deployHarness';
import {
  examplePlan,
  fakeRun,
  TEST_DEPLOY_OPTIONS,
} from '../__testUtils__/fakeRun';
import type { StoredDeployment } from '../DatabaseDeploymentStore';
import { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import { applyStep } from './applyStep';
import type { DeploymentRun } from './types';

jest.setTimeout(30_000);

describe('applyStep', () => {
  let server: FakeKubeApiServer;
  let cluster: ClusterConfig;
  let client: KubernetesClusterClient;

  beforeEach(async () => {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'fake-token',
      rolloutDelayMs: 0,
      namespaces: ['chat-staging'],
      nodes: L4_NODES,
    });
    cluster = server.clusterConfig('gpu-eu-west') as ClusterConfig;
    client = new KubernetesClusterClient({ cluster, requestTimeoutMs: 2000 });
  });

  afterEach(async () => {
    await server.close();
  });

  /** A run against the fake cluster; `applied` plays the records of earlier deployments. */
  function runOf(
    plan: DeploymentPlan,
    options: {
      dryRun?: boolean;
      earlier?: Array<{ objects: DeploymentObject[]; plan: DeploymentPlan }>;
      unreachableClusters?: 'fail' | 'check-only';
    } = {},
  ) {
    const restored: string[] = [];
    const run = fakeRun({
      plan,
      call: { dryRun: options.dryRun },
      target: { cluster },
      deps: {
        clients: { client: () => client },
        store: {
          applied: async () => [],
          recent: async () =>
            (options.earlier ?? []).map(
              (e, i) =>
                ({
                  id: `earlier-${i}`,
                  objects: e.objects,
                  manifests: e.plan.manifests,
                } as unknown as StoredDeployment),
            ),
        },
        deploy: {
          ...TEST_DEPLOY_OPTIONS,
          unreachableClusters: options.unreachableClusters ?? 'fail',
        },
      },
    });
    run.restoreReservation = async () => {
      restored.push('restored');
    };
    return { run, restored };
  }

  const kindsAndActions = (run: DeploymentRun) =>
    run.applied?.objects.map(o => `${o.kind}:${o.action}`);

  it('applies the objects in order with our field manager, reporting each', async () => {
    const plan = await examplePlan();
    const { run } = runOf(plan);
    const outcome = await applyStep.run(run);
    const count = plan.manifests.length;
    expect(outcome).toEqual({
      status: 'passed',
      message: `applied ${count} objects: ${count} changed`,
    });
    expect(kindsAndActions(run)).toEqual(
      plan.manifests.map(m => `${m.kind}:created`),
    );
    expect(run.progress.states).toEqual(['applying']);
    expect(run.progress.announced).toBe(1);
    expect(run.progress.events.map(e => e.message)).toEqual(
      plan.manifests.map(m => `${m.kind}/${m.metadata.name} created`),
    );
    const patches = server.requests.filter(r => r.method === 'PATCH');
    expect(patches).toHaveLength(count);
    expect(
      patches.every(r => r.query.fieldManager === 'backstage-ai-platform'),
    ).toBe(true);
  });

  it('ends unchanged when the cluster already runs exactly this', async () => {
    const plan = await examplePlan();
    const first = runOf(plan).run;
    await applyStep.run(first);
    const { run } = runOf(plan, {
      earlier: [{ objects: first.applied!.objects, plan }],
    });
    const outcome = await applyStep.run(run);
    expect(outcome).toMatchObject({
      status: 'passed',
      message: `applied ${plan.manifests.length} objects: 0 changed`,
      end: {
        state: 'unchanged',
        skipRest: 'nothing changed, so there is nothing to roll out',
      },
    });
    expect(outcome.objects?.every(o => o.action === 'unchanged')).toBe(true);
  });

  it('dry-runs: says which fields would change, and changes nothing', async () => {
    const plan = await examplePlan();
    await applyStep.run(runOf(plan).run);
    const before = server.listObjects({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'chat-staging',
    });
    const promote = await examplePlan({
      operation: 'promote',
      modelVersion: 'v2-fp8',
    });
    const { run } = runOf(promote, { dryRun: true });
    const outcome = await applyStep.run(run);
    expect(outcome.status).toBe('passed');
    expect(outcome.message).toMatch(
      /^the cluster accepted \d+ objects \(dryRun=All\): \d+ would change$/,
    );
    expect(outcome.end).toEqual({
      state: 'dry-run',
      skipRest: 'a dry run does not roll out',
    });
    const deployment = outcome.objects?.find(o => o.kind === 'Deployment');
    expect(deployment?.action).toBe('configured');
    expect(deployment?.changes).toContain('spec.template.spec.containers');
    expect(
      server.listObjects({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'chat-staging',
      }),
    ).toEqual(before);
  });

  it('fails at the object the cluster refuses, naming what was applied before, and puts the reservation back', async () => {
    server.injectFault({
      method: 'PATCH',
      path: /\/services\//,
      kind: 'status',
      code: 500,
      message: 'etcdserver: request timed out',
      times: 1,
    });
    const plan = await examplePlan();
    const { run, restored } = runOf(plan);
    const outcome = await applyStep.run(run);
    const failedAt = plan.manifests.findIndex(m => m.kind === 'Service');
    expect(outcome).toMatchObject({
      status: 'failed',
      details: { object: 'Service/chat-assistant-staging', status: 500 },
      error: {
        object: 'Service/chat-assistant-staging',
        cause: 'HTTP 500: etcdserver: request timed out',
      },
    });
    expect(outcome.message).toContain(
      `${plan.manifests
        .slice(0, failedAt)
        .map(m => `${m.kind}/${m.metadata.name}`)
        .join(', ')} applied before it; a re-run converges`,
    );
    // Applied objects with their action; the rest named only.
    expect(outcome.objects?.map(o => o.action)).toEqual(
      plan.manifests.map((_, i) => (i < failedAt ? 'created' : undefined)),
    );
    expect(restored).toEqual(['restored']);
    expect(run.applied).toBeUndefined();
  });

  it('runs the checks only when the cluster cannot be reached and that is configured', async () => {
    await server.close();
    const plan = await examplePlan();
    const { run, restored } = runOf(plan, {
      unreachableClusters: 'check-only',
    });
    const outcome = await applyStep.run(run);
    expect(outcome.status).toBe('skipped');
    expect(outcome.message).toContain(
      `Nothing was applied: cluster gpu-eu-west (${cluster.url}) could not be reached`,
    );
    expect(outcome.end).toEqual({
      state: 'check-only',
      skipRest: 'nothing was applied',
    });
    expect(outcome.objects).toHaveLength(plan.manifests.length);
    expect(restored).toEqual(['restored']);

    // Configured to fail instead: the same unreachable cluster fails the apply.
    const failing = runOf(plan).run;
    expect((await applyStep.run(failing)).status).toBe('failed');
  });

  it('applies nothing when the pool’s cluster is not configured', async () => {
    const plan = await examplePlan();
    const run = fakeRun({
      plan,
      target: { notConfigured: 'cluster gpu-eu-west is not configured' },
    });
    expect(await applyStep.run(run)).toEqual({
      status: 'skipped',
      message:
        'Nothing was applied: cluster gpu-eu-west is not configured. The checks ran and the objects were rendered; add the cluster to kubernetes.clusterLocatorMethods to deploy.',
      end: { state: 'check-only', skipRest: 'nothing was applied' },
    });
    expect(run.progress.states).toEqual([]);
  });
});

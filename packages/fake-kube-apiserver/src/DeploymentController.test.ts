import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from './FakeKubeApiServer';
import {
  applyObject,
  clientsFor,
  loadClientNode,
} from './__testUtils__/clients';
import type { KubeObject } from './types';

type DeploymentStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  conditions?: Array<{
    type: string;
    status: string;
    reason: string;
    message: string;
  }>;
};

function deployment(options?: {
  name?: string;
  image?: string;
  replicas?: number | null;
  gpus?: string;
  resource?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Array<Record<string, string>>;
  progressDeadlineSeconds?: number;
}): KubeObject {
  const name = options?.name ?? 'chat';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'team-a' },
    spec: {
      ...(options?.replicas === null
        ? {}
        : { replicas: options?.replicas ?? 2 }),
      ...(options?.progressDeadlineSeconds
        ? { progressDeadlineSeconds: options.progressDeadlineSeconds }
        : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, 'ai-platform.io/endpoint': name } },
        spec: {
          ...(options?.nodeSelector
            ? { nodeSelector: options.nodeSelector }
            : {}),
          ...(options?.tolerations ? { tolerations: options.tolerations } : {}),
          containers: [
            {
              name: 'vllm',
              image: options?.image ?? 'vllm/vllm-openai:v0.10.1',
              resources: {
                limits: {
                  [options?.resource ?? 'nvidia.com/gpu']: options?.gpus ?? '1',
                },
              },
            },
          ],
        },
      },
    },
  };
}

const ref = (name = 'chat') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'team-a',
  name,
});

const statusOf = (o?: KubeObject) => (o?.status ?? {}) as DeploymentStatus;
const condition = (o: KubeObject | undefined, type: string) =>
  statusOf(o).conditions?.find(c => c.type === type);

const h100 = (name: string, gpus = '8') => ({
  name,
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
  allocatable: { 'nvidia.com/gpu': gpus, cpu: '96', memory: '1Ti' },
});

// client-node 1.x is a large ESM package: its first load can take seconds
// on a cold Jest cache (a fresh clone in CI). Load it once before the tests,
// with room for that, instead of inside one test's 5 s budget.
beforeAll(() => {
  loadClientNode();
}, 60_000);

describe('simulated Deployment controller', () => {
  let server: FakeKubeApiServer;

  afterEach(async () => {
    await server?.close();
  });

  async function apply(object: KubeObject) {
    return applyObject(server, object, { manager: 'ai-platform', force: true });
  }

  it('creates pods for the template and progresses status to ready', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 20,
      nodes: [h100('gpu-1'), h100('gpu-2')],
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    await apply(deployment());
    const ready = await server.waitForObject(
      ref(),
      o => condition(o, 'Progressing')?.reason === 'NewReplicaSetAvailable',
    );
    expect(statusOf(ready)).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(condition(ready, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });

    const { core } = clientsFor(server);
    const pods = await core.listNamespacedPod({
      namespace: 'team-a',
      labelSelector: 'app=chat,ai-platform.io/endpoint=chat',
    });
    expect(pods.items).toHaveLength(2);
    const rs = server.listObjects({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace: 'team-a',
    });
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'chat',
    });
    for (const pod of pods.items) {
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'ReplicaSet',
        name: rs[0].metadata.name,
        controller: true,
      });
      expect(pod.status?.phase).toBe('Running');
      expect(pod.spec?.nodeName).toMatch(/^gpu-/);
    }

    // A new template rolls out; old pods go once the new ones are ready.
    await apply(deployment({ image: 'vllm/vllm-openai:v0.11.0' }));
    const rolled = await server.waitForObject(
      ref(),
      o =>
        statusOf(o).observedGeneration === 2 &&
        condition(o, 'Progressing')?.reason === 'NewReplicaSetAvailable',
    );
    expect(statusOf(rolled)).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
    });
    const after = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
    });
    expect(
      after.map(
        p =>
          (p.spec as { containers: Array<{ image: string }> }).containers[0]
            .image,
      ),
    ).toEqual(['vllm/vllm-openai:v0.11.0', 'vllm/vllm-openai:v0.11.0']);

    // Deleting the Deployment deletes its ReplicaSets and pods.
    const { apps } = clientsFor(server);
    await apps.deleteNamespacedDeployment({
      name: 'chat',
      namespace: 'team-a',
    });
    expect(
      server.listObjects({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'team-a',
      }),
    ).toEqual([]);
    expect(
      server.listObjects({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        namespace: 'team-a',
      }),
    ).toEqual([]);
  });

  it('is ready at once with rolloutDelayMs 0 and no nodes (unconstrained scheduling)', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 0,
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    await apply(deployment({ gpus: '64' }));
    const ready = await server.waitForObject(
      ref(),
      o => statusOf(o).readyReplicas === 2,
      {
        timeoutMs: 1000,
      },
    );
    expect(condition(ready, 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
  });

  it('leaves pods Pending with FailedScheduling when the GPUs do not fit, and schedules them when a node arrives', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 10,
      progressDeadlineMs: 300,
      nodes: [
        h100('gpu-1', '4'),
        h100('gpu-2', '4'),
        {
          ...h100('gpu-3'),
          taints: [
            { key: 'dedicated', value: 'training', effect: 'NoSchedule' },
          ],
        },
      ],
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    await apply(deployment({ replicas: 1, gpus: '8' }));
    const stuck = await server.waitForObject(
      ref(),
      o => condition(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded',
    );
    expect(condition(stuck, 'Progressing')).toMatchObject({
      status: 'False',
      message: expect.stringMatching(
        /^ReplicaSet "chat-\w+" has timed out progressing\.$/,
      ),
    });
    expect(statusOf(stuck).readyReplicas).toBeUndefined();
    const [pod] = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
    });
    expect(pod.status).toMatchObject({
      phase: 'Pending',
      conditions: [
        expect.objectContaining({
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
        }),
      ],
    });

    const { core } = clientsFor(server);
    const events = await core.listNamespacedEvent({
      namespace: 'team-a',
      fieldSelector: `involvedObject.name=${pod.metadata.name},reason=FailedScheduling`,
    });
    expect(events.items.map(e => [e.type, e.message])).toEqual([
      [
        'Warning',
        '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: training}, 2 Insufficient nvidia.com/gpu.',
      ],
    ]);

    server.addNode(h100('gpu-4'));
    const ready = await server.waitForObject(
      ref(),
      o => statusOf(o).readyReplicas === 1,
    );
    expect(condition(ready, 'Available')?.status).toBe('True');
    expect(
      (
        server.listObjects({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: 'team-a',
        })[0].spec as { nodeName: string }
      ).nodeName,
    ).toBe('gpu-4');
  });

  it('respects nodeSelector, tolerations, MIG resources and what other pods already use', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 0,
      nodes: [
        {
          name: 'mig-1',
          labels: { 'nvidia.com/mig.strategy': 'mixed' },
          allocatable: { 'nvidia.com/mig-3g.40gb': '2' },
          taints: [
            { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          ],
        },
        h100('gpu-1', '2'),
      ],
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    const toleration = [
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ];
    await apply(
      deployment({
        name: 'mig',
        replicas: 3,
        resource: 'nvidia.com/mig-3g.40gb',
        tolerations: toleration,
      }),
    );
    await server.waitForObject(
      ref('mig'),
      o => statusOf(o).readyReplicas === 2,
    );
    const pending = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
      fieldSelector: 'status.phase=Pending',
    });
    expect(pending).toHaveLength(1);
    expect(
      server.listObjects({
        apiVersion: 'v1',
        kind: 'Event',
        namespace: 'team-a',
        fieldSelector: `reason=FailedScheduling,involvedObject.uid=${pending[0].metadata.uid}`,
      })[0].message,
    ).toBe('0/2 nodes are available: 2 Insufficient nvidia.com/mig-3g.40gb.');

    await apply(
      deployment({
        name: 'pinned',
        replicas: 1,
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
      }),
    );
    await server.waitForObject(
      ref('pinned'),
      o => statusOf(o).observedGeneration === 1,
    );
    const [pinned] = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
      labelSelector: 'app=pinned',
    });
    await server.waitForObject(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'team-a',
        name: pinned.metadata.name!,
      },
      o => (o?.status as { conditions?: unknown[] })?.conditions !== undefined,
    );
    const events = server.listObjects({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: 'team-a',
      fieldSelector: `involvedObject.name=${pinned.metadata.name}`,
    });
    expect(events.map(e => e.message)).toEqual([
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {nvidia.com/gpu: present}.",
    ]);
  });

  it('creates no pods for a ServiceAccount that does not exist, with a FailedCreate event, and creates them once it does', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 10,
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    const withAccount = deployment({ replicas: 1 });
    (withAccount.spec as any).template.spec.serviceAccountName = 'chat';
    await apply(withAccount);
    await server.waitForObject(
      ref(),
      o => statusOf(o).observedGeneration === 1,
    );
    const pods = () =>
      server.listObjects({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'team-a',
      });
    expect(pods()).toEqual([]);
    const failed = server
      .listObjects({ apiVersion: 'v1', kind: 'Event', namespace: 'team-a' })
      .find(e => (e as any).reason === 'FailedCreate');
    expect((failed as any)?.message).toMatch(
      /^Error creating: pods "chat-[a-z0-9]+-" is forbidden: error looking up service account team-a\/chat: serviceaccount "chat" not found$/,
    );

    await apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'chat', namespace: 'team-a' },
      automountServiceAccountToken: false,
    } as KubeObject);
    const ready = await server.waitForObject(
      ref(),
      o => statusOf(o).readyReplicas === 1,
    );
    expect(statusOf(ready).readyReplicas).toBe(1);
    expect(pods()).toHaveLength(1);
  });

  it('reports a missing image as ErrImagePull then ImagePullBackOff with a Failed event', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 10,
      missingImages: ['vllm/vllm-openai:v9.9.9'],
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    await apply(deployment({ replicas: 1, image: 'vllm/vllm-openai:v9.9.9' }));
    await server.waitForObject(
      ref(),
      o => statusOf(o).observedGeneration === 1,
    );
    const [pod] = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
    });
    const waitingReason = (o?: KubeObject) =>
      (
        o?.status as {
          containerStatuses?: Array<{
            state: { waiting?: { reason: string } };
          }>;
        }
      )?.containerStatuses?.[0]?.state.waiting?.reason;
    const podRef = {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
      name: pod.metadata.name!,
    };
    await server.waitForObject(
      podRef,
      o => waitingReason(o) === 'ErrImagePull',
    );
    await server.waitForObject(
      podRef,
      o => waitingReason(o) === 'ImagePullBackOff',
    );
    const failed = server.listObjects({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: 'team-a',
      fieldSelector: `involvedObject.name=${pod.metadata.name},reason=Failed`,
    });
    expect(failed.map(e => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Failed to pull image "vllm\/vllm-openai:v9\.9\.9": /,
        ),
        'Error: ImagePullBackOff',
      ]),
    );
    expect(statusOf(server.getObject(ref())).readyReplicas).toBeUndefined();
    expect(condition(server.getObject(ref()), 'Available')?.status).toBe(
      'False',
    );
  });

  it('reports a crashing image as CrashLoopBackOff with a BackOff event', async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 0,
      crashingImages: image => image.endsWith(':broken'),
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    await apply(deployment({ replicas: 1, image: 'vllm/vllm-openai:broken' }));
    await server.waitForObject(
      ref(),
      o => condition(o, 'Available') !== undefined,
    );
    const [pod] = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
    });
    await server.waitForObject(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'team-a',
        name: pod.metadata.name!,
      },
      o => (o?.status as { phase?: string })?.phase === 'Running',
    );
    const current = server.getObject({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
      name: pod.metadata.name!,
    });
    expect(current?.status).toMatchObject({
      containerStatuses: [
        expect.objectContaining({
          ready: false,
          restartCount: 1,
          state: {
            waiting: expect.objectContaining({ reason: 'CrashLoopBackOff' }),
          },
        }),
      ],
    });
    const backoff = server.listObjects({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: 'team-a',
      fieldSelector: 'reason=BackOff,involvedObject.kind=Pod',
    });
    expect(backoff[0]).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining(
        'Back-off restarting failed container vllm in pod',
      ),
    });
  });

  it("uses the HPA's minReplicas when spec.replicas is absent", async () => {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 0,
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
    });
    await apply({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'chat', namespace: 'team-a' },
      spec: {
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'chat',
        },
        minReplicas: 3,
        maxReplicas: 6,
      },
    });
    await apply(deployment({ replicas: null }));
    const ready = await server.waitForObject(
      ref(),
      o => statusOf(o).readyReplicas === 3,
    );
    expect(statusOf(ready).replicas).toBe(3);
  });
});

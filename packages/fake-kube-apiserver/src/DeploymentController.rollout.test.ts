import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from './FakeKubeApiServer';
import { applyObject, loadClientNode } from './__testUtils__/clients';
import type { KubeObject } from './types';

function deployment(options: {
  image: string;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  gpus?: string;
}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'chat', namespace: 'team-a' },
    spec: {
      replicas: options.replicas,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: {
          maxSurge: options.maxSurge,
          maxUnavailable: options.maxUnavailable,
        },
      },
      selector: { matchLabels: { app: 'chat' } },
      template: {
        metadata: { labels: { app: 'chat' } },
        spec: {
          containers: [
            {
              name: 'vllm',
              image: options.image,
              resources: {
                limits: { 'nvidia.com/gpu': options.gpus ?? '1' },
              },
            },
          ],
        },
      },
    },
  };
}

const ref = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'team-a',
  name: 'chat',
};

type Status = {
  updatedReplicas?: number;
  readyReplicas?: number;
  replicas?: number;
  conditions?: Array<{ type: string; reason?: string }>;
};
const statusOf = (o?: KubeObject) => (o?.status ?? {}) as Status;
const progressing = (o?: KubeObject) =>
  statusOf(o).conditions?.find(c => c.type === 'Progressing')?.reason;

const l4 = (name: string, gpus: string) => ({
  name,
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
  allocatable: { 'nvidia.com/gpu': gpus },
});

beforeAll(() => {
  loadClientNode();
}, 60_000);

describe('simulated rolling update', () => {
  let server: FakeKubeApiServer;

  afterEach(async () => {
    await server?.close();
  });

  async function start(nodes: Array<ReturnType<typeof l4>>, extra = {}) {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 10,
      nodes,
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
      ...extra,
    });
  }

  async function rollOut(object: KubeObject) {
    await applyObject(server, object, { manager: 'test', force: true });
  }

  async function settled(image: string) {
    return server.waitForObject(
      ref,
      o =>
        progressing(o) === 'NewReplicaSetAvailable' &&
        (o?.status as { observedGeneration?: number }).observedGeneration ===
          o?.metadata.generation &&
        JSON.stringify(o?.spec).includes(image),
    );
  }

  it('with maxSurge 1 and maxUnavailable 0 starts the new pod before the old goes: a one-replica Deployment always has a ready pod', async () => {
    await start([l4('n1', '2')]);
    const base = { replicas: 1, maxSurge: 1, maxUnavailable: 0 };
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const before = server.podHistory('team-a', 'chat').length;
    await rollOut(deployment({ ...base, image: 'vllm:b' }));
    await settled('vllm:b');
    const during = server.podHistory('team-a', 'chat').slice(before);
    expect(during.length).toBeGreaterThan(1);
    expect(Math.min(...during.map(c => c.ready))).toBe(1);
    // Bounded by maxSurge: never more than replicas + 1 pods.
    expect(Math.max(...during.map(c => c.pods))).toBe(2);
    expect(during.at(-1)).toMatchObject({
      pods: 1,
      ready: 1,
      updated: 1,
      updatedReady: 1,
    });
  });

  it('replaces several replicas one surge pod at a time', async () => {
    await start([l4('n1', '4'), l4('n2', '4')]);
    const base = { replicas: 3, maxSurge: 1, maxUnavailable: 0 };
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const before = server.podHistory('team-a', 'chat').length;
    await rollOut(deployment({ ...base, image: 'vllm:b' }));
    await settled('vllm:b');
    const during = server.podHistory('team-a', 'chat').slice(before);
    expect(Math.max(...during.map(c => c.pods))).toBe(4);
    expect(Math.min(...during.map(c => c.ready))).toBe(3);
  });

  it('with maxSurge 0 and maxUnavailable 1 takes the old pod down first (downtime for one replica)', async () => {
    await start([l4('n1', '1')]);
    const base = { replicas: 1, maxSurge: 0, maxUnavailable: 1 };
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const before = server.podHistory('team-a', 'chat').length;
    await rollOut(deployment({ ...base, image: 'vllm:b' }));
    await settled('vllm:b');
    const during = server.podHistory('team-a', 'chat').slice(before);
    expect(Math.min(...during.map(c => c.ready))).toBe(0);
    expect(Math.max(...during.map(c => c.pods))).toBe(1);
  });

  it('keeps the old pod serving when the node has no GPU for the surge pod, until the progress deadline', async () => {
    await start([l4('n1', '1')], { progressDeadlineMs: 300 });
    const base = { replicas: 1, maxSurge: 1, maxUnavailable: 0 };
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const before = server.podHistory('team-a', 'chat').length;
    await rollOut(deployment({ ...base, image: 'vllm:b' }));
    const stuck = await server.waitForObject(
      ref,
      o => progressing(o) === 'ProgressDeadlineExceeded',
    );
    expect(statusOf(stuck)).toMatchObject({ readyReplicas: 1, replicas: 2 });
    const pods = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
    });
    const pending = pods.find(
      p => (p.status as { phase?: string }).phase === 'Pending',
    );
    expect(
      (pending?.status as { conditions?: Array<{ message?: string }> })
        .conditions?.[0]?.message,
    ).toBe('0/1 nodes are available: 1 Insufficient nvidia.com/gpu.');
    const during = server.podHistory('team-a', 'chat').slice(before);
    expect(during.map(c => c.ready)).toEqual(during.map(() => 1));
  });

  it('ends a rollout whose pods never become ready at the progress deadline, the old pod still serving', async () => {
    await start([l4('n1', '2')], {
      progressDeadlineMs: 300,
      hangingImages: ['vllm:never-ready'],
    });
    const base = { replicas: 1, maxSurge: 1, maxUnavailable: 0 };
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const before = server.podHistory('team-a', 'chat').length;
    await rollOut(deployment({ ...base, image: 'vllm:never-ready' }));
    const stuck = await server.waitForObject(
      ref,
      o => progressing(o) === 'ProgressDeadlineExceeded',
    );
    expect(statusOf(stuck)).toMatchObject({
      readyReplicas: 1,
      updatedReplicas: 1,
    });
    const during = server.podHistory('team-a', 'chat').slice(before);
    expect(Math.min(...during.map(c => c.ready))).toBe(1);
    const events = server.listObjects({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: 'team-a',
      fieldSelector: 'reason=Unhealthy',
    });
    expect(events[0]?.message).toMatch(/^Readiness probe failed: /);
  });

  it('rolls back onto the old ReplicaSet, removing the failing pods, without a moment of zero ready pods', async () => {
    await start([l4('n1', '2')], { crashingImages: ['vllm:crash'] });
    const base = { replicas: 1, maxSurge: 1, maxUnavailable: 0 };
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const before = server.podHistory('team-a', 'chat').length;
    await rollOut(deployment({ ...base, image: 'vllm:crash' }));
    await server.waitForObject(
      ref,
      o => statusOf(o).replicas === 2 && statusOf(o).updatedReplicas === 1,
    );
    await rollOut(deployment({ ...base, image: 'vllm:a' }));
    await settled('vllm:a');
    const during = server.podHistory('team-a', 'chat').slice(before);
    expect(Math.min(...during.map(c => c.ready))).toBe(1);
    expect(during.at(-1)).toMatchObject({ pods: 1, ready: 1 });
  });
});

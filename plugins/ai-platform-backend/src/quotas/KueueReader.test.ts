import {
  type FakeKubeApiServer,
  type KubeObject,
  kueueGroup,
  type KueueVersion,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import { toKueueClusterQueue } from '@internal/plugin-ai-platform-node';
import v1beta1Queue from './__fixtures__/clusterqueue-h100-inference.v1beta1.json';
import v1beta2Queue from './__fixtures__/clusterqueue-h100-inference.v1beta2.json';
import { KueueReader, summarizeClusterQueue } from './KueueReader';

// client-node 1.x (which KueueReader loads on first use) is a large ESM
// package: its first load can take seconds on a cold Jest cache. Load it
// once here, with room for that, instead of inside one test's 5 s budget.
beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@kubernetes/client-node');
}, 60_000);

/** The same ClusterQueue as each Kueue API version serves it (own field names). */
const recorded: Record<KueueVersion, KubeObject> = {
  v1beta2: v1beta2Queue,
  v1beta1: v1beta1Queue,
};

const versions: KueueVersion[] = ['v1beta2', 'v1beta1'];

describe('summarizeClusterQueue', () => {
  it.each(versions)(
    'reads the GPU quota, usage, reservation and cohort of the pool flavor from %s',
    version => {
      expect(
        summarizeClusterQueue(toKueueClusterQueue(version, recorded[version]), {
          resource: 'nvidia.com/gpu',
          flavor: 'h100-80gb',
        }),
      ).toEqual({
        apiVersion: `kueue.x-k8s.io/${version}`,
        clusterQueue: 'h100-inference',
        cohort: 'inference',
        flavor: 'h100-80gb',
        resource: 'nvidia.com/gpu',
        nominalQuota: 32,
        borrowingLimit: 8,
        used: 14,
        reserved: 14,
        admittedWorkloads: 5,
        pendingWorkloads: 1,
        active: true,
      });
    },
  );

  it('has no numbers for a resource the queue does not cover', () => {
    expect(
      summarizeClusterQueue(toKueueClusterQueue('v1beta2', v1beta2Queue), {
        resource: 'nvidia.com/mig-3g.20gb',
      }),
    ).toMatchObject({ nominalQuota: undefined, used: undefined });
  });
});

describe('KueueReader', () => {
  let server: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const read = (clusterQueue = 'h100-inference') =>
    new KueueReader().read({
      cluster: server!.clusterConfig('gpu-us-east'),
      clusterQueue,
      resource: 'nvidia.com/gpu',
      flavor: 'h100-80gb',
    });

  it.each(versions)(
    'finds through discovery that the cluster serves %s and reads the queue in its field names, with the service account token',
    async version => {
      server = await startFakeKubeApiServer({
        token: 'sa-token-123',
        groups: [kueueGroup(version)],
        seed: [recorded[version]],
      });
      expect(await read()).toMatchObject({
        apiVersion: `kueue.x-k8s.io/${version}`,
        cohort: 'inference',
        nominalQuota: 32,
        used: 14,
      });
      expect(server.requests.map(r => [r.path, r.status])).toEqual([
        ...(version === 'v1beta1'
          ? [['/apis/kueue.x-k8s.io/v1beta2', 404]]
          : []),
        [`/apis/kueue.x-k8s.io/${version}`, 200],
        [`/apis/kueue.x-k8s.io/${version}/clusterqueues/h100-inference`, 200],
      ]);
      await expect(read('missing')).rejects.toThrow();
    },
  );

  it('prefers v1beta2 where the cluster serves both (Kueue v0.15 to v0.19)', async () => {
    server = await startFakeKubeApiServer({
      groups: ['kueue', 'kueue-v1beta1'],
      seed: [v1beta2Queue],
    });
    expect(await read()).toMatchObject({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      cohort: 'inference',
    });
    expect(server.requests.map(r => r.path)).not.toContain(
      '/apis/kueue.x-k8s.io/v1beta1',
    );
  });

  it('says so when the cluster serves no Kueue version it knows', async () => {
    server = await startFakeKubeApiServer();
    await expect(read()).rejects.toThrow(
      'the cluster serves neither kueue.x-k8s.io/v1beta2 nor kueue.x-k8s.io/v1beta1; is Kueue installed?',
    );
  });
});

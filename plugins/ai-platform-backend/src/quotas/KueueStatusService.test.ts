import { ConfigReader } from '@backstage/config';
import {
  type FakeKubeApiServer,
  kueueClusterQueue,
  kueueGroup,
  type KueueVersion,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import { KueueStatusService } from './KueueStatusService';
import type { FleetSnapshot } from '../fleet/FleetSource';
import { KueueReader } from './KueueReader';

const fleet: FleetSnapshot = {
  pools: [
    {
      ref: 'gpupool:default/h100',
      title: 'H100',
      cluster: 'gpu-us-east',
      capacity: 32,
      product: 'NVIDIA-H100-80GB-HBM3',
      baselines: new Map(),
      resourceName: 'nvidia.com/gpu',
      kueue: { clusterQueue: 'h100-inference', resourceFlavor: 'h100-80gb' },
    },
  ],
  endpoints: [],
};

const config = new ConfigReader({
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'gpu-us-east',
            url: 'https://10.1.0.1:6443',
            authProvider: 'serviceAccount',
            serviceAccountToken: 't',
          },
        ],
      },
    ],
  },
});

describe('KueueStatusService', () => {
  it('reads the queue of the pool from its configured cluster', async () => {
    const read = jest.fn(async () => ({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      clusterQueue: 'h100-inference',
      resource: 'nvidia.com/gpu',
      nominalQuota: 32,
      used: 14,
    }));
    const service = new KueueStatusService({
      config,
      fleet: { snapshot: async () => fleet },
      reader: { read } as unknown as KueueReader,
    });
    expect(await service.poolStatus('gpupool:default/h100')).toEqual({
      pool: 'gpupool:default/h100',
      cluster: 'gpu-us-east',
      available: true,
      queue: {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        clusterQueue: 'h100-inference',
        resource: 'nvidia.com/gpu',
        nominalQuota: 32,
        used: 14,
      },
    });
    expect(read).toHaveBeenCalledWith(
      expect.objectContaining({
        clusterQueue: 'h100-inference',
        resource: 'nvidia.com/gpu',
        flavor: 'h100-80gb',
        cluster: expect.objectContaining({ url: 'https://10.1.0.1:6443' }),
      }),
    );
  });

  it('says why when the cluster does not answer', async () => {
    const service = new KueueStatusService({
      config,
      fleet: { snapshot: async () => fleet },
      reader: {
        read: async () => {
          throw new Error('connect ECONNREFUSED 10.1.0.1:6443');
        },
      } as unknown as KueueReader,
    });
    expect(await service.poolStatus('gpupool:default/h100')).toMatchObject({
      available: false,
      reason:
        'ClusterQueue h100-inference could not be read from cluster gpu-us-east: connect ECONNREFUSED 10.1.0.1:6443',
    });
  });

  describe.each<KueueVersion>(['v1beta2', 'v1beta1'])(
    'against a cluster serving Kueue %s',
    version => {
      let server: FakeKubeApiServer;
      beforeAll(() => {
        // client-node 1.x is a large ESM package; load it once, with time.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@kubernetes/client-node');
      }, 60_000);
      beforeEach(async () => {
        server = await startFakeKubeApiServer({
          token: 'sa-token',
          groups: [kueueGroup(version)],
          seed: [
            kueueClusterQueue(version, {
              name: 'h100-inference',
              cohort: 'inference',
              resourceGroups: [
                {
                  coveredResources: ['nvidia.com/gpu'],
                  flavors: [
                    {
                      name: 'h100-80gb',
                      resources: [
                        {
                          name: 'nvidia.com/gpu',
                          nominalQuota: '32',
                          borrowingLimit: '8',
                        },
                      ],
                    },
                  ],
                },
              ],
              status: {
                admittedWorkloads: 3,
                pendingWorkloads: 2,
                flavorsUsage: [
                  {
                    name: 'h100-80gb',
                    resources: [{ name: 'nvidia.com/gpu', total: '12' }],
                  },
                ],
                active: true,
              },
            }),
          ],
        });
      });
      afterEach(() => server.close());

      it('answers with the version the cluster served and its cohort', async () => {
        const service = new KueueStatusService({
          config: new ConfigReader(server.backstageConfig('gpu-us-east')),
          fleet: { snapshot: async () => fleet },
          reader: new KueueReader(),
        });
        expect(await service.poolStatus('gpupool:default/h100')).toEqual({
          pool: 'gpupool:default/h100',
          cluster: 'gpu-us-east',
          available: true,
          queue: {
            apiVersion: `kueue.x-k8s.io/${version}`,
            clusterQueue: 'h100-inference',
            cohort: 'inference',
            flavor: 'h100-80gb',
            resource: 'nvidia.com/gpu',
            nominalQuota: 32,
            borrowingLimit: 8,
            used: 12,
            admittedWorkloads: 3,
            pendingWorkloads: 2,
            active: true,
          },
        });
      });

      it('says why when Kueue is not installed', async () => {
        server.uninstallGroup(kueueGroup(version));
        const service = new KueueStatusService({
          config: new ConfigReader(server.backstageConfig('gpu-us-east')),
          fleet: { snapshot: async () => fleet },
        });
        expect(await service.poolStatus('gpupool:default/h100')).toEqual({
          pool: 'gpupool:default/h100',
          cluster: 'gpu-us-east',
          available: false,
          reason:
            'ClusterQueue h100-inference could not be read from cluster gpu-us-east: the cluster serves neither kueue.x-k8s.io/v1beta2 nor kueue.x-k8s.io/v1beta1; is Kueue installed?',
        });
      });
    },
  );
});

import { ConfigReader } from '@backstage/config';
import { KueueStatusService } from './KueueStatusService';
import type { FleetSnapshot } from './FleetSource';
import type { KueueReader } from './KueueReader';

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
});

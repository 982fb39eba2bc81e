import {
  discoverKueueApiVersion,
  toKueueClusterQueue,
  toKueueLocalQueue,
  toKueueResourceFlavor,
} from './kueueApi';

const notFound = Object.assign(new Error('HTTP-Code: 404'), { code: 404 });

describe('discoverKueueApiVersion', () => {
  it('prefers v1beta2, falls back to v1beta1, and is undefined without Kueue', async () => {
    const served = (versions: string[]) => {
      const asked: string[] = [];
      const probe = async (gv: { group: string; version: string }) => {
        asked.push(`${gv.group}/${gv.version}`);
        if (!versions.includes(gv.version)) throw notFound;
        return { resources: [] };
      };
      return { asked, probe };
    };
    const both = served(['v1beta1', 'v1beta2']);
    expect(await discoverKueueApiVersion(both.probe)).toBe('v1beta2');
    expect(both.asked).toEqual(['kueue.x-k8s.io/v1beta2']);

    const old = served(['v1beta1']);
    expect(await discoverKueueApiVersion(old.probe)).toBe('v1beta1');
    expect(old.asked).toEqual([
      'kueue.x-k8s.io/v1beta2',
      'kueue.x-k8s.io/v1beta1',
    ]);

    expect(await discoverKueueApiVersion(served([]).probe)).toBeUndefined();
  });

  it('passes on errors other than 404', async () => {
    await expect(
      discoverKueueApiVersion(async () => {
        throw Object.assign(new Error('Forbidden'), { code: 403 });
      }),
    ).rejects.toThrow('Forbidden');
  });
});

describe('the version mappers', () => {
  const resourceGroups = [
    {
      coveredResources: ['cpu', 'nvidia.com/gpu'],
      flavors: [
        {
          name: 'h100',
          resources: [
            { name: 'cpu', nominalQuota: '768' },
            { name: 'nvidia.com/gpu', nominalQuota: 32, borrowingLimit: '8' },
          ],
        },
      ],
    },
  ];
  const status = {
    admittedWorkloads: 5,
    pendingWorkloads: 1,
    flavorsUsage: [
      { name: 'h100', resources: [{ name: 'nvidia.com/gpu', total: '14' }] },
    ],
    conditions: [{ type: 'Active', status: 'True' }],
  };
  const expected = {
    name: 'h100-inference',
    cohort: 'inference',
    flavors: [
      {
        flavor: 'h100',
        resources: [
          { name: 'cpu', nominalQuota: '768' },
          { name: 'nvidia.com/gpu', nominalQuota: '32', borrowingLimit: '8' },
        ],
      },
    ],
    usage: [
      { flavor: 'h100', resources: [{ name: 'nvidia.com/gpu', total: '14' }] },
    ],
    reservation: [],
    admittedWorkloads: 5,
    pendingWorkloads: 1,
    active: true,
  };

  it('reads a ClusterQueue cohort from each version’s own field', () => {
    expect(
      toKueueClusterQueue('v1beta2', {
        metadata: { name: 'h100-inference' },
        spec: { cohortName: 'inference', resourceGroups },
        status,
      }),
    ).toEqual({ ...expected, apiVersion: 'kueue.x-k8s.io/v1beta2' });
    expect(
      toKueueClusterQueue('v1beta1', {
        metadata: { name: 'h100-inference' },
        spec: { cohort: 'inference', resourceGroups },
        status,
      }),
    ).toEqual({ ...expected, apiVersion: 'kueue.x-k8s.io/v1beta1' });
    // The other version's name is not read: a v1beta2 object has no cohort.
    expect(
      toKueueClusterQueue('v1beta2', {
        metadata: { name: 'q' },
        spec: { cohort: 'inference' },
      }).cohort,
    ).toBeUndefined();
  });

  it('reads a LocalQueue usage from each version’s own field', () => {
    const usage = [
      { name: 'h100', resources: [{ name: 'nvidia.com/gpu', total: '2' }] },
    ];
    const metadata = { name: 'gpu', namespace: 'team-a' };
    const spec = { clusterQueue: 'h100-inference' };
    const read = {
      namespace: 'team-a',
      name: 'gpu',
      clusterQueue: 'h100-inference',
      usage: [
        { flavor: 'h100', resources: [{ name: 'nvidia.com/gpu', total: '2' }] },
      ],
    };
    expect(
      toKueueLocalQueue('v1beta2', {
        metadata,
        spec,
        status: { flavorsUsage: usage },
      }),
    ).toMatchObject(read);
    expect(
      toKueueLocalQueue('v1beta1', {
        metadata,
        spec,
        status: { flavorUsage: usage },
      }),
    ).toMatchObject(read);
  });

  it('reads a ResourceFlavor’s node labels', () => {
    expect(
      toKueueResourceFlavor('v1beta2', {
        metadata: { name: 'h100' },
        spec: { nodeLabels: { 'nvidia.com/gpu.product': 'H100' } },
      }),
    ).toEqual({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      name: 'h100',
      nodeLabels: { 'nvidia.com/gpu.product': 'H100' },
    });
  });
});

import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from './FakeKubeApiServer';
import {
  kueueClusterQueue,
  kueueGroup,
  kueueLocalQueue,
  kueueResourceFlavor,
  type KueueVersion,
} from './kueue';
import type { KubeObject } from './types';
import { clientsFor } from './__testUtils__/clients';

jest.setTimeout(30_000);

const queue = {
  name: 'h100-inference',
  cohort: 'inference',
  resourceGroups: [
    {
      coveredResources: ['nvidia.com/gpu'],
      flavors: [
        {
          name: 'h100',
          resources: [
            { name: 'nvidia.com/gpu', nominalQuota: '32', borrowingLimit: '8' },
          ],
        },
      ],
    },
  ],
  status: {
    admittedWorkloads: 5,
    flavorsUsage: [
      { name: 'h100', resources: [{ name: 'nvidia.com/gpu', total: '14' }] },
    ],
    active: true,
  },
};

const localQueue = {
  namespace: 'team-a',
  name: 'gpu',
  clusterQueue: 'h100-inference',
  status: {
    flavorsUsage: [
      { name: 'h100', resources: [{ name: 'nvidia.com/gpu', total: '2' }] },
    ],
  },
};

describe('Kueue in the fake', () => {
  let server: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  // Field names of each version: apis/kueue/v1beta2/*_types.go, and the
  // renames in apis/kueue/v1beta1/*_conversion.go.
  const cases: Array<{
    version: KueueVersion;
    other: KueueVersion;
    spec: object;
    localStatus: object;
  }> = [
    {
      version: 'v1beta2',
      other: 'v1beta1',
      spec: { cohortName: 'inference' },
      localStatus: { flavorsUsage: localQueue.status.flavorsUsage },
    },
    {
      version: 'v1beta1',
      other: 'v1beta2',
      spec: { cohort: 'inference' },
      localStatus: { flavorUsage: localQueue.status.flavorsUsage },
    },
  ];

  it.each(cases)(
    'serves $version alone, with its own field names',
    async ({ version, other, spec, localStatus }) => {
      server = await startFakeKubeApiServer({
        groups: [kueueGroup(version)],
        seed: [
          kueueResourceFlavor(version, {
            name: 'h100',
            nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
          }),
          kueueClusterQueue(version, queue),
          kueueLocalQueue(version, localQueue),
        ],
      });
      const { custom } = clientsFor(server);

      // Discovery names the one version, as the real group does.
      const group = (await fetch(`${server.url}/apis/kueue.x-k8s.io`).then(r =>
        r.json(),
      )) as { versions: Array<{ version: string }>; preferredVersion: object };
      expect(group.versions.map(v => v.version)).toEqual([version]);
      expect(
        (await fetch(`${server.url}/apis/kueue.x-k8s.io/${other}`)).status,
      ).toBe(404);

      const cq = (await custom.getClusterCustomObject({
        group: 'kueue.x-k8s.io',
        version,
        plural: 'clusterqueues',
        name: 'h100-inference',
      })) as KubeObject;
      expect(cq.apiVersion).toBe(`kueue.x-k8s.io/${version}`);
      expect(cq.spec).toMatchObject(spec);
      expect(Object.keys(cq.spec as object)).not.toContain(
        version === 'v1beta2' ? 'cohort' : 'cohortName',
      );
      expect(cq.status).toMatchObject({
        admittedWorkloads: 5,
        conditions: [
          expect.objectContaining({ type: 'Active', status: 'True' }),
        ],
      });

      const lqs = (await custom.listClusterCustomObject({
        group: 'kueue.x-k8s.io',
        version,
        plural: 'localqueues',
      })) as { items: KubeObject[] };
      expect(lqs.items).toEqual([
        expect.objectContaining({
          apiVersion: `kueue.x-k8s.io/${version}`,
          spec: { clusterQueue: 'h100-inference' },
          status: localStatus,
        }),
      ]);
      const error = await custom
        .listClusterCustomObject({
          group: 'kueue.x-k8s.io',
          version: other,
          plural: 'clusterqueues',
        })
        .catch(e => e);
      expect(error.code).toBe(404);
    },
  );

  it('serves both versions, v1beta2 preferred, when both are installed (Kueue v0.15 to v0.19)', async () => {
    server = await startFakeKubeApiServer({
      groups: ['kueue-v1beta1', 'kueue'],
    });
    const group = (await fetch(`${server.url}/apis/kueue.x-k8s.io`).then(r =>
      r.json(),
    )) as {
      versions: Array<{ version: string }>;
      preferredVersion: { version: string };
    };
    expect(group.versions.map(v => v.version)).toEqual(['v1beta2', 'v1beta1']);
    expect(group.preferredVersion.version).toBe('v1beta2');
  });
});

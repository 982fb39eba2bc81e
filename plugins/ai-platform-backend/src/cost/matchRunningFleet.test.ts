import type { FleetSnapshot } from '../fleet/FleetSource';
import type { ObservedPod, ObservedWorkload } from './clusterObservation';
import { matchRunningFleet, type ClusterView } from './matchRunningFleet';

const TEAM = 'group:default/team-a';
const fleet: FleetSnapshot = {
  pools: [
    {
      ref: 'gpupool:default/l4',
      title: 'L4',
      cluster: 'c1',
      capacity: 8,
      product: 'L4',
      baselines: new Map(),
      price: { amount: 1, currency: 'USD' },
      resourceName: 'nvidia.com/gpu',
    },
  ],
  endpoints: ['a', 'b', 'bare', 'zero', 'renamed', 'nons'].map(name => ({
    ref: `inferenceendpoint:default/${name}`,
    title: name,
    teamRef: TEAM,
    poolRef: 'gpupool:default/l4',
    modelRef: 'model:default/m',
    modelVersion: 'v1',
    gpusNeeded: 1,
    gpusRequested: 1,
    ...(name === 'nons' ? {} : { namespace: 'ns' }),
    kubernetesId: name,
  })),
};

const pod = (
  name: string,
  kubernetesId: string,
  extra: Partial<ObservedPod> = {},
): ObservedPod => ({
  namespace: 'ns',
  name,
  kubernetesId,
  nodeName: 'n1',
  phase: 'Running',
  requests: { 'nvidia.com/gpu': 1, 'nvidia.com/mig-1g.10gb': 5 },
  since: 0,
  ...extra,
});

const view = (
  workloads: ObservedWorkload[],
  pods: ObservedPod[],
): Map<string, ClusterView> =>
  new Map([
    [
      'c1',
      {
        cluster: 'c1',
        basis: 'cluster-state',
        observation: { cluster: 'c1', observedAt: 100, workloads, pods },
      },
    ],
  ]);

describe('matchRunningFleet', () => {
  it('counts only the pool resource of bound, non-terminated pods, and tells pending from declared', () => {
    const { endpoints } = matchRunningFleet({
      fleet,
      clusters: view(
        [
          { namespace: 'ns', name: 'a', kubernetesId: 'a', owner: TEAM },
          { namespace: 'ns', name: 'b', kubernetesId: 'b', owner: TEAM },
          { namespace: 'ns', name: 'zero', kubernetesId: 'zero' },
        ],
        [
          pod('a-1', 'a', { workload: 'a' }),
          pod('a-2', 'a', { workload: 'a', phase: 'Succeeded', until: 50 }),
          pod('b-1', 'b', {
            workload: 'b',
            nodeName: undefined,
            phase: 'Pending',
          }),
          // A bare pod with the kubernetes-id: outside the portal.
          pod('bare-1', 'bare'),
        ],
      ),
    });
    const by = (name: string) =>
      endpoints.find(e => e.endpoint.ref.endsWith(`/${name}`))!;
    expect(by('a')).toMatchObject({
      state: 'running',
      origin: 'portal',
      gpus: 1,
    });
    expect(by('b')).toMatchObject({ state: 'pending', gpus: 0 });
    expect(by('bare')).toMatchObject({
      state: 'running',
      origin: 'outside-portal',
      gpus: 1,
    });
    // A Deployment scaled to zero, deployed by hand: nothing runs, still marked.
    expect(by('zero')).toMatchObject({
      state: 'declared-not-running',
      origin: 'outside-portal',
    });
    expect(by('nons')).toMatchObject({
      state: 'declared-not-running',
      reason: 'it has no spec.namespace: nothing of it can run',
    });
  });

  it('reports a workload naming another endpoint as a foreign claim, even of the same owner', () => {
    const { endpoints, foreign, unmatched } = matchRunningFleet({
      fleet,
      clusters: view(
        [
          {
            namespace: 'ns',
            name: 'renamed',
            kubernetesId: 'renamed',
            owner: TEAM,
            endpoint: 'inferenceendpoint:default/a',
          },
          { namespace: 'ns', name: 'x', kubernetesId: 'nobody', owner: TEAM },
        ],
        [
          pod('renamed-1', 'renamed', { workload: 'renamed' }),
          pod('x-1', 'nobody', { workload: 'x' }),
        ],
      ),
    });
    expect(
      endpoints.find(e => e.endpoint.ref.endsWith('/renamed')),
    ).toMatchObject({ state: 'declared-not-running', gpus: 0 });
    expect(foreign).toEqual([
      expect.objectContaining({
        endpointRef: 'inferenceendpoint:default/renamed',
        claimedEndpoint: 'inferenceendpoint:default/a',
        claimedOwner: TEAM,
        // Unknown pool: every nvidia.com resource it asks for.
        gpus: 6,
      }),
    ]);
    expect(unmatched).toEqual([
      expect.objectContaining({ workload: 'x', owner: TEAM, gpus: 6 }),
    ]);
  });

  it("bills the pods of an Argo Rollout, which carry only their template's endpoint annotation, to the endpoint", () => {
    const { endpoints, foreign } = matchRunningFleet({
      fleet,
      clusters: view(
        [],
        [
          // A Rollout's pod: its ReplicaSet belongs to no Deployment.
          pod('a-7d9f-x1', 'a', { endpoint: 'inferenceendpoint:default/a' }),
        ],
      ),
    });
    expect(foreign).toEqual([]);
    expect(endpoints.find(e => e.endpoint.ref.endsWith('/a'))).toMatchObject({
      gpus: 1,
      pods: [expect.objectContaining({ name: 'a-7d9f-x1' })],
    });
  });

  it('leaves endpoints of a cluster never read unknown, with the reason', () => {
    const { endpoints } = matchRunningFleet({
      fleet,
      clusters: new Map([
        ['c1', { cluster: 'c1', basis: 'none', failure: 'not configured' }],
      ]),
    });
    expect(endpoints.every(e => e.state === 'unknown')).toBe(true);
    expect(endpoints[0]).toMatchObject({
      basis: 'none',
      reason: 'not configured',
    });
  });
});

import { predictSplits, replicaSplit } from './predictSplit';

describe('the split replicas really give', () => {
  it('picks the replica counts closest to the weight, with a canary and a stable pod below 100 %', () => {
    expect(replicaSplit(1, 10)).toEqual({ stable: 1, canary: 1 });
    expect(replicaSplit(2, 10)).toEqual({ stable: 2, canary: 1 });
    expect(replicaSplit(10, 10)).toEqual({ stable: 9, canary: 1 });
    expect(replicaSplit(4, 50)).toEqual({ stable: 2, canary: 2 });
    expect(replicaSplit(3, 100)).toEqual({ stable: 0, canary: 3 });
  });

  it('says when a replica-count split is not the weight asked, and keeps route weights exact', () => {
    const steps = [{ weight: 10 }, { weight: 50 }, { weight: 100 }];
    const argo = predictSplits({
      engine: 'argo-rollouts',
      settings: { argoTrafficRouting: 'none' },
      replicas: 1,
      steps,
    });
    expect(argo.map(s => s.actualCanaryPercent)).toEqual([50, 50, 100]);
    expect(argo[0]).toMatchObject({
      basis: 'replica-count',
      note: expect.stringMatching(/with 1 replica a 10 % step is 50 %/),
    });
    expect(argo[1].note).toBeUndefined();
    const routed = predictSplits({
      engine: 'argo-rollouts',
      settings: {
        argoTrafficRouting: 'gateway-api',
        gateway: { name: 'public' },
      },
      replicas: 1,
      steps,
    });
    expect(routed.map(s => [s.basis, s.actualCanaryPercent])).toEqual([
      ['route-weights', 10],
      ['route-weights', 50],
      ['route-weights', 100],
    ]);
    const gateway = predictSplits({
      engine: 'gateway-api',
      settings: { argoTrafficRouting: 'none', gateway: { name: 'public' } },
      replicas: 4,
      steps,
    });
    expect(gateway[0]).toMatchObject({
      actualCanaryPercent: 10,
      canaryReplicas: 1,
      stableReplicas: 4,
    });
  });
});

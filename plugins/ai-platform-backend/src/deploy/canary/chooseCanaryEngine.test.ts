import { ConfigReader } from '@backstage/config';
import { readCanarySettings } from '../targets/canarySettings';
import { chooseCanaryEngine } from './chooseCanaryEngine';

function client(groups: Record<string, string[]>) {
  return {
    apiGroups: async () =>
      Object.keys(groups).map(g => ({
        name: g.split('/')[0],
        versions: [g.split('/')[1]],
      })),
    apiKinds: async (group: string, version: string) =>
      groups[`${group}/${version}`] ?? [],
  };
}

const gateway = {
  argoTrafficRouting: 'none' as const,
  gateway: { name: 'public' },
};

describe('chooseCanaryEngine', () => {
  it('chooses Argo Rollouts where argoproj.io serves Rollout', async () => {
    const choice = await chooseCanaryEngine({
      client: client({
        'argoproj.io/v1alpha1': ['Rollout', 'AnalysisTemplate'],
        'gateway.networking.k8s.io/v1': ['HTTPRoute'],
      }),
      cluster: 'c1',
      settings: gateway,
    });
    expect(choice).toMatchObject({ ok: true, engine: 'argo-rollouts' });
  });

  it('does not take Argo CD (argoproj.io Application) for Argo Rollouts', async () => {
    const choice = await chooseCanaryEngine({
      client: client({
        'argoproj.io/v1alpha1': ['Application', 'AppProject'],
        'gateway.networking.k8s.io/v1': ['HTTPRoute', 'Gateway'],
      }),
      cluster: 'c1',
      settings: gateway,
    });
    expect(choice).toMatchObject({ ok: true, engine: 'gateway-api' });
  });

  it('needs the Gateway configured for gateway-api, saying which key', async () => {
    const choice = await chooseCanaryEngine({
      client: client({ 'gateway.networking.k8s.io/v1': ['HTTPRoute'] }),
      cluster: 'c1',
      settings: { argoTrafficRouting: 'none' },
    });
    expect(choice).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /set aiPlatform\.deploy\.clusters\.c1\.canary\.gateway\.name/,
      ),
    });
  });

  it('refuses a cluster with neither, naming what to install', async () => {
    const choice = await chooseCanaryEngine({
      client: client({}),
      cluster: 'c1',
      settings: gateway,
    });
    expect(choice).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /install Argo Rollouts, or a Gateway API implementation/,
      ),
    });
  });
});

describe('readCanarySettings', () => {
  const read = (canary: object) =>
    readCanarySettings(new ConfigReader({ clusters: { c1: { canary } } }));

  it('reads the gateway and the Argo traffic routing', () => {
    expect(
      read({
        gateway: {
          name: 'public',
          namespace: 'gateways',
          sectionName: 'https',
        },
        argoTrafficRouting: 'gateway-api',
      }),
    ).toEqual({
      c1: {
        argoTrafficRouting: 'gateway-api',
        gateway: {
          name: 'public',
          namespace: 'gateways',
          sectionName: 'https',
        },
      },
    });
    expect(read({})).toEqual({ c1: { argoTrafficRouting: 'none' } });
  });

  it('refuses bad values, naming the key', () => {
    expect(() => read({ argoTrafficRouting: 'istio' })).toThrow(
      /aiPlatform\.deploy\.clusters\.c1\.canary\.argoTrafficRouting must be one of none, gateway-api, not "istio"/,
    );
    expect(() => read({ argoTrafficRouting: 'gateway-api' })).toThrow(
      /needs aiPlatform\.deploy\.clusters\.c1\.canary\.gateway/,
    );
    expect(() => read({ gateway: { name: 'Public!' } })).toThrow(
      /canary\.gateway\.name must be a Kubernetes name/,
    );
  });
});

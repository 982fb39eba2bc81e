import { canaryRenderInput } from '../argoRollouts/__testUtils__/canaryPlans';
import { TEMPLATE_HASH_ANNOTATION } from '../argoRollouts/renderArgoCanary';
import { renderGatewayCanary } from './renderGatewayCanary';
import { succeededGatewayManifests } from './succeededManifests';

const gateway = { name: 'public', namespace: 'gateways' };

describe('succeededGatewayManifests', () => {
  const input = canaryRenderInput({
    resources: { gpusPerReplica: 1, replicas: 2 },
    settings: { argoTrafficRouting: 'none', gateway },
    steps: [{ weight: 10, pause: { approval: true } }, { weight: 100 }],
  });
  const recorded = renderGatewayCanary(input).manifests;
  const name = input.plan.manifests.find(m => m.kind === 'Deployment')!.metadata
    .name;
  const find = (manifests: typeof recorded, kind: string, n: string) =>
    manifests.find(m => m.kind === kind && m.metadata.name === n) as any;

  it('records the new version on the stable Deployment, the canary at 0 and the route all on stable', () => {
    const runs = succeededGatewayManifests(recorded);
    const next = input.plan.manifests.find(m => m.kind === 'Deployment')!;
    // The canary render kept the OLD template on the stable Deployment.
    expect(find(recorded, 'Deployment', name).spec.template).not.toEqual(
      next.spec!.template,
    );
    const stable = find(runs, 'Deployment', name);
    expect(stable.spec.template).toEqual(next.spec!.template);
    expect(stable.metadata.annotations[TEMPLATE_HASH_ANNOTATION]).toEqual(
      expect.any(String),
    );
    expect(find(runs, 'Deployment', `${name}-canary`).spec.replicas).toBe(0);
    const route = find(runs, 'HTTPRoute', name);
    expect(
      route.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]),
    ).toEqual([
      [name, 100],
      [`${name}-canary`, 0],
    ]);
    expect(route.metadata.annotations['ai-platform.io/canary-state']).toBe(
      'completed',
    );
    // Everything else as recorded, in the same order.
    expect(runs.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(
      recorded.map(m => `${m.kind}/${m.metadata.name}`),
    );
  });

  it('leaves objects that are not a gateway canary render alone', () => {
    expect(succeededGatewayManifests(input.plan.manifests)).toBe(
      input.plan.manifests,
    );
  });
});

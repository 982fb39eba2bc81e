import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { aiPlatformPermissionRules } from '@internal/plugin-ai-platform-node';
import { registerPermissionResources } from './registerPermissionResources';

describe('registerPermissionResources', () => {
  const registered: Array<{
    resourceRef: { resourceType: string };
    getResources: (refs: string[]) => Promise<any[]>;
  }> = [];
  registerPermissionResources({
    permissionsRegistry: mockServices.permissionsRegistry.mock({
      addResourceType: jest.fn(options => {
        registered.push(options as any);
      }),
    }),
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'ai-platform.io/v1alpha1',
          kind: 'Model',
          metadata: { name: 'ranker', namespace: 'ml' },
          spec: { owner: 'applied-ml' },
        },
        {
          apiVersion: 'ai-platform.io/v1alpha1',
          kind: 'InferenceEndpoint',
          metadata: { name: 'chat', namespace: 'default' },
          spec: {
            owner: 'group:default/applied-ml',
            gpuPool: 'l4-inference',
            namespace: 'chat',
          },
        },
        {
          apiVersion: 'ai-platform.io/v1alpha1',
          kind: 'GpuPool',
          metadata: { name: 'l4-inference', namespace: 'default' },
          spec: { cluster: 'gpu-eu-west' },
        },
      ],
    }),
    auth: mockServices.auth(),
    namespaceOwners: {
      ownership: async (cluster, namespace) =>
        cluster === 'gpu-eu-west' && namespace === 'chat'
          ? { owners: ['group:default/applied-ml'] }
          : {},
    },
  });
  const of = (type: string) =>
    registered.find(r => r.resourceRef.resourceType === type)!;

  it('registers the endpoint, model and team resource types', () => {
    expect(registered.map(r => r.resourceRef.resourceType).sort()).toEqual([
      'ai-platform-endpoint',
      'ai-platform-model',
      'ai-platform-team',
    ]);
  });

  it("reads a bare owner in the entity's own namespace, as the catalog does", async () => {
    const [model, missing] = await of('ai-platform-model').getResources([
      'model:ml/ranker',
      'model:default/nope',
    ]);
    expect(model).toEqual({
      entityRef: 'model:ml/ranker',
      owner: 'group:ml/applied-ml',
    });
    expect(missing).toBeUndefined();
    const rule = aiPlatformPermissionRules.model.isOwner;
    expect(
      rule.apply(model, {
        claims: ['user:default/bob', 'group:ml/applied-ml'],
      }),
    ).toBe(true);
    expect(rule.apply(model, { claims: ['group:default/applied-ml'] })).toBe(
      false,
    );

    const [endpoint] = await of('ai-platform-endpoint').getResources([
      'inferenceendpoint:default/chat',
    ]);
    expect(endpoint).toEqual({
      entityRef: 'inferenceendpoint:default/chat',
      owner: 'group:default/applied-ml',
      pool: 'gpupool:default/l4-inference',
      // Loaded for rule IS_IN_OWNED_NAMESPACE.
      namespace: {
        cluster: 'gpu-eu-west',
        name: 'chat',
        owners: ['group:default/applied-ml'],
      },
    });
    const inOwned = aiPlatformPermissionRules.endpoint.isInOwnedNamespace;
    expect(
      inOwned.apply(endpoint, { claims: ['group:default/applied-ml'] }),
    ).toBe(true);
    expect(
      inOwned.apply(endpoint, { claims: ['group:default/data-science'] }),
    ).toBe(false);
    const onPool = aiPlatformPermissionRules.endpoint.isOnPool;
    expect(onPool.apply(endpoint, { pools: ['l4-inference'] })).toBe(true);
    expect(
      onPool.apply(endpoint, { pools: ['gpupool:default/h100-inference'] }),
    ).toBe(false);
    expect(
      onPool.apply(
        { entityRef: endpoint.entityRef },
        { pools: ['l4-inference'] },
      ),
    ).toBe(false);
  });

  it('takes a team as the resource itself', async () => {
    expect(
      await of('ai-platform-team').getResources(['group:default/applied-ml']),
    ).toEqual([{ entityRef: 'group:default/applied-ml' }]);
  });
});

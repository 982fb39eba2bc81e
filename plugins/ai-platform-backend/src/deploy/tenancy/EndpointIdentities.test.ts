import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { loadExampleEntities } from '../../__testUtils__/exampleEntities';
import { EndpointIdentities } from './EndpointIdentities';

const entities = loadExampleEntities([
  'gpu-pools.yaml',
  'endpoints.yaml',
  'models.yaml',
]);

/** An endpoint in another catalog namespace that claims staging's Kubernetes name. */
const claimant: Entity = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'InferenceEndpoint',
  metadata: {
    name: 'copycat',
    namespace: 'team-x',
    annotations: { 'backstage.io/kubernetes-id': 'chat-assistant-staging' },
  },
  spec: {
    type: 'vllm',
    owner: 'group:default/data-science',
    lifecycle: 'experimental',
    model: 'model:default/llama-3-1-8b-instruct',
    modelVersion: 'v2',
    gpuPool: 'gpupool:default/l4-inference',
    namespace: 'chat-staging',
  },
};

describe('EndpointIdentities', () => {
  const identities = (extra: Entity[] = []) =>
    new EndpointIdentities({
      catalog: catalogServiceMock({ entities: [...entities, ...extra] }),
      auth: mockServices.auth(),
    });

  it('finds the catalog endpoints that deploy under a name into a namespace of a cluster', async () => {
    expect(
      await identities([claimant]).endpointsNamed({
        cluster: 'gpu-eu-west',
        namespace: 'chat-staging',
        name: 'chat-assistant-staging',
      }),
    ).toEqual([
      {
        endpointRef: 'inferenceendpoint:default/chat-assistant-staging',
        owner: 'group:default/applied-ml',
      },
      {
        endpointRef: 'inferenceendpoint:team-x/copycat',
        owner: 'group:default/data-science',
      },
    ]);
  });

  it('leaves out other clusters, namespaces and names', async () => {
    const found = identities([claimant]);
    expect(
      await found.endpointsNamed({
        cluster: 'gpu-us-east',
        namespace: 'chat-staging',
        name: 'chat-assistant-staging',
      }),
    ).toEqual([]);
    expect(
      await found.endpointsNamed({
        cluster: 'gpu-eu-west',
        namespace: 'chat',
        name: 'chat-assistant-staging',
      }),
    ).toEqual([]);
    expect(
      await found.endpointsNamed({
        cluster: 'gpu-eu-west',
        namespace: 'chat-staging',
        name: 'other',
      }),
    ).toEqual([]);
  });
});

import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EXAMPLE_ENTITIES, STAGING } from './__testUtils__/fakeRun';
import {
  canonicalEndpointRef,
  endpointRefOf,
  resolveEndpoint,
} from './resolveEndpoint';

const resolve = (endpoint: string | Record<string, unknown>) =>
  resolveEndpoint({
    catalog: catalogServiceMock({ entities: EXAMPLE_ENTITIES }),
    endpoint,
    credentials: mockCredentials.user('user:default/bob'),
  });

const staging = () =>
  structuredClone(
    EXAMPLE_ENTITIES.find(e => e.metadata.name === 'chat-assistant-staging')!,
  ) as unknown as Record<string, any>;

describe('resolveEndpoint', () => {
  it('finds an endpoint by ref with its model, pool and owner team', async () => {
    const resolved = await resolve('chat-assistant-staging');
    expect(resolved).toMatchObject({
      endpointRef: STAGING,
      inCatalog: true,
      team: 'group:default/applied-ml',
      model: { metadata: { name: 'llama-3-1-8b-instruct' } },
      pool: { metadata: { name: 'l4-inference' } },
    });
  });

  it('prefers the catalog’s entity over a posted copy, so a request cannot change the owner', async () => {
    const posted = staging();
    posted.spec.owner = 'group:default/data-science';
    const resolved = await resolve(posted);
    expect(resolved.inCatalog).toBe(true);
    expect(resolved.team).toBe('group:default/applied-ml');

    posted.metadata.name = 'not-yet-in-the-catalog';
    const fresh = await resolve(posted);
    expect(fresh.inCatalog).toBe(false);
    expect(fresh.team).toBe('group:default/data-science');
  });

  it('refuses what it cannot find or read, naming it', async () => {
    await expect(resolve('nope')).rejects.toThrow(
      new NotFoundError('inferenceendpoint:default/nope is not in the catalog'),
    );
    const noModel = staging();
    noModel.metadata.name = 'other';
    noModel.spec.model = 'model:default/missing';
    await expect(resolve(noModel)).rejects.toThrow(
      'model:default/missing, named by spec.model of inferenceendpoint:default/other, is not in the catalog',
    );
    const invalid = staging();
    invalid.spec.resources.gpusPerReplica = 0;
    invalid.metadata.name = 'invalid';
    await expect(resolve(invalid)).rejects.toThrow(InputError);
    await expect(resolve({ kind: 'Component' })).rejects.toThrow(
      'endpoint must be an entity ref or an InferenceEndpoint entity',
    );
  });
});

describe('canonicalEndpointRef and endpointRefOf', () => {
  it('reads refs in their short and full forms', () => {
    expect(canonicalEndpointRef('chat')).toBe('inferenceendpoint:default/chat');
    expect(canonicalEndpointRef('InferenceEndpoint:team/chat')).toBe(
      'inferenceendpoint:team/chat',
    );
    expect(() => canonicalEndpointRef('x/')).toThrow(
      new InputError(
        'endpoint: Entity reference "x/" was not on the form [<kind>:][<namespace>/]<name>',
      ),
    );
    expect(endpointRefOf({ metadata: { name: 'x', namespace: 'team' } })).toBe(
      'inferenceendpoint:team/x',
    );
    expect(endpointRefOf({ metadata: {} })).toBeUndefined();
    expect(endpointRefOf('x/')).toBeUndefined();
  });
});

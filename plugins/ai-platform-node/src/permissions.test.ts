import { aiPlatformPermissionRules } from './permissions';

const { isInOwnedNamespace, isInNamespace } =
  aiPlatformPermissionRules.endpoint;

const endpointIn = (owners?: string[]) => ({
  entityRef: 'inferenceendpoint:default/chat',
  owner: 'group:default/applied-ml',
  namespace: { cluster: 'gpu-us-east', name: 'chat', owners },
});

describe('endpoint permission rules', () => {
  it('IS_IN_OWNED_NAMESPACE holds when one of the claims owns the namespace (bare names are groups)', () => {
    const claims = ['user:default/bob', 'group:default/applied-ml'];
    expect(
      isInOwnedNamespace.apply(endpointIn(['applied-ml']), { claims }),
    ).toBe(true);
    expect(
      isInOwnedNamespace.apply(endpointIn(['group:default/data-science']), {
        claims,
      }),
    ).toBe(false);
    // No verifiable owner, or no namespace at all: nobody's.
    expect(isInOwnedNamespace.apply(endpointIn(undefined), { claims })).toBe(
      false,
    );
    expect(isInOwnedNamespace.apply(endpointIn([]), { claims })).toBe(false);
    expect(
      isInOwnedNamespace.apply(
        { entityRef: 'inferenceendpoint:default/chat' },
        { claims },
      ),
    ).toBe(false);
  });

  it('IS_IN_NAMESPACE holds for a namespace named alone or with its cluster', () => {
    const endpoint = endpointIn(['group:default/x']);
    expect(isInNamespace.apply(endpoint, { namespaces: ['chat'] })).toBe(true);
    expect(
      isInNamespace.apply(endpoint, { namespaces: ['gpu-us-east/chat'] }),
    ).toBe(true);
    expect(
      isInNamespace.apply(endpoint, { namespaces: ['gpu-eu-west/chat'] }),
    ).toBe(false);
    expect(isInNamespace.apply(endpoint, { namespaces: ['support'] })).toBe(
      false,
    );
    expect(
      isInNamespace.apply(
        { entityRef: 'inferenceendpoint:default/chat' },
        { namespaces: ['chat'] },
      ),
    ).toBe(false);
  });
});

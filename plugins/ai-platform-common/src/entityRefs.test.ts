import {
  canonicalEntityRef,
  canonicalEntityRefOrUndefined,
  sameEntityRef,
} from './entityRefs';

describe('canonicalEntityRef', () => {
  it('fills in the default kind and the default namespace', () => {
    expect(canonicalEntityRef('team-a', { defaultKind: 'Group' })).toBe(
      'group:default/team-a',
    );
    expect(
      canonicalEntityRef('a100', {
        defaultKind: 'GpuPool',
        defaultNamespace: 'ml',
      }),
    ).toBe('gpupool:ml/a100');
  });

  it('keeps a kind and namespace the ref names, in lower case as the catalog writes it', () => {
    expect(
      canonicalEntityRef('Model:Research/BGE-m3', { defaultKind: 'Group' }),
    ).toBe('model:research/bge-m3');
    expect(canonicalEntityRef('model:bge-m3', { defaultNamespace: 'ml' })).toBe(
      'model:ml/bge-m3',
    );
  });

  it('throws when the ref has no kind and none is given, or is malformed', () => {
    expect(() => canonicalEntityRef('team-a')).toThrow(/missing or empty kind/);
    expect(() => canonicalEntityRef('', { defaultKind: 'Group' })).toThrow();
    expect(() =>
      canonicalEntityRef('group:', { defaultKind: 'Group' }),
    ).toThrow();
  });
});

describe('canonicalEntityRefOrUndefined', () => {
  it('is the canonical ref, or undefined for what is not a ref', () => {
    expect(
      canonicalEntityRefOrUndefined('team-a', { defaultKind: 'Group' }),
    ).toBe('group:default/team-a');
    expect(canonicalEntityRefOrUndefined('team-a')).toBeUndefined();
    expect(
      canonicalEntityRefOrUndefined(42, { defaultKind: 'Group' }),
    ).toBeUndefined();
    expect(
      canonicalEntityRefOrUndefined(undefined, { defaultKind: 'Group' }),
    ).toBeUndefined();
    expect(
      canonicalEntityRefOrUndefined('', { defaultKind: 'Group' }),
    ).toBeUndefined();
  });
});

describe('sameEntityRef', () => {
  it('compares without regard to case', () => {
    expect(sameEntityRef('group:default/Team-A', 'Group:Default/team-a')).toBe(
      true,
    );
    expect(sameEntityRef('group:default/a', 'group:default/b')).toBe(false);
  });

  it('never matches undefined', () => {
    expect(sameEntityRef(undefined, undefined)).toBe(false);
    expect(sameEntityRef('group:default/a', undefined)).toBe(false);
  });
});

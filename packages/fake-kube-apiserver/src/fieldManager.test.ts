import {
  applyConfiguration,
  fieldPaths,
  formatPath,
  recordUpdate,
  renderManagedFields,
} from './fieldManager';

const pod = (image: string, env?: Array<{ name: string; value: string }>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'a', labels: { app: 'x' } },
  spec: {
    containers: [{ name: 'main', image, ...(env ? { env } : {}) }],
    tolerations: [{ key: 'k', operator: 'Exists' }],
  },
});

describe('fieldPaths', () => {
  it('tracks leaves, keyed list elements, atomic lists, and no identity metadata', () => {
    const paths = [...fieldPaths(pod('img'))].map(formatPath);
    expect(paths.sort()).toEqual(
      [
        '.metadata.labels.app',
        '.spec.containers[name="main"]',
        '.spec.containers[name="main"].image',
        '.spec.containers[name="main"].name',
        '.spec.tolerations',
      ].sort(),
    );
  });
});

describe('applyConfiguration', () => {
  const apply = (
    current: Record<string, unknown> | undefined,
    config: Record<string, unknown>,
    entries: ReturnType<typeof recordUpdate>,
    manager: string,
    force = false,
  ) =>
    applyConfiguration({
      current,
      config,
      entries,
      manager,
      force,
      apiVersion: 'v1',
    });

  it('merges keyed list elements and keeps other managers fields', () => {
    const first = apply(
      undefined,
      pod('a', [{ name: 'A', value: '1' }]),
      [],
      'm1',
    );
    const second = apply(
      first.object,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: {
          containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }],
        },
      },
      first.entries,
      'm2',
    );
    expect(second.object.spec).toEqual({
      containers: [
        {
          name: 'main',
          image: 'a',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
      tolerations: [{ key: 'k', operator: 'Exists' }],
    });
    // m1 drops its env var: only A goes, B stays (m2 owns it).
    const third = apply(second.object, pod('a'), second.entries, 'm1');
    expect(
      (third.object.spec as { containers: Array<{ env: unknown }> })
        .containers[0].env,
    ).toEqual([{ name: 'B', value: '2' }]);
  });

  it('reports every conflicting field of every manager', () => {
    const first = apply(undefined, pod('a'), [], 'm1');
    const updated = recordUpdate({
      before: first.object,
      after: { ...first.object, metadata: { name: 'p', labels: { app: 'y' } } },
      entries: first.entries,
      manager: 'kubectl-edit',
      apiVersion: 'v1',
    });
    let error: unknown;
    try {
      apply(
        { ...first.object, metadata: { name: 'p', labels: { app: 'y' } } },
        { ...pod('b'), metadata: { name: 'p', labels: { app: 'z' } } },
        updated,
        'm2',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Apply failed with 2 conflicts: conflict with "m1" using v1: .spec.containers[name="main"].image\nconflict with "kubectl-edit" using v1: .metadata.labels.app',
    });
  });

  it('renders FieldsV1 with a "." for owned list elements', () => {
    const { entries } = apply(undefined, pod('a'), [], 'm1');
    expect(renderManagedFields(entries)[0].fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {} },
        },
        'f:tolerations': {},
      },
    });
  });
});

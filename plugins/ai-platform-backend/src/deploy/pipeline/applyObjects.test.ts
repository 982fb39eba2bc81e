import type { LiveObject } from '../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../render/types';
import {
  appliedAction,
  changedPaths,
  comparable,
  lastAppliedObjects,
} from './applyObjects';

const manifest: KubernetesManifest = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'chat', namespace: 'team-a' },
  spec: { ports: [{ port: 8000 }] },
};

function live(options: {
  created: string;
  applied?: string;
  manager?: string;
}): LiveObject {
  return {
    ...manifest,
    metadata: {
      ...manifest.metadata,
      creationTimestamp: options.created,
      managedFields: options.applied
        ? [
            {
              manager: options.manager ?? 'backstage-ai-platform',
              operation: 'Apply',
              time: options.applied,
            },
          ]
        : [],
    },
  };
}

describe('changedPaths', () => {
  it('names the leaves that differ, objects walked, arrays compared whole', () => {
    expect(changedPaths({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } })).toEqual(
      [],
    );
    expect(
      changedPaths(
        { a: 1, b: { c: 2, d: [1] }, gone: true },
        { a: 2, b: { c: 2, d: [1, 2] }, added: 'x' },
      ),
    ).toEqual(['a', 'added', 'b.d', 'gone']);
    expect(changedPaths(1, 2)).toEqual(['(root)']);
  });
});

describe('comparable', () => {
  it('keeps what we write and drops what the Deployment controller adds', () => {
    expect(
      comparable({
        ...manifest,
        metadata: {
          ...manifest.metadata,
          annotations: {
            'deployment.kubernetes.io/revision': '3',
            'ai-platform.io/owner': 'group:default/a',
          },
          resourceVersion: '12',
        },
        status: { replicas: 1 },
      }),
    ).toEqual({
      labels: {},
      annotations: { 'ai-platform.io/owner': 'group:default/a' },
      spec: manifest.spec,
    });
    expect(comparable(undefined)).toBeUndefined();
  });
});

describe('appliedAction', () => {
  const t0 = '2026-01-01T00:00:00Z';
  const t1 = '2026-01-01T00:05:00Z';

  it('says created when our apply made the object', () => {
    expect(
      appliedAction({
        manifest,
        live: live({ created: t0, applied: t0 }),
        last: undefined,
      }),
    ).toBe('created');
  });

  it('says unchanged when we sent the same manifest and our entry did not move', () => {
    expect(
      appliedAction({
        manifest,
        live: live({ created: t0, applied: t0 }),
        last: { appliedAt: t0, manifest: JSON.stringify(manifest) },
      }),
    ).toBe('unchanged');
  });

  it('says configured when our entry moved, the manifest differs, or another manager made it', () => {
    expect(
      appliedAction({
        manifest,
        live: live({ created: t0, applied: t1 }),
        last: { appliedAt: t0, manifest: JSON.stringify(manifest) },
      }),
    ).toBe('configured');
    expect(
      appliedAction({
        manifest,
        live: live({ created: t0, applied: t0 }),
        last: { appliedAt: t0, manifest: '{}' },
      }),
    ).toBe('configured');
    expect(
      appliedAction({
        manifest,
        live: live({ created: t0, applied: t1 }),
        last: undefined,
      }),
    ).toBe('configured');
  });
});

describe('lastAppliedObjects', () => {
  it('takes each object from the newest record that applied it, skipping the running one', async () => {
    const record = (
      id: string,
      appliedAt: string | undefined,
      spec: Record<string, unknown>,
    ) => ({
      id,
      objects: [{ apiVersion: 'v1', kind: 'Service', name: 'chat', appliedAt }],
      manifests: [{ ...manifest, spec }],
    });
    const recent = [
      record('this-one', 't9', { newest: true }),
      record('failed-before-apply', undefined, { failed: true }),
      record('applied', 't2', { applied: true }),
      record('older', 't1', { older: true }),
    ];
    const last = await lastAppliedObjects({
      store: { recent: async () => recent as any },
      endpointRef: 'inferenceendpoint:default/chat',
      exceptId: 'this-one',
    });
    expect([...last.entries()]).toEqual([
      [
        'Service/chat',
        {
          appliedAt: 't2',
          manifest: JSON.stringify({ ...manifest, spec: { applied: true } }),
        },
      ],
    ]);
  });
});

import type { DeploymentObject } from '@internal/plugin-ai-platform-common';
import type { DeploymentStore } from '../DatabaseDeploymentStore';
import {
  ClusterRequestError,
  FIELD_MANAGER,
  type KubernetesClusterClient,
  type LiveObject,
  objectName,
} from '../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../render/types';

/** What we last applied to one object: the manifest, and when our field manager last changed it. */
export type LastApplied = { appliedAt: string; manifest?: string };

function timeOf(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

/** When our field manager last changed an object. */
export function ourApplyTime(live: LiveObject): string | undefined {
  return timeOf(
    live.metadata.managedFields?.find(
      f => f.manager === FIELD_MANAGER && !f.subresource,
    )?.time,
  );
}

/** Paths of the leaves that differ between two JSON values. */
export function changedPaths(
  before: unknown,
  after: unknown,
  path = '',
): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .flatMap(k => changedPaths(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [path || '(root)'];
}

/** What a dry run compares: what we write, not what the cluster adds. */
export function comparable(object: LiveObject | undefined) {
  if (!object) return undefined;
  return {
    labels: object.metadata.labels ?? {},
    annotations: Object.fromEntries(
      Object.entries(object.metadata.annotations ?? {}).filter(
        ([k]) => !k.startsWith('deployment.kubernetes.io/'),
      ),
    ),
    spec: object.spec,
  };
}

/**
 * What we last applied to each object (`Kind/name`) of an endpoint, per the
 * newest records that say so, leaving out the record `exceptId`.
 */
export async function lastAppliedObjects(options: {
  store: Pick<DeploymentStore, 'recent'>;
  endpointRef: string;
  exceptId: string;
}): Promise<Map<string, LastApplied>> {
  const last = new Map<string, LastApplied>();
  const records = await options.store.recent(options.endpointRef, 20);
  for (const record of records) {
    if (record.id === options.exceptId) continue;
    for (const o of record.objects) {
      const key = `${o.kind}/${o.name}`;
      if (o.appliedAt && !last.has(key)) {
        const manifest = record.manifests.find(m => objectName(m) === key);
        last.set(key, {
          appliedAt: o.appliedAt,
          manifest: manifest ? JSON.stringify(manifest) : undefined,
        });
      }
    }
  }
  return last;
}

/**
 * What an apply did to an object. managedFields times have a one-second
 * resolution: an object is unchanged when we sent the same manifest as last
 * time and our field manager's entry did not move.
 */
export function appliedAction(options: {
  manifest: KubernetesManifest;
  live: LiveObject;
  last: LastApplied | undefined;
}): DeploymentObject['action'] {
  const { manifest, live, last } = options;
  const appliedAt = ourApplyTime(live);
  const created = timeOf(live.metadata.creationTimestamp);
  if (
    last &&
    last.appliedAt === appliedAt &&
    last.manifest === JSON.stringify(manifest)
  ) {
    return 'unchanged';
  }
  if (appliedAt && created === appliedAt && last?.appliedAt !== appliedAt) {
    return 'created';
  }
  return 'configured';
}

/** The record's entry of an object that was not applied. */
export function unappliedObject(
  manifest: KubernetesManifest,
): DeploymentObject {
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace,
  };
}

/** The outcome of applying the objects in order: all of them, or up to the one the cluster refused. */
export type ApplyResult =
  | { objects: DeploymentObject[] }
  | {
      /** The objects applied before the failure. */
      objects: DeploymentObject[];
      failedIndex: number;
      error: ClusterRequestError;
    };

/**
 * Server-side apply of the objects, in order, with our field manager (a dry
 * run with `dryRun=All`, then a read of the live object to say which fields
 * would change). Stops at the first object the cluster refuses or does not
 * answer for; other errors are thrown.
 */
export async function applyObjects(options: {
  client: Pick<KubernetesClusterClient, 'apply' | 'read'>;
  manifests: KubernetesManifest[];
  dryRun: boolean;
  force: boolean;
  lastApplied: Map<string, LastApplied>;
  /** Called after each object, with the objects applied so far. */
  onApplied: (
    objects: DeploymentObject[],
    object: DeploymentObject,
  ) => Promise<void>;
}): Promise<ApplyResult> {
  const { client, dryRun } = options;
  const objects: DeploymentObject[] = [];
  for (const [index, manifest] of options.manifests.entries()) {
    let object: DeploymentObject;
    try {
      const live = await client.apply(manifest, {
        dryRun,
        force: options.force,
      });
      if (dryRun) {
        const current = await client.read(manifest);
        const changes = current
          ? changedPaths(comparable(current), comparable(live))
          : undefined;
        let action: DeploymentObject['action'] = 'created';
        if (changes) action = changes.length ? 'configured' : 'unchanged';
        object = {
          ...unappliedObject(manifest),
          action,
          ...(changes ? { changes } : {}),
        };
      } else {
        object = {
          ...unappliedObject(manifest),
          action: appliedAction({
            manifest,
            live,
            last: options.lastApplied.get(objectName(manifest)),
          }),
          resourceVersion: live.metadata.resourceVersion,
          appliedAt: ourApplyTime(live),
        };
      }
    } catch (error) {
      if (!(error instanceof ClusterRequestError)) throw error;
      return { objects, failedIndex: index, error };
    }
    objects.push(object);
    await options.onApplied(objects, object);
  }
  return { objects };
}

import crypto from 'crypto';
import {
  renderManagedFields,
  sameOwnership,
  touchChanged,
  type ManagerEntry,
} from './fieldManager';
import { groupVersionOf, type ResourceType } from './resources';
import type { KubeObject } from './types';
import { clone, deepEqual, timestamp } from './util';

/** A watch event as the store emits it (and the server streams it). */
export type StoreEvent = {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resourceVersion: number;
  resource: ResourceType;
  object: KubeObject;
};

type Stored = { object: KubeObject; entries: ManagerEntry[] };

/** One stored object in a snapshot: its type, the object, and its field owners. */
export type StoredObjectSnapshot = {
  group: string;
  version: string;
  /** The resource type's plural, e.g. `deployments`. */
  resource: string;
  object: KubeObject;
  managers: Array<Omit<ManagerEntry, 'fields'> & { fields: string[] }>;
};

/** The store's content as plain JSON (see `ObjectStore.snapshot`). */
export type StoreSnapshot = {
  resourceVersion: number;
  objects: StoredObjectSnapshot[];
};

/** How many past events a watch can resume from (older ones answer 410 Expired). */
const EVENT_HISTORY = 10000;

function keyOf(
  type: ResourceType,
  namespace: string | undefined,
  name: string,
) {
  return `${type.group}/${type.plural}/${namespace ?? ''}/${name}`;
}

/** The object without what the server sets on every write, for comparing content. */
function content(object: KubeObject) {
  const { resourceVersion, managedFields, generation, ...metadata } =
    object.metadata;
  return { ...object, metadata };
}

/** Everything but metadata and status: what moves `metadata.generation`. */
function specPart(object: KubeObject) {
  const { metadata, status, apiVersion, kind, ...rest } = object;
  return rest;
}

/**
 * The fake's etcd: objects by type, namespace and name, one global
 * resourceVersion counter, field ownership per object, and the event
 * history watches replay from.
 */
export class ObjectStore {
  private readonly objects = new Map<string, Stored>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private revision = 1;

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can resume after. */
  get oldestResumable(): number {
    return this.history.length > 0
      ? this.history[0].resourceVersion - 1
      : this.revision;
  }

  get(type: ResourceType, namespace: string | undefined, name: string) {
    const stored = this.objects.get(
      keyOf(type, type.namespaced ? namespace : undefined, name),
    );
    return stored ? clone(stored.object) : undefined;
  }

  entries(type: ResourceType, namespace: string | undefined, name: string) {
    return (
      this.objects.get(
        keyOf(type, type.namespaced ? namespace : undefined, name),
      )?.entries ?? []
    );
  }

  /** Objects of a type, in one namespace or all, ordered as etcd orders keys. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const prefix = `${type.group}/${type.plural}/${
      namespace !== undefined && type.namespaced ? `${namespace}/` : ''
    }`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, stored]) => clone(stored.object));
  }

  /**
   * Objects of a type like `list`, but the stored objects themselves, not
   * copies: for answers that only read and serialize them (a LIST, and the
   * snapshot its later pages are served from). A write replaces a stored
   * object rather than changing it, so what this returns stays as it was.
   * Never change them.
   */
  listShared(type: ResourceType, namespace?: string): readonly KubeObject[] {
    const prefix = `${type.group}/${type.plural}/${
      namespace !== undefined && type.namespaced ? `${namespace}/` : ''
    }`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, stored]) => stored.object);
  }

  /** Every stored object with its type (for garbage collection and namespace deletion). */
  all(): Array<{ type: ResourceType; object: KubeObject }> {
    return [...this.objects.values()].map(s => ({
      type: this.typeOf.get(s.object.metadata.uid!)!,
      object: clone(s.object),
    }));
  }

  private readonly typeOf = new Map<string, ResourceType>();

  /**
   * Writes an object. Returns the stored object, unchanged (same
   * resourceVersion and generation) when neither its content nor its field
   * ownership changed. With `dryRun`, computes the result and stores nothing.
   */
  write(options: {
    type: ResourceType;
    object: KubeObject;
    entries: ManagerEntry[];
    dryRun?: boolean;
  }): { object: KubeObject; created: boolean; changed: boolean } {
    const { type } = options;
    const object = clone(options.object);
    const name = object.metadata.name!;
    const namespace = type.namespaced ? object.metadata.namespace : undefined;
    if (!type.namespaced) delete object.metadata.namespace;
    const key = keyOf(type, namespace, name);
    const before = this.objects.get(key);
    object.apiVersion = groupVersionOf(type);
    object.kind = type.kind;

    if (
      before &&
      deepEqual(content(before.object), content(object)) &&
      sameOwnership(before.entries, options.entries)
    ) {
      return { object: clone(before.object), created: false, changed: false };
    }

    const entries = options.entries;
    touchChanged(before?.entries ?? [], entries);
    const meta = object.metadata;
    if (before) {
      meta.uid = before.object.metadata.uid;
      meta.creationTimestamp = before.object.metadata.creationTimestamp;
      if (before.object.metadata.generation !== undefined) {
        meta.generation =
          before.object.metadata.generation +
          (deepEqual(specPart(before.object), specPart(object)) ? 0 : 1);
      }
    } else {
      meta.uid = meta.uid ?? crypto.randomUUID();
      meta.creationTimestamp = meta.creationTimestamp ?? timestamp();
      if (type.group !== '') meta.generation = 1;
      else delete meta.generation;
    }
    meta.managedFields = renderManagedFields(entries);
    if (options.dryRun) {
      meta.resourceVersion =
        before?.object.metadata.resourceVersion ?? undefined;
      if (!before) delete meta.resourceVersion;
      return { object, created: !before, changed: true };
    }
    this.revision++;
    meta.resourceVersion = String(this.revision);
    this.objects.set(key, { object, entries });
    this.typeOf.set(meta.uid!, type);
    this.emit({
      type: before ? 'MODIFIED' : 'ADDED',
      resourceVersion: this.revision,
      resource: type,
      object: clone(object),
    });
    return { object: clone(object), created: !before, changed: true };
  }

  /** Removes an object; returns it as it was (with the deletion's resourceVersion), or undefined. */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options?: { dryRun?: boolean },
  ): KubeObject | undefined {
    const key = keyOf(type, type.namespaced ? namespace : undefined, name);
    const before = this.objects.get(key);
    if (!before) return undefined;
    const object = clone(before.object);
    if (options?.dryRun) return object;
    this.objects.delete(key);
    this.typeOf.delete(object.metadata.uid!);
    this.revision++;
    object.metadata.resourceVersion = String(this.revision);
    this.emit({
      type: 'DELETED',
      resourceVersion: this.revision,
      resource: type,
      object: clone(object),
    });
    return object;
  }

  /**
   * Every object with its type and field ownership, and the global
   * resourceVersion, as plain JSON (field sets as sorted arrays).
   */
  snapshot(): StoreSnapshot {
    return {
      resourceVersion: this.revision,
      objects: [...this.objects.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, stored]) => {
          const type = this.typeOf.get(stored.object.metadata.uid!)!;
          return {
            group: type.group,
            version: type.version,
            resource: type.plural,
            object: clone(stored.object),
            managers: stored.entries.map(e => ({
              ...e,
              fields: [...e.fields].sort(),
            })),
          };
        }),
    };
  }

  /**
   * Replaces the content with a snapshot, without watch events (the event
   * history starts empty: a watch resuming from before it gets 410 Expired
   * and lists again, as after an etcd compaction). Objects whose type
   * `typeFor` does not know are skipped and returned.
   */
  restore(
    snapshot: StoreSnapshot,
    typeFor: (
      group: string,
      version: string,
      resource: string,
    ) => ResourceType | undefined,
  ): { restored: number; skipped: StoredObjectSnapshot[] } {
    this.objects.clear();
    this.typeOf.clear();
    this.history.length = 0;
    const skipped: StoredObjectSnapshot[] = [];
    let restored = 0;
    let highest = 1;
    for (const item of snapshot.objects) {
      const type = typeFor(item.group, item.version, item.resource);
      const meta = item.object?.metadata;
      if (!type || !meta?.name || !meta.uid) {
        skipped.push(item);
        continue;
      }
      const object = clone(item.object);
      const namespace = type.namespaced ? meta.namespace : undefined;
      this.objects.set(keyOf(type, namespace, meta.name), {
        object,
        entries: item.managers.map(e => ({ ...e, fields: new Set(e.fields) })),
      });
      this.typeOf.set(meta.uid, type);
      highest = Math.max(highest, Number(meta.resourceVersion) || 0);
      restored++;
    }
    this.revision = Math.max(snapshot.resourceVersion || 1, highest);
    return { restored, skipped };
  }

  /** Events after a resourceVersion (for a watch that resumes). */
  eventsAfter(resourceVersion: number): StoreEvent[] {
    return this.history.filter(e => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent) {
    this.history.push(event);
    if (this.history.length > EVENT_HISTORY) this.history.shift();
    for (const listener of [...this.listeners]) listener(event);
  }
}

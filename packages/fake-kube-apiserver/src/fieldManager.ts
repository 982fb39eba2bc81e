import { KubeStatusError } from './status';
import type { JsonObject, ManagedFieldsEntry } from './types';
import { clone, deepEqual, isPlainObject, timestamp } from './util';

/**
 * Server-side apply field ownership.
 *
 * A field path is a list of segments: `f:<key>` for a map key,
 * `k:<json>` for an element of an associative list (keyed by its merge key,
 * e.g. `k:{"name":"vllm"}`), and a trailing `.` marking ownership of a list
 * element itself. Paths are kept as JSON strings in sets, one set per
 * (manager, operation, subresource), at leaf-field granularity, and
 * rendered as the real server's `metadata.managedFields` FieldsV1 tree.
 */
export type ManagerEntry = {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time: string;
  fields: Set<string>;
};

/** Merge keys of associative lists, by the list's field name (as Kubernetes' OpenAPI says). */
const LIST_KEYS: Record<string, string[][]> = {
  containers: [['name']],
  initContainers: [['name']],
  ephemeralContainers: [['name']],
  env: [['name']],
  volumes: [['name']],
  volumeMounts: [['mountPath']],
  volumeDevices: [['devicePath']],
  imagePullSecrets: [['name']],
  conditions: [['type']],
  ownerReferences: [['uid']],
  ports: [['containerPort'], ['port']],
  hostAliases: [['ip']],
  resourceClaims: [['name']],
  topologySpreadConstraints: [['topologyKey', 'whenUnsatisfiable']],
  // Kueue declares these as listType=map keyed by name.
  flavors: [['name']],
  resources: [['name']],
};

/** The merge key of a list under that field name, when every element carries it. */
function listKeyOf(field: string, list: unknown[]): string[] | undefined {
  const candidates = LIST_KEYS[field];
  if (!candidates || list.length === 0) return undefined;
  return candidates.find(keys =>
    list.every(
      e =>
        isPlainObject(e) &&
        keys.every(k => e[k] !== undefined && !isPlainObject(e[k])),
    ),
  );
}

function elementSegment(keys: string[], element: Record<string, unknown>) {
  const key: Record<string, unknown> = {};
  for (const k of keys) key[k] = element[k];
  return `k:${JSON.stringify(key)}`;
}

/** Fields never tracked: identity and server-set metadata. */
const IGNORED_METADATA = new Set([
  'name',
  'namespace',
  'generateName',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** The owned-field paths of an object (or apply configuration). */
export function fieldPaths(object: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  const walk = (value: Record<string, unknown>, prefix: string[]) => {
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined || child === null) continue;
      if (prefix.length === 0 && (key === 'apiVersion' || key === 'kind')) {
        continue;
      }
      if (
        prefix.length === 1 &&
        prefix[0] === 'f:metadata' &&
        IGNORED_METADATA.has(key)
      ) {
        continue;
      }
      const path = [...prefix, `f:${key}`];
      if (isPlainObject(child) && Object.keys(child).length > 0) {
        walk(child, path);
      } else if (Array.isArray(child)) {
        const keys = listKeyOf(key, child);
        if (!keys) {
          out.add(JSON.stringify(path));
          continue;
        }
        for (const element of child as Array<Record<string, unknown>>) {
          const elementPath = [...path, elementSegment(keys, element)];
          out.add(JSON.stringify([...elementPath, '.']));
          walk(element, elementPath);
        }
      } else {
        out.add(JSON.stringify(path));
      }
    }
  };
  walk(object, []);
  return out;
}

function segmentsOf(path: string): string[] {
  return JSON.parse(path) as string[];
}

function findElement(list: unknown[], segment: string) {
  const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
  return list.findIndex(
    e => isPlainObject(e) && Object.entries(key).every(([k, v]) => e[k] === v),
  );
}

/** The value at a path; `found: false` when any step is missing. */
export function valueAt(
  object: unknown,
  path: string,
): { found: boolean; value?: unknown } {
  let current: unknown = object;
  for (const segment of segmentsOf(path)) {
    if (segment === '.') break;
    if (segment.startsWith('f:')) {
      if (!isPlainObject(current)) return { found: false };
      const key = segment.slice(2);
      if (!Object.prototype.hasOwnProperty.call(current, key)) {
        return { found: false };
      }
      current = current[key];
    } else {
      if (!Array.isArray(current)) return { found: false };
      const index = findElement(current, segment);
      if (index < 0) return { found: false };
      current = current[index];
    }
  }
  return { found: current !== undefined, value: current };
}

/** Removes the field (or list element, for a `.` path) at a path; prunes maps it leaves empty. */
function removeAt(object: Record<string, unknown>, path: string) {
  const segments = segmentsOf(path);
  if (segments[segments.length - 1] === '.') {
    segments.pop();
  } else if (
    segments.length >= 2 &&
    segments[segments.length - 2].startsWith('k:') &&
    segments[segments.length - 1].slice(2) in
      (JSON.parse(segments[segments.length - 2].slice(2)) as object)
  ) {
    // A list element's merge key goes only with the element itself.
    return;
  }
  const parents: Array<{ container: unknown; segment: string }> = [];
  let current: unknown = object;
  for (const segment of segments) {
    parents.push({ container: current, segment });
    if (segment.startsWith('f:')) {
      if (!isPlainObject(current)) return;
      current = current[segment.slice(2)];
    } else {
      if (!Array.isArray(current)) return;
      const index = findElement(current, segment);
      if (index < 0) return;
      current = current[index];
    }
    if (current === undefined) return;
  }
  for (let i = parents.length - 1; i >= 0; i--) {
    const { container, segment } = parents[i];
    if (segment.startsWith('f:') && isPlainObject(container)) {
      delete container[segment.slice(2)];
      if (Object.keys(container).length > 0 || i === 0) return;
    } else if (Array.isArray(container)) {
      container.splice(findElement(container, segment), 1);
      if (container.length > 0) return;
      // An emptied list stays (an empty list is a value), stop here.
      return;
    } else {
      return;
    }
  }
}

/** Merges an apply configuration into an object: maps recursively, associative lists by key, the rest replaced. */
export function mergeApply(
  target: unknown,
  config: unknown,
  field?: string,
): unknown {
  if (isPlainObject(config) && isPlainObject(target)) {
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined || value === null) continue;
      out[key] = mergeApply(target[key], value, key);
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(target) && field) {
    const keys = listKeyOf(field, config);
    if (keys && (target.length === 0 || listKeyOf(field, target))) {
      const out = [...target];
      for (const element of config as Array<Record<string, unknown>>) {
        const index = findElement(out, elementSegment(keys, element));
        if (index >= 0) out[index] = mergeApply(out[index], element);
        else out.push(clone(element));
      }
      return out;
    }
  }
  if (isPlainObject(config)) {
    return mergeApply({}, config);
  }
  return clone(config);
}

/** `.spec.template.spec.containers[name="vllm"].image`, as the real server names a field. */
export function formatPath(path: string): string {
  return segmentsOf(path)
    .filter(s => s !== '.')
    .map(s => {
      if (s.startsWith('f:')) return `.${s.slice(2)}`;
      const key = JSON.parse(s.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

function sameEntry(
  e: ManagerEntry,
  manager: string,
  operation: string,
  subresource?: string,
) {
  return (
    e.manager === manager &&
    e.operation === operation &&
    (e.subresource ?? '') === (subresource ?? '')
  );
}

function cloneEntries(entries: ManagerEntry[]): ManagerEntry[] {
  return entries.map(e => ({ ...e, fields: new Set(e.fields) }));
}

/** Drops paths no longer present in the object and entries left empty. */
function prune(entries: ManagerEntry[], object: unknown): ManagerEntry[] {
  for (const e of entries) {
    for (const path of [...e.fields]) {
      if (!valueAt(object, path).found) e.fields.delete(path);
    }
  }
  return entries.filter(e => e.fields.size > 0);
}

/**
 * A server-side apply by `manager` of `config` onto `current` (undefined to
 * create). Throws a 409 Conflict Status naming the fields and their owners
 * unless `force`; with `force` the applier takes them over.
 */
export function applyConfiguration(options: {
  current: Record<string, unknown> | undefined;
  config: Record<string, unknown>;
  entries: ManagerEntry[];
  manager: string;
  force: boolean;
  subresource?: string;
  apiVersion: string;
  /** Paths the operation may touch (e.g. only status for /status); all when absent. */
  scope?: (path: string) => boolean;
}): { object: Record<string, unknown>; entries: ManagerEntry[] } {
  const { config, manager, subresource } = options;
  const inScope = options.scope ?? (() => true);
  const current = options.current ?? {};
  const entries = cloneEntries(options.entries);
  const applied = new Set([...fieldPaths(config)].filter(inScope));

  // Conflicts: another manager owns a field the configuration sets to a different value.
  const conflicts: Array<{ entry: ManagerEntry; path: string }> = [];
  for (const entry of entries) {
    if (entry.manager === manager) continue;
    for (const path of applied) {
      if (path.endsWith('"."]')) continue;
      if (!entry.fields.has(path)) continue;
      if (
        !deepEqual(valueAt(current, path).value, valueAt(config, path).value)
      ) {
        conflicts.push({ entry, path });
      }
    }
  }
  if (conflicts.length > 0 && !options.force) {
    throw conflictError(conflicts);
  }
  for (const { entry, path } of conflicts) entry.fields.delete(path);

  // Fields this manager applied before and no longer applies, and no one else owns, are removed.
  const mine = entries.find(e => sameEntry(e, manager, 'Apply', subresource));
  const others = entries.filter(e => e !== mine);
  const ownedByOthers = (path: string) => {
    const element = path.endsWith('"."]') ? path.slice(0, -5) : undefined;
    return others.some(e =>
      element
        ? [...e.fields].some(f => f.startsWith(element))
        : e.fields.has(path),
    );
  };
  const object = clone(current) as Record<string, unknown>;
  if (mine) {
    for (const path of mine.fields) {
      if (!applied.has(path) && !ownedByOthers(path)) removeAt(object, path);
    }
  }
  const merged = mergeApply(object, config) as Record<string, unknown>;

  // The applier's own Update entry gives up what it now applies.
  for (const e of entries) {
    if (e.manager === manager && e !== mine) {
      for (const path of applied) e.fields.delete(path);
    }
  }
  if (mine) {
    mine.fields = applied;
  } else {
    entries.push({
      manager,
      operation: 'Apply',
      subresource,
      apiVersion: options.apiVersion,
      time: timestamp(),
      fields: applied,
    });
  }
  return { object: merged, entries: prune(entries, merged) };
}

/**
 * Ownership after a non-apply write (create, update, patch) by `manager`:
 * it takes every field it set or changed, from anyone (updates never conflict).
 */
export function recordUpdate(options: {
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
  entries: ManagerEntry[];
  manager: string;
  subresource?: string;
  apiVersion: string;
}): ManagerEntry[] {
  const { before, after, manager, subresource } = options;
  const entries = cloneEntries(options.entries);
  const changed = [...fieldPaths(after)].filter(
    path =>
      !before ||
      !valueAt(before, path).found ||
      !deepEqual(valueAt(before, path).value, valueAt(after, path).value),
  );
  if (changed.length > 0) {
    for (const e of entries) {
      if (!sameEntry(e, manager, 'Update', subresource)) {
        for (const path of changed) e.fields.delete(path);
      }
    }
    const mine = entries.find(e =>
      sameEntry(e, manager, 'Update', subresource),
    );
    if (mine) {
      for (const path of changed) mine.fields.add(path);
    } else {
      entries.push({
        manager,
        operation: 'Update',
        subresource,
        apiVersion: options.apiVersion,
        time: timestamp(),
        fields: new Set(changed),
      });
    }
  }
  return prune(entries, after);
}

/** Whether two ownership states are the same (times aside). */
export function sameOwnership(a: ManagerEntry[], b: ManagerEntry[]): boolean {
  if (a.length !== b.length) return false;
  return a.every(ea => {
    const eb = b.find(e =>
      sameEntry(e, ea.manager, ea.operation, ea.subresource),
    );
    return (
      eb !== undefined &&
      eb.fields.size === ea.fields.size &&
      [...ea.fields].every(f => eb.fields.has(f))
    );
  });
}

/** Stamps `time` on the entries that differ from before. */
export function touchChanged(before: ManagerEntry[], after: ManagerEntry[]) {
  const now = timestamp();
  for (const e of after) {
    const old = before.find(b =>
      sameEntry(b, e.manager, e.operation, e.subresource),
    );
    if (!old || !sameOwnership([old], [e])) e.time = now;
  }
}

/** The FieldsV1 tree of a set of paths. */
function fieldsV1(fields: Set<string>): JsonObject {
  const root: JsonObject = {};
  for (const path of [...fields].sort()) {
    let node = root;
    for (const segment of segmentsOf(path)) {
      const next = (node[segment] ?? {}) as JsonObject;
      node[segment] = next;
      node = next;
    }
  }
  return root;
}

/** `metadata.managedFields` as the real server renders it. */
export function renderManagedFields(
  entries: ManagerEntry[],
): ManagedFieldsEntry[] {
  return entries.map(e => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1(e.fields),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

function conflictError(
  conflicts: Array<{ entry: ManagerEntry; path: string }>,
): KubeStatusError {
  const owners = new Map<ManagerEntry, string[]>();
  for (const { entry, path } of conflicts) {
    owners.set(entry, [...(owners.get(entry) ?? []), formatPath(path)]);
  }
  const who = (e: ManagerEntry) => `"${e.manager}" using ${e.apiVersion}`;
  const groups = [...owners].map(([entry, paths]) =>
    paths.length === 1
      ? `conflict with ${who(entry)}: ${paths[0]}`
      : `conflicts with ${who(entry)}:\n${paths.map(p => `- ${p}`).join('\n')}`,
  );
  const n = conflicts.length;
  return new KubeStatusError({
    code: 409,
    reason: 'Conflict',
    message: `Apply failed with ${n} conflict${
      n === 1 ? '' : 's'
    }: ${groups.join('\n')}`,
    details: {
      causes: conflicts.map(({ entry, path }) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with ${who(entry)}`,
        field: formatPath(path),
      })),
    },
  });
}

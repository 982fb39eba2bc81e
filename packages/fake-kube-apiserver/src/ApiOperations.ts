import {
  applyConfiguration,
  recordUpdate,
  type ManagerEntry,
} from './fieldManager';
import type { ObjectStore } from './ObjectStore';
import { groupVersionOf, RESOURCE_TYPES, type ResourceType } from './resources';
import {
  alreadyExists,
  badRequest,
  invalid,
  KubeStatusError,
  namespaceNotFound,
  notFound,
  staleConflict,
} from './status';
import type { KubeObject } from './types';
import { clone, isPlainObject, randomSuffix } from './util';

const namespaceType = RESOURCE_TYPES.find(t => t.kind === 'Namespace')!;

/** Who writes, and how. */
export type WriteContext = {
  fieldManager: string;
  dryRun?: boolean;
  /** Set for writes to a subresource (only `status` is served). */
  subresource?: string;
};

/** Whether the path of a field is under `status`. */
const isStatusPath = (path: string) => path.startsWith('["f:status"');

function validName(name: string) {
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) && name.length <= 253;
}

/**
 * The API's write and read semantics on top of the store: validation as the
 * real server does it, namespaces that must exist, status subresources,
 * server-side apply, merge and JSON patches, dry runs, and garbage
 * collection of dependents on delete.
 */
export class ApiOperations {
  constructor(private readonly store: ObjectStore) {}

  private requireNamespace(type: ResourceType, namespace: string | undefined) {
    if (!type.namespaced) return;
    if (!namespace)
      throw badRequest('a namespace is required for this resource');
    if (!this.store.get(namespaceType, undefined, namespace)) {
      throw namespaceNotFound(namespace);
    }
  }

  private checkIdentity(
    type: ResourceType,
    object: unknown,
    options: { namespace?: string; name?: string; requireTypeMeta: boolean },
  ): asserts object is KubeObject {
    if (!isPlainObject(object)) {
      throw badRequest('the body of the request must be a JSON object');
    }
    const expected = groupVersionOf(type);
    if (object.apiVersion === undefined || object.kind === undefined) {
      if (options.requireTypeMeta) {
        throw badRequest(
          `${
            object.apiVersion === undefined ? 'apiVersion' : 'kind'
          } must be set (${expected}, ${type.kind})`,
        );
      }
    } else {
      if (object.apiVersion !== expected) {
        throw badRequest(
          `the API version in the data (${String(
            object.apiVersion,
          )}) does not match the expected API version (${expected})`,
        );
      }
      if (object.kind !== type.kind) {
        throw badRequest(
          `the kind in the data (${String(
            object.kind,
          )}) does not match the expected kind (${type.kind})`,
        );
      }
    }
    if (object.metadata === undefined) object.metadata = {};
    if (!isPlainObject(object.metadata)) {
      throw badRequest('metadata must be an object');
    }
    const meta = object.metadata as Record<string, unknown>;
    if (type.namespaced) {
      if (meta.namespace === undefined || meta.namespace === '') {
        meta.namespace = options.namespace;
      } else if (meta.namespace !== options.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
    }
    if (options.name !== undefined) {
      if (meta.name === undefined) meta.name = options.name;
      else if (meta.name !== options.name) {
        throw badRequest(
          `the name of the object (${String(
            meta.name,
          )}) does not match the name on the URL (${options.name})`,
        );
      }
    }
  }

  private validate(type: ResourceType, object: KubeObject) {
    const name = object.metadata.name;
    if (!name) {
      throw invalid(type, '', [
        {
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (!validName(name)) {
      throw invalid(type, name, [
        {
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        },
      ]);
    }
    for (const key of ['labels', 'annotations'] as const) {
      const map = object.metadata[key];
      if (map === undefined) continue;
      if (!isPlainObject(map)) {
        throw invalid(type, name, [
          {
            field: `metadata.${key}`,
            message: 'Invalid value: must be a map of strings',
          },
        ]);
      }
      for (const [k, v] of Object.entries(map)) {
        if (typeof v !== 'string') {
          throw invalid(type, name, [
            {
              field: `metadata.${key}.${k}`,
              message: `Invalid value: must be a string (got ${JSON.stringify(
                v,
              )})`,
            },
          ]);
        }
      }
    }
  }

  private hasStatus(type: ResourceType) {
    return type.subresources.includes('status');
  }

  /** What a write through the main resource or /status may change, taken from `incoming`, the rest from `before`. */
  private scoped(
    type: ResourceType,
    before: KubeObject | undefined,
    incoming: KubeObject,
    subresource?: string,
  ): KubeObject {
    const next = clone(incoming);
    if (subresource === 'status') {
      const base = clone(before!);
      if (next.status === undefined) delete base.status;
      else base.status = next.status;
      return base;
    }
    if (this.hasStatus(type)) {
      if (before?.status !== undefined) next.status = clone(before.status);
      else delete next.status;
    }
    if (before) {
      next.metadata.uid = before.metadata.uid;
      next.metadata.creationTimestamp = before.metadata.creationTimestamp;
      next.metadata.generation = before.metadata.generation;
    }
    return next;
  }

  get(type: ResourceType, namespace: string | undefined, name: string) {
    const object = this.store.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    ctx: WriteContext,
  ): KubeObject {
    this.checkIdentity(type, body, { namespace, requireTypeMeta: false });
    const object = clone(body);
    const meta = object.metadata;
    if (!meta.name && meta.generateName) {
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    this.validate(type, object);
    this.requireNamespace(type, meta.namespace);
    if (this.store.get(type, meta.namespace, meta.name!)) {
      throw alreadyExists(type, meta.name!);
    }
    for (const key of [
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'managedFields',
    ]) {
      delete meta[key];
    }
    const next = this.scoped(type, undefined, object);
    namespaceDefaults(type, next);
    secretDefaults(type, next);
    deploymentDefaults(type, next);
    const entries = recordUpdate({
      before: undefined,
      after: next,
      entries: [],
      manager: ctx.fieldManager,
      apiVersion: groupVersionOf(type),
    });
    return this.store.write({ type, object: next, entries, dryRun: ctx.dryRun })
      .object;
  }

  /** PUT: replace, with optimistic concurrency when the body names a resourceVersion. */
  replace(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    ctx: WriteContext,
  ): KubeObject {
    this.checkIdentity(type, body, { namespace, name, requireTypeMeta: false });
    const before = this.get(type, namespace, name);
    const rv = body.metadata.resourceVersion;
    if (
      rv !== undefined &&
      rv !== '' &&
      rv !== before.metadata.resourceVersion
    ) {
      throw staleConflict(type, name);
    }
    this.validate(type, body);
    return this.writeUpdate(type, before, body, ctx);
  }

  private writeUpdate(
    type: ResourceType,
    before: KubeObject,
    incoming: KubeObject,
    ctx: WriteContext,
  ) {
    const next = this.scoped(type, before, incoming, ctx.subresource);
    secretDefaults(type, next);
    deploymentDefaults(type, next);
    const entries = recordUpdate({
      before,
      after: next,
      entries: this.store.entries(
        type,
        before.metadata.namespace,
        before.metadata.name!,
      ),
      manager: ctx.fieldManager,
      subresource: ctx.subresource,
      apiVersion: groupVersionOf(type),
    });
    return this.store.write({ type, object: next, entries, dryRun: ctx.dryRun })
      .object;
  }

  /** JSON merge patch (RFC 7386); strategic merge patch is treated the same. */
  mergePatch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    ctx: WriteContext,
  ): KubeObject {
    if (!isPlainObject(patch)) {
      throw badRequest('a merge patch must be a JSON object');
    }
    const before = this.get(type, namespace, name);
    const patched = applyMergePatch(before, patch) as KubeObject;
    this.checkIdentity(type, patched, {
      namespace,
      name,
      requireTypeMeta: true,
    });
    const rv = patched.metadata.resourceVersion;
    if (
      isPlainObject(patch.metadata) &&
      patch.metadata.resourceVersion !== undefined &&
      rv !== before.metadata.resourceVersion
    ) {
      throw staleConflict(type, name);
    }
    this.validate(type, patched);
    return this.writeUpdate(type, before, patched, ctx);
  }

  /** JSON patch (RFC 6902): add, remove, replace, test, copy, move. */
  jsonPatch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    ctx: WriteContext,
  ): KubeObject {
    if (!Array.isArray(patch)) {
      throw badRequest('a JSON patch must be a JSON array of operations');
    }
    const before = this.get(type, namespace, name);
    const patched = applyJsonPatch(before, patch) as KubeObject;
    this.checkIdentity(type, patched, {
      namespace,
      name,
      requireTypeMeta: true,
    });
    this.validate(type, patched);
    return this.writeUpdate(type, before, patched, ctx);
  }

  /** Server-side apply; creates the object when it does not exist. */
  apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    ctx: WriteContext & { force: boolean },
  ): { object: KubeObject; created: boolean } {
    this.checkIdentity(type, body, { namespace, name, requireTypeMeta: true });
    const config = clone(body);
    for (const key of [
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'managedFields',
    ]) {
      if (key === 'resourceVersion' && config.metadata.resourceVersion) {
        continue;
      }
      delete config.metadata[key];
    }
    const before = this.store.get(type, namespace, name);
    if (config.metadata.resourceVersion !== undefined) {
      if (
        !before ||
        config.metadata.resourceVersion !== before.metadata.resourceVersion
      ) {
        throw staleConflict(type, name);
      }
      delete config.metadata.resourceVersion;
    }
    if (!before && ctx.subresource) throw notFound(type, name);
    this.validate(type, config);
    if (!before) this.requireNamespace(type, namespace);
    const onlyStatus = ctx.subresource === 'status';
    const ignoresStatus = !onlyStatus && this.hasStatus(type);
    let scope: ((path: string) => boolean) | undefined;
    if (onlyStatus) scope = isStatusPath;
    else if (ignoresStatus) scope = (p: string) => !isStatusPath(p);
    if (onlyStatus) {
      for (const key of Object.keys(config)) {
        if (!['apiVersion', 'kind', 'metadata', 'status'].includes(key))
          delete config[key];
      }
      config.metadata = {
        name: config.metadata.name,
        namespace: config.metadata.namespace,
      };
    } else if (ignoresStatus) {
      delete config.status;
    }
    const { object, entries } = applyConfiguration({
      current: before,
      config,
      entries: before
        ? (this.store.entries(type, namespace, name) as ManagerEntry[])
        : [],
      manager: ctx.fieldManager,
      force: ctx.force,
      subresource: ctx.subresource,
      apiVersion: groupVersionOf(type),
      scope,
    });
    if (!before) namespaceDefaults(type, object as KubeObject);
    secretDefaults(type, object as KubeObject);
    // After the field ownership is worked out: an applier owns only the
    // fields it sent, never a default.
    deploymentDefaults(type, object as KubeObject);
    const result = this.store.write({
      type,
      object: object as KubeObject,
      entries,
      dryRun: ctx.dryRun,
    });
    return { object: result.object, created: result.created };
  }

  /** Deletes an object and, in the background as the garbage collector would, its dependents. */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: { dryRun?: boolean; propagationPolicy?: string },
  ): KubeObject {
    const object = this.store.delete(type, namespace, name, options);
    if (!object) throw notFound(type, name);
    if (!options.dryRun) {
      if (type.kind === 'Namespace') {
        for (const { type: t, object: o } of this.store.all()) {
          if (t.namespaced && o.metadata.namespace === name) {
            this.store.delete(t, o.metadata.namespace, o.metadata.name!);
          }
        }
      }
      if (options.propagationPolicy !== 'Orphan') {
        this.collectDependents(object.metadata.uid!);
      }
    }
    return object;
  }

  private collectDependents(uid: string) {
    for (const { type, object } of this.store.all()) {
      if (object.metadata.ownerReferences?.some(r => r.uid === uid)) {
        const removed = this.store.delete(
          type,
          object.metadata.namespace,
          object.metadata.name!,
        );
        if (removed) this.collectDependents(removed.metadata.uid!);
      }
    }
  }
}

/** What the real server sets on a new Namespace: its name label and phase Active. */
function namespaceDefaults(type: ResourceType, object: KubeObject) {
  if (type !== namespaceType) return;
  object.metadata.labels = {
    ...object.metadata.labels,
    'kubernetes.io/metadata.name': object.metadata.name!,
  };
  object.status = { phase: 'Active' };
}

/** As the real server: a Secret's `stringData` is written into `data` (base64) and not kept. */
function secretDefaults(type: ResourceType, object: KubeObject) {
  if (type.kind !== 'Secret' || !isPlainObject(object.stringData)) return;
  const data: Record<string, unknown> = isPlainObject(object.data)
    ? { ...object.data }
    : {};
  for (const [key, value] of Object.entries(object.stringData)) {
    data[key] = Buffer.from(String(value)).toString('base64');
  }
  object.data = data;
  delete object.stringData;
}

/**
 * As the real server: a Deployment without `spec.replicas` gets 1, on every
 * write (so an apply that stops sending the field, which its manager owned,
 * leaves 1 until an autoscaler scales it).
 */
function deploymentDefaults(type: ResourceType, object: KubeObject) {
  if (type.kind !== 'Deployment') return;
  const spec = isPlainObject(object.spec) ? object.spec : {};
  if (spec.replicas === undefined || spec.replicas === null) {
    object.spec = { ...spec, replicas: 1 };
  }
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target)
    ? { ...target }
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

function unescapePointer(segment: string) {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 6902 JSON patch. */
export function applyJsonPatch(
  target: unknown,
  operations: unknown[],
): unknown {
  let doc = clone(target);
  const parse = (pointer: unknown) => {
    if (
      typeof pointer !== 'string' ||
      (pointer !== '' && !pointer.startsWith('/'))
    ) {
      throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`);
    }
    return pointer === ''
      ? []
      : pointer.slice(1).split('/').map(unescapePointer);
  };
  const locate = (segments: string[]) => {
    let parent: unknown = doc;
    for (const s of segments.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[Number(s)];
      else if (isPlainObject(parent)) parent = parent[s];
      else parent = undefined;
      if (parent === undefined) {
        throw new KubeStatusError({
          code: 422,
          reason: 'Invalid',
          message: `the server rejected our request due to an error in our request: doc is missing path: /${segments.join(
            '/',
          )}`,
        });
      }
    }
    return { parent, last: segments[segments.length - 1] };
  };
  const read = (segments: string[]) => {
    if (segments.length === 0) return doc;
    const { parent, last } = locate(segments);
    return Array.isArray(parent)
      ? parent[Number(last)]
      : (parent as Record<string, unknown>)[last];
  };
  const remove = (segments: string[]) => {
    const { parent, last } = locate(segments);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (isPlainObject(parent) && last in parent) delete parent[last];
    else throw badRequest(`doc is missing path: /${segments.join('/')}`);
  };
  const add = (segments: string[], value: unknown) => {
    if (segments.length === 0) {
      doc = clone(value);
      return;
    }
    const { parent, last } = locate(segments);
    if (Array.isArray(parent)) {
      parent.splice(
        last === '-' ? parent.length : Number(last),
        0,
        clone(value),
      );
    } else if (isPlainObject(parent)) {
      parent[last] = clone(value);
    }
  };
  for (const raw of operations) {
    if (!isPlainObject(raw))
      throw badRequest('each JSON patch operation must be an object');
    const path = parse(raw.path);
    switch (raw.op) {
      case 'add':
        add(path, raw.value);
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        remove(path);
        add(path, raw.value);
        break;
      case 'test':
        if (JSON.stringify(read(path)) !== JSON.stringify(raw.value)) {
          throw new KubeStatusError({
            code: 422,
            reason: 'Invalid',
            message: `the server rejected our request due to an error in our request: testing value /${path.join(
              '/',
            )} failed`,
          });
        }
        break;
      case 'copy':
        add(path, read(parse(raw.from)));
        break;
      case 'move': {
        const from = parse(raw.from);
        const value = read(from);
        remove(from);
        add(path, value);
        break;
      }
      default:
        throw badRequest(
          `unknown JSON patch operation ${JSON.stringify(raw.op)}`,
        );
    }
  }
  return doc;
}

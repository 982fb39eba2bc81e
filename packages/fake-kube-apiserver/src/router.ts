import type { ResourceRegistry, ResourceType } from './resources';
import { pathNotFound } from './status';

/** What a request path addresses. */
export type Route =
  | { kind: 'version' }
  | { kind: 'apiVersions' }
  | { kind: 'apiGroupList' }
  | { kind: 'apiGroup'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | {
      kind: 'resource';
      type: ResourceType;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** `/watch/` in the path. */
      watchPath: boolean;
    };

/**
 * Maps a path to what it addresses, as the real server does:
 * `/api/v1/namespaces/<ns>/pods/<name>/status`,
 * `/apis/apps/v1/deployments` (all namespaces), `/api/v1/watch/...`.
 * Unknown paths, and groups not installed, are 404s.
 */
export function route(path: string, registry: ResourceRegistry): Route {
  const segments = path
    .split('/')
    .filter(s => s.length > 0)
    .map(decodeURIComponent);
  if (segments.length === 1 && segments[0] === 'version') {
    return { kind: 'version' };
  }
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    if (segments.length === 1) return { kind: 'apiVersions' };
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    if (segments.length === 1) return { kind: 'apiGroupList' };
    group = segments[1];
    if (segments.length === 2) {
      if (registry.groups().some(g => g.name === group)) {
        return { kind: 'apiGroup', group };
      }
      throw pathNotFound();
    }
    version = segments[2];
    rest = segments.slice(3);
  } else {
    throw pathNotFound();
  }
  if (!registry.hasGroupVersion(group, version)) throw pathNotFound();
  if (rest.length === 0) return { kind: 'resourceList', group, version };

  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    registry.byPlural(group, version, rest[2])?.namespaced
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const type = registry.byPlural(group, version, rest[0]);
  if (!type || rest.length > 3) throw pathNotFound();
  if (namespace !== undefined && !type.namespaced) throw pathNotFound();
  const name = rest[1];
  const subresource = rest[2];
  if (subresource !== undefined && !type.subresources.includes(subresource)) {
    throw pathNotFound();
  }
  return { kind: 'resource', type, namespace, name, subresource, watchPath };
}

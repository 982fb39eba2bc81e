import type { KubeObject, RecordedRequest } from './types';

/**
 * What the real API server's RBAC authorizer decides on, read from a
 * recorded request as kube-apiserver's RequestInfoResolver reads it: the
 * verb (get, list, watch, create, patch, update, delete, deletecollection),
 * the API group, resource, subresource, namespace and name. Discovery and
 * other non-resource paths carry their path instead.
 */
export type RequestAttributes =
  | {
      resourceRequest: true;
      verb: string;
      apiGroup: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
    }
  | { resourceRequest: false; verb: string; path: string };

const APPLY_PATCH = 'application/apply-patch+yaml';

/** The attributes of one recorded request. */
export function requestAttributes(request: RecordedRequest): RequestAttributes {
  const method = request.method.toUpperCase();
  const parts = request.path.split('/').filter(Boolean);
  let rest: string[];
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiGroup = parts[1];
    rest = parts.slice(3);
  } else {
    return {
      resourceRequest: false,
      verb: method.toLowerCase(),
      path: request.path,
    };
  }
  if (rest.length === 0) {
    return {
      resourceRequest: false,
      verb: method.toLowerCase(),
      path: request.path,
    };
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}/... but /namespaces/{name} is the Namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const watch = request.query.watch === 'true' || request.query.watch === '1';
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) verb = 'watch';
      else verb = name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return {
    resourceRequest: true,
    verb,
    apiGroup,
    resource,
    ...(subresource ? { subresource } : {}),
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}

/**
 * The verbs RBAC must allow for a request: its own verb, and `create` too
 * for a server-side apply that created the object (Kubernetes authorises
 * such an apply as a create: "Patch and apply" in the API concepts).
 */
export function requiredVerbs(request: RecordedRequest): string[] {
  const attributes = requestAttributes(request);
  if (
    attributes.resourceRequest &&
    attributes.verb === 'patch' &&
    request.contentType?.startsWith(APPLY_PATCH) &&
    request.status === 201
  ) {
    return ['patch', 'create'];
  }
  return [attributes.verb];
}

type PolicyRule = {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
};

const matches = (values: string[] | undefined, value: string) =>
  (values ?? []).some(v => v === '*' || v === value);

function ruleAllows(
  rule: PolicyRule,
  attributes: RequestAttributes,
  verb: string,
): boolean {
  if (!matches(rule.verbs, verb)) return false;
  if (!attributes.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some(
      u =>
        u === '*' ||
        u === attributes.path ||
        (u.endsWith('*') && attributes.path.startsWith(u.slice(0, -1))),
    );
  }
  const resource = attributes.subresource
    ? `${attributes.resource}/${attributes.subresource}`
    : attributes.resource;
  return (
    matches(rule.apiGroups, attributes.apiGroup) &&
    matches(rule.resources, resource) &&
    (!rule.resourceNames?.length ||
      (attributes.name !== undefined &&
        rule.resourceNames.includes(attributes.name)))
  );
}

/**
 * The rules of RBAC objects (ClusterRoles bound by ClusterRoleBindings,
 * Roles bound by RoleBindings) for one subject, as the RBAC authorizer
 * applies them. For YAML that ships one Role to be repeated per team
 * namespace, `roleNamespaces` applies each Role as if it (and its binding)
 * were copied into the given namespaces, or into every namespace.
 */
export class RbacRules {
  private constructor(
    private readonly clusterRules: PolicyRule[],
    private readonly roles: Array<{ namespace: string; rules: PolicyRule[] }>,
    private readonly copiedInto: 'as-written' | 'every-namespace' | string[],
  ) {}

  static fromObjects(
    objects: KubeObject[],
    options: {
      subject: { kind: string; name: string; namespace?: string };
      roleNamespaces?: 'as-written' | 'every-namespace' | string[];
    },
  ): RbacRules {
    const bound = (o: KubeObject) =>
      ((o as { subjects?: Array<Record<string, string>> }).subjects ?? []).some(
        s =>
          s.kind === options.subject.kind &&
          s.name === options.subject.name &&
          (s.kind !== 'ServiceAccount' ||
            s.namespace === options.subject.namespace),
      );
    const roleRef = (o: KubeObject) =>
      (o as unknown as { roleRef: { kind: string; name: string } }).roleRef;
    const rulesOf = (kind: string, name: string, namespace?: string) =>
      (
        objects.find(
          o =>
            o.kind === kind &&
            o.metadata.name === name &&
            (kind === 'ClusterRole' || o.metadata.namespace === namespace),
        ) as { rules?: PolicyRule[] } | undefined
      )?.rules ?? [];
    const clusterRules = objects
      .filter(o => o.kind === 'ClusterRoleBinding' && bound(o))
      .flatMap(o => rulesOf('ClusterRole', roleRef(o).name));
    const roles = objects
      .filter(o => o.kind === 'RoleBinding' && bound(o))
      .map(o => ({
        namespace: o.metadata.namespace!,
        rules: rulesOf(roleRef(o).kind, roleRef(o).name, o.metadata.namespace),
      }));
    return new RbacRules(
      clusterRules,
      roles,
      options.roleNamespaces ?? 'as-written',
    );
  }

  /** Whether every verb the request needs is allowed; if not, which is missing. */
  check(request: RecordedRequest): { allowed: boolean; missing: string[] } {
    const attributes = requestAttributes(request);
    const applicable = [
      ...this.clusterRules,
      ...(attributes.resourceRequest && attributes.namespace
        ? this.roles
            .filter(r => {
              if (this.copiedInto === 'every-namespace') return true;
              if (this.copiedInto === 'as-written') {
                return r.namespace === attributes.namespace;
              }
              return this.copiedInto.includes(attributes.namespace!);
            })
            .flatMap(r => r.rules)
        : []),
    ];
    const missing = requiredVerbs(request).filter(
      verb => !applicable.some(rule => ruleAllows(rule, attributes, verb)),
    );
    return { allowed: missing.length === 0, missing };
  }
}

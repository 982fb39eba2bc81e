import { RbacRules, requestAttributes, requiredVerbs } from './rbac';
import type { KubeObject, RecordedRequest } from './types';

const req = (
  method: string,
  path: string,
  more: Partial<RecordedRequest> = {},
): RecordedRequest => ({ method, path, query: {}, ...more });

describe('requestAttributes', () => {
  it('reads verbs, groups, resources, namespaces and names as the API server does', () => {
    expect(
      requestAttributes(
        req('GET', '/apis/apps/v1/namespaces/chat/deployments/web'),
      ),
    ).toEqual({
      resourceRequest: true,
      verb: 'get',
      apiGroup: 'apps',
      resource: 'deployments',
      namespace: 'chat',
      name: 'web',
    });
    expect(
      requestAttributes(req('GET', '/api/v1/namespaces/chat/pods')),
    ).toMatchObject({
      verb: 'list',
      apiGroup: '',
      resource: 'pods',
      namespace: 'chat',
    });
    expect(
      requestAttributes(
        req('GET', '/apis/apps/v1/namespaces/chat/deployments', {
          query: { watch: 'true' },
        }),
      ),
    ).toMatchObject({ verb: 'watch' });
    // A Namespace is a cluster-scoped object of its own.
    expect(requestAttributes(req('GET', '/api/v1/namespaces/chat'))).toEqual({
      resourceRequest: true,
      verb: 'get',
      apiGroup: '',
      resource: 'namespaces',
      name: 'chat',
    });
    expect(
      requestAttributes(
        req('PATCH', '/apis/apps/v1/namespaces/a/deployments/x/status'),
      ),
    ).toMatchObject({ verb: 'patch', subresource: 'status' });
    expect(
      requestAttributes(req('DELETE', '/api/v1/namespaces/a/pods')),
    ).toMatchObject({
      verb: 'deletecollection',
    });
    expect(requestAttributes(req('GET', '/apis/apps/v1'))).toEqual({
      resourceRequest: false,
      verb: 'get',
      path: '/apis/apps/v1',
    });
  });

  it('asks for create as well when a server-side apply created the object', () => {
    const apply = (status: number) =>
      req('PATCH', '/api/v1/namespaces/a/services/x', {
        contentType: 'application/apply-patch+yaml',
        status,
      });
    expect(requiredVerbs(apply(201))).toEqual(['patch', 'create']);
    expect(requiredVerbs(apply(200))).toEqual(['patch']);
  });
});

describe('RbacRules', () => {
  const subject = { kind: 'ServiceAccount', name: 'portal', namespace: 'bs' };
  const objects = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'read' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'read' },
      roleRef: { kind: 'ClusterRole', name: 'read' },
      subjects: [subject],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'deploy', namespace: 'chat' },
      rules: [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'deploy', namespace: 'chat' },
      roleRef: { kind: 'Role', name: 'deploy' },
      subjects: [subject],
    },
  ] as unknown as KubeObject[];

  it('applies cluster rules everywhere and a Role only in its namespace', () => {
    const rules = RbacRules.fromObjects(objects, { subject });
    const patch = (ns: string) =>
      req('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/x`);
    expect(rules.check(req('GET', '/api/v1/nodes')).allowed).toBe(true);
    expect(rules.check(patch('chat')).allowed).toBe(true);
    expect(rules.check(patch('kube-system'))).toEqual({
      allowed: false,
      missing: ['patch'],
    });
    // A created object needs create too, which the Role does not grant.
    expect(
      rules.check(
        req('PATCH', '/apis/apps/v1/namespaces/chat/deployments/x', {
          contentType: 'application/apply-patch+yaml',
          status: 201,
        }),
      ),
    ).toEqual({ allowed: false, missing: ['create'] });
    // Another subject holds nothing.
    expect(
      RbacRules.fromObjects(objects, {
        subject: { ...subject, name: 'other' },
      }).check(req('GET', '/api/v1/nodes')).allowed,
    ).toBe(false);
  });

  it('can apply a Role shipped once as if copied into every namespace', () => {
    const rules = RbacRules.fromObjects(objects, {
      subject,
      roleNamespaces: 'every-namespace',
    });
    expect(
      rules.check(req('PATCH', '/apis/apps/v1/namespaces/search/deployments/x'))
        .allowed,
    ).toBe(true);
    // Never cluster-scoped requests.
    expect(rules.check(req('PATCH', '/api/v1/nodes/n1')).allowed).toBe(false);
  });

  it('can apply a Role shipped once as if copied into the given namespaces only', () => {
    const rules = RbacRules.fromObjects(objects, {
      subject,
      roleNamespaces: ['search', 'support'],
    });
    const patch = (ns: string) =>
      req('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/x`);
    expect(rules.check(patch('search')).allowed).toBe(true);
    expect(rules.check(patch('kube-system')).allowed).toBe(false);
  });
});

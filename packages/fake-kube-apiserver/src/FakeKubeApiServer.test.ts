import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from './FakeKubeApiServer';
import {
  applyObject,
  clientsFor,
  statusOf,
  loadClientNode,
  waitUntil,
} from './__testUtils__/clients';
import type { KubeObject } from './types';

function deployment(options?: {
  name?: string;
  namespace?: string;
  image?: string;
  replicas?: number;
}): KubeObject {
  const name = options?.name ?? 'chat';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: options?.namespace ?? 'team-a',
      labels: { app: name },
    },
    spec: {
      replicas: options?.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'vllm',
              image: options?.image ?? 'vllm/vllm-openai:v0.10.1',
              resources: {
                limits: { 'nvidia.com/gpu': '1' },
              },
            },
          ],
        },
      },
    },
  };
}

const ns = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

// client-node 1.x is a large ESM package: its first load can take seconds
// on a cold Jest cache (a fresh clone in CI). Load it once before the tests,
// with room for that, instead of inside one test's 5 s budget.
beforeAll(() => {
  loadClientNode();
}, 60_000);

describe('startFakeKubeApiServer', () => {
  let server: FakeKubeApiServer;

  afterEach(async () => {
    await server?.close();
  });

  describe('discovery', () => {
    it('serves the core and built-in groups, and optional groups only once installed', async () => {
      server = await startFakeKubeApiServer();
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`);
        return { status: res.status, body: await res.json() };
      };
      expect((await get('/version')).body).toMatchObject({ major: '1' });
      expect((await get('/api')).body).toMatchObject({
        kind: 'APIVersions',
        versions: ['v1'],
      });
      const core = await get('/api/v1');
      expect(core.body.resources.map((r: { name: string }) => r.name)).toEqual(
        expect.arrayContaining([
          'namespaces',
          'secrets',
          'configmaps',
          'services',
          'pods',
          'pods/status',
          'events',
          'nodes',
        ]),
      );
      const groups = (await get('/apis')).body.groups.map(
        (g: { name: string }) => g.name,
      );
      expect(groups).toEqual(
        expect.arrayContaining(['apps', 'autoscaling', 'policy']),
      );
      expect(groups).not.toContain('kueue.x-k8s.io');
      expect((await get('/apis/apps/v1')).body.resources).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'deployments', namespaced: true }),
          expect.objectContaining({ name: 'deployments/status' }),
        ]),
      );
      const missing = await get('/apis/kueue.x-k8s.io/v1beta2');
      expect(missing).toEqual({
        status: 404,
        body: expect.objectContaining({ kind: 'Status', reason: 'NotFound' }),
      });
      expect(
        (await get('/apis/kueue.x-k8s.io/v1beta2/clusterqueues')).status,
      ).toBe(404);

      server.installGroup('kueue');
      server.installGroup('keda');
      const kueue = await get('/apis/kueue.x-k8s.io/v1beta2');
      expect(kueue.status).toBe(200);
      expect(
        Object.fromEntries(
          kueue.body.resources
            .filter((r: { name: string }) => !r.name.includes('/'))
            .map((r: { kind: string; namespaced: boolean }) => [
              r.kind,
              r.namespaced,
            ]),
        ),
      ).toEqual({
        ClusterQueue: false,
        LocalQueue: true,
        ResourceFlavor: false,
      });
      // Current Kueue (v0.20 on) no longer serves v1beta1 (see kueue.test.ts).
      expect((await get('/apis/kueue.x-k8s.io/v1beta1')).status).toBe(404);
      expect((await get('/apis/keda.sh/v1alpha1')).status).toBe(200);
      expect((await get('/apis/monitoring.coreos.com/v1')).status).toBe(404);
      server.installGroup('prometheus-operator');
      expect(
        (await get('/apis/monitoring.coreos.com/v1')).body.resources,
      ).toEqual([
        expect.objectContaining({
          name: 'servicemonitors',
          kind: 'ServiceMonitor',
          namespaced: true,
        }),
        expect.objectContaining({
          name: 'prometheusrules',
          kind: 'PrometheusRule',
          namespaced: true,
        }),
      ]);
    });
  });

  describe('optional groups', () => {
    it('serves Kueue objects once installed, cluster-scoped and namespaced', async () => {
      server = await startFakeKubeApiServer({ groups: ['kueue'] });
      server.seed([
        {
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'ClusterQueue',
          metadata: { name: 'h100' },
          spec: { resourceGroups: [] },
          status: { admittedWorkloads: 2 },
        },
        {
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'LocalQueue',
          metadata: { name: 'team-a', namespace: 'team-a' },
          spec: { clusterQueue: 'h100' },
        },
      ]);
      const { custom, core } = clientsFor(server);
      const cq = (await custom.getClusterCustomObject({
        group: 'kueue.x-k8s.io',
        version: 'v1beta2',
        plural: 'clusterqueues',
        name: 'h100',
      })) as KubeObject;
      expect(cq.status).toEqual({ admittedWorkloads: 2 });
      const queues = (await custom.listClusterCustomObject({
        group: 'kueue.x-k8s.io',
        version: 'v1beta2',
        plural: 'localqueues',
      })) as { items: KubeObject[] };
      expect(queues.items).toEqual([
        expect.objectContaining({
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'LocalQueue',
          metadata: expect.objectContaining({ namespace: 'team-a' }),
        }),
      ]);
      // seed created the missing namespace, as a real one looks.
      const namespace = await core.readNamespace({ name: 'team-a' });
      expect(namespace.metadata?.labels).toEqual({
        'kubernetes.io/metadata.name': 'team-a',
      });
      expect(namespace.status?.phase).toBe('Active');

      server.uninstallGroup('kueue');
      const error = await custom
        .getClusterCustomObject({
          group: 'kueue.x-k8s.io',
          version: 'v1beta2',
          plural: 'clusterqueues',
          name: 'h100',
        })
        .catch(e => e);
      expect(error.code).toBe(404);
    });
  });

  describe('server-side apply', () => {
    beforeEach(async () => {
      server = await startFakeKubeApiServer({ seed: [ns('team-a')] });
    });

    it('creates, returns managedFields, and an identical apply changes nothing', async () => {
      const applied = await applyObject(server, deployment(), {
        manager: 'ai-platform',
        force: true,
      });
      expect(applied.metadata).toMatchObject({
        name: 'chat',
        namespace: 'team-a',
        generation: 1,
      });
      expect(applied.metadata?.uid).toBeTruthy();
      expect(applied.metadata?.creationTimestamp).toBeTruthy();
      const managed = applied.metadata?.managedFields ?? [];
      expect(managed).toEqual([
        expect.objectContaining({
          manager: 'ai-platform',
          operation: 'Apply',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
        }),
      ]);
      expect(managed[0].fieldsV1).toMatchObject({
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:template': {
            'f:spec': {
              'f:containers': {
                'k:{"name":"vllm"}': { '.': {}, 'f:image': {}, 'f:name': {} },
              },
            },
          },
        },
      });

      // Let the controller settle (it writes status and a revision annotation).
      await server.waitForObject(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'team-a',
          name: 'chat',
        },
        o => (o?.status as { readyReplicas?: number })?.readyReplicas === 2,
      );
      const settled = server.getObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'team-a',
        name: 'chat',
      })!;
      server.clearRequests();
      const again = await applyObject(server, deployment(), {
        manager: 'ai-platform',
        force: true,
      });
      expect(again.metadata?.resourceVersion).toBe(
        settled.metadata.resourceVersion,
      );
      expect(again.metadata?.generation).toBe(1);
      expect(
        server.requests
          .filter(r => r.method !== 'GET')
          .map(r => [r.method, r.status]),
      ).toEqual([['PATCH', 200]]);

      // A label change moves resourceVersion, not generation; a spec change moves both.
      const labelled = deployment();
      labelled.metadata.labels = { app: 'chat', team: 'a' };
      const relabelled = await applyObject(server, labelled, {
        manager: 'ai-platform',
        force: true,
      });
      expect(Number(relabelled.metadata?.resourceVersion)).toBeGreaterThan(
        Number(settled.metadata.resourceVersion),
      );
      expect(relabelled.metadata?.generation).toBe(1);
      const scaled = await applyObject(
        server,
        { ...labelled, spec: { ...(labelled.spec as object), replicas: 3 } },
        { manager: 'ai-platform', force: true },
      );
      expect(scaled.metadata?.generation).toBe(2);
    });

    it('removes the fields a manager stops applying', async () => {
      const cm = (data: Record<string, string>): KubeObject => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: 'team-a' },
        data,
      });
      await applyObject(server, cm({ a: '1', b: '2' }), { manager: 'm1' });
      await applyObject(
        server,
        { ...cm({}), data: { c: '3' } },
        { manager: 'm2' },
      );
      const after = await applyObject(server, cm({ a: '1' }), {
        manager: 'm1',
      });
      expect((after as unknown as { data: object }).data).toEqual({
        a: '1',
        c: '3',
      });
    });

    it('answers 409 Conflict naming the field and its manager, and force takes it over', async () => {
      await applyObject(server, deployment(), { manager: 'ai-platform' });
      const error = await applyObject(server, deployment({ replicas: 5 }), {
        manager: 'kubectl',
      }).catch(e => e);
      expect(error.code).toBe(409);
      const status = statusOf(error);
      expect(status).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Conflict',
        code: 409,
      });
      expect(status.message).toBe(
        'Apply failed with 1 conflict: conflict with "ai-platform" using apps/v1: .spec.replicas',
      );
      expect(status.details?.causes).toEqual([
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "ai-platform" using apps/v1',
          field: '.spec.replicas',
        },
      ]);

      // The same value is no conflict: both own it.
      await applyObject(server, deployment(), { manager: 'kubectl' });

      const forced = await applyObject(server, deployment({ replicas: 5 }), {
        manager: 'kubectl',
        force: true,
      });
      expect((forced.spec as { replicas: number }).replicas).toBe(5);
      const owners = forced.metadata?.managedFields?.map(m => ({
        manager: m.manager,
        replicas:
          'f:replicas' in
          ((m.fieldsV1 as { 'f:spec'?: object })?.['f:spec'] ?? {}),
      }));
      expect(owners).toEqual(
        expect.arrayContaining([
          { manager: 'ai-platform', replicas: false },
          { manager: 'kubectl', replicas: true },
        ]),
      );
    });

    it('requires fieldManager for apply, like the real server', async () => {
      const res = await fetch(
        `${server.url}/apis/apps/v1/namespaces/team-a/deployments/chat`,
        {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/apply-patch+yaml' },
          body: JSON.stringify(deployment()),
        },
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        reason: 'BadRequest',
        message: expect.stringContaining('fieldManager: Required value'),
      });
    });

    it('dryRun=All returns the would-be object and stores nothing', async () => {
      const rv = (
        await fetch(`${server.url}/api/v1/namespaces`).then(r => r.json())
      ).metadata.resourceVersion;
      const dry = await applyObject(server, deployment(), {
        manager: 'ai-platform',
        force: true,
        dryRun: true,
      });
      expect(dry.metadata?.name).toBe('chat');
      expect(dry.spec).toMatchObject({ replicas: 2 });
      expect(
        server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'team-a',
          name: 'chat',
        }),
      ).toBeUndefined();
      const after = (
        await fetch(`${server.url}/api/v1/namespaces`).then(r => r.json())
      ).metadata.resourceVersion;
      expect(after).toBe(rv);
      expect(server.listObjects({ apiVersion: 'v1', kind: 'Pod' })).toEqual([]);
    });

    it('refuses objects in a namespace that does not exist', async () => {
      const error = await applyObject(
        server,
        deployment({ namespace: 'nope' }),
        { manager: 'ai-platform', force: true },
      ).catch(e => e);
      expect(error.code).toBe(404);
      expect(statusOf(error)).toMatchObject({
        reason: 'NotFound',
        message: 'namespaces "nope" not found',
      });
    });
  });

  describe('create, read, update, patch, delete', () => {
    beforeEach(async () => {
      server = await startFakeKubeApiServer({ seed: [ns('team-a')] });
    });

    it('supports the usual verbs with real-server errors', async () => {
      const { core } = clientsFor(server);
      const created = await core.createNamespacedSecret({
        namespace: 'team-a',
        body: {
          metadata: { name: 'hf-token', labels: { app: 'chat' } },
          stringData: { token: 'x' },
        },
      });
      expect(created.metadata?.resourceVersion).toBeTruthy();
      const dup = await core
        .createNamespacedSecret({
          namespace: 'team-a',
          body: { metadata: { name: 'hf-token' } },
        })
        .catch(e => e);
      expect(dup.code).toBe(409);
      expect(statusOf(dup)).toMatchObject({
        reason: 'AlreadyExists',
        message: 'secrets "hf-token" already exists',
      });

      // stringData is written into data, as the real server does.
      expect(created.data).toEqual({ token: 'eA==' });
      expect(created.stringData).toBeUndefined();
      const applied = await applyObject(
        server,
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'applied', namespace: 'team-a' },
          stringData: { token: 'x' },
        },
        { manager: 'ai-platform' },
      );
      const again = await applyObject(
        server,
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'applied', namespace: 'team-a' },
          stringData: { token: 'x' },
        },
        { manager: 'ai-platform' },
      );
      expect(again.metadata?.resourceVersion).toBe(
        applied.metadata?.resourceVersion,
      );

      const read = await core.readNamespacedSecret({
        name: 'hf-token',
        namespace: 'team-a',
      });
      expect(read.metadata?.labels).toEqual({ app: 'chat' });

      const stale = await core
        .replaceNamespacedSecret({
          name: 'hf-token',
          namespace: 'team-a',
          body: { metadata: { name: 'hf-token', resourceVersion: '1' } },
        })
        .catch(e => e);
      expect(stale.code).toBe(409);
      expect(statusOf(stale).message).toContain('the object has been modified');

      const patched = await fetch(
        `${server.url}/api/v1/namespaces/team-a/secrets/hf-token`,
        {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: JSON.stringify({
            metadata: { labels: { app: null, tier: 'gpu' } },
          }),
        },
      ).then(r => r.json());
      expect(patched.metadata.labels).toEqual({ tier: 'gpu' });

      const jsonPatched = await fetch(
        `${server.url}/api/v1/namespaces/team-a/secrets/hf-token`,
        {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json-patch+json' },
          body: JSON.stringify([
            { op: 'add', path: '/metadata/labels/x', value: 'y' },
          ]),
        },
      ).then(r => r.json());
      expect(jsonPatched.metadata.labels).toEqual({ tier: 'gpu', x: 'y' });

      await core.deleteNamespacedSecret({
        name: 'hf-token',
        namespace: 'team-a',
      });
      const gone = await core
        .readNamespacedSecret({ name: 'hf-token', namespace: 'team-a' })
        .catch(e => e);
      expect(gone.code).toBe(404);
      expect(statusOf(gone).message).toBe('secrets "hf-token" not found');
    });

    it('keeps status out of main-resource writes and spec out of /status', async () => {
      const { apps } = clientsFor(server);
      const d = deployment({ replicas: 0 });
      d.status = { replicas: 99 };
      await apps.createNamespacedDeployment({
        namespace: 'team-a',
        body: d as never,
      });
      const stored = server.getObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'team-a',
        name: 'chat',
      })!;
      expect(
        (stored.status as { replicas?: number } | undefined)?.replicas,
      ).not.toBe(99);
      const res = await fetch(
        `${server.url}/apis/apps/v1/namespaces/team-a/deployments/chat/status`,
        {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: JSON.stringify({
            spec: { replicas: 7 },
            status: { replicas: 3 },
          }),
        },
      ).then(r => r.json());
      expect(res.status.replicas).toBe(3);
      expect(res.spec.replicas).toBe(0);
    });

    it('answers 401 without the token when one is set', async () => {
      await server.close();
      server = await startFakeKubeApiServer({ token: 'sa-token' });
      const res = await fetch(`${server.url}/api/v1/namespaces`);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        kind: 'Status',
        reason: 'Unauthorized',
        code: 401,
      });
      const { core } = clientsFor(server);
      const list = await core.listNamespace();
      expect(list.items.map(n => n.metadata?.name)).toContain('default');
    });
  });

  describe('list and watch', () => {
    beforeEach(async () => {
      server = await startFakeKubeApiServer({
        seed: [
          ns('team-a'),
          ns('team-b'),
          ...([
            ['a1', 'team-a', { app: 'chat', tier: 'gpu' }],
            ['a2', 'team-a', { app: 'embed', tier: 'cpu' }],
            ['b1', 'team-b', { app: 'chat' }],
          ].map(([name, namespace, labels]) => ({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace, labels },
          })) as KubeObject[]),
        ],
      });
    });

    it('filters by label and field selectors, in one namespace or all', async () => {
      const { core } = clientsFor(server);
      const names = async (
        labelSelector?: string,
        fieldSelector?: string,
        namespace?: string,
      ) => {
        const list = namespace
          ? await core.listNamespacedConfigMap({
              namespace,
              labelSelector,
              fieldSelector,
            })
          : await core.listConfigMapForAllNamespaces({
              labelSelector,
              fieldSelector,
            });
        return list.items.map(i => i.metadata?.name);
      };
      expect(await names()).toEqual(['a1', 'a2', 'b1']);
      expect(await names(undefined, undefined, 'team-a')).toEqual(['a1', 'a2']);
      expect(await names('app=chat')).toEqual(['a1', 'b1']);
      expect(await names('app!=chat')).toEqual(['a2']);
      expect(await names('app in (chat,embed),tier')).toEqual(['a1', 'a2']);
      expect(await names('app notin (chat)')).toEqual(['a2']);
      expect(await names('!tier')).toEqual(['b1']);
      expect(await names(undefined, 'metadata.name=a2')).toEqual(['a2']);
      expect(await names(undefined, 'metadata.namespace!=team-a')).toEqual([
        'b1',
      ]);

      const raw = await fetch(`${server.url}/api/v1/configmaps?limit=2`).then(
        r => r.json(),
      );
      expect(raw).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
      expect(raw.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(raw.items).toHaveLength(2);
      const rest = await fetch(
        `${server.url}/api/v1/configmaps?limit=2&continue=${encodeURIComponent(
          raw.metadata.continue,
        )}`,
      ).then(r => r.json());
      expect(rest.items.map((i: KubeObject) => i.metadata.name)).toEqual([
        'b1',
      ]);

      const bad = await core
        .listConfigMapForAllNamespaces({ fieldSelector: 'data.x=1' })
        .catch(e => e);
      expect(bad.code).toBe(400);
      expect(statusOf(bad).message).toBe('field label not supported: data.x');
    });

    it('streams watch events to client-node Watch, resuming after a resourceVersion', async () => {
      const { k8s, kc, core } = clientsFor(server);
      const list = await core.listNamespacedConfigMap({ namespace: 'team-a' });
      const events: string[] = [];
      const done = new Promise<unknown>(resolve => {
        void new k8s.Watch(kc).watch(
          '/api/v1/namespaces/team-a/configmaps',
          {
            resourceVersion: list.metadata?.resourceVersion,
            timeoutSeconds: 1,
          },
          (type, object) => events.push(`${type} ${object.metadata.name}`),
          resolve,
        );
      });
      await new Promise(r => setTimeout(r, 50));
      await core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: { metadata: { name: 'a3' } },
      });
      await core.patchNamespacedConfigMap({
        namespace: 'team-a',
        name: 'a3',
        // client-node 1.x sends patches as JSON patch by default.
        body: [{ op: 'add', path: '/data', value: { k: 'v' } }],
      });
      await core.deleteNamespacedConfigMap({ namespace: 'team-a', name: 'a3' });
      await core.createNamespacedConfigMap({
        namespace: 'team-b',
        body: { metadata: { name: 'b2' } },
      });
      expect(await done).toBeNull();
      expect(events).toEqual(['ADDED a3', 'MODIFIED a3', 'DELETED a3']);

      // From resourceVersion "0": the current objects as ADDED.
      const initial = await fetch(
        `${server.url}/api/v1/watch/namespaces/team-a/configmaps?timeoutSeconds=1`,
      ).then(r => r.text());
      expect(
        initial
          .trim()
          .split('\n')
          .map(
            l => `${JSON.parse(l).type} ${JSON.parse(l).object.metadata.name}`,
          ),
      ).toEqual(['ADDED a1', 'ADDED a2']);
    });

    it('ends a watch when its client goes away, keeping no timer or subscription', async () => {
      const { k8s, kc } = clientsFor(server);
      const events: string[] = [];
      const controller = await new k8s.Watch(kc).watch(
        '/api/v1/namespaces/team-a/configmaps',
        // Long enough to keep a process alive for an hour if it leaked.
        { timeoutSeconds: 3600 },
        (type, object) => events.push(`${type} ${object.metadata.name}`),
        () => {},
      );
      await waitUntil(() => events.length === 2);
      expect(server.openWatches).toBe(1);
      controller.abort();
      await waitUntil(() => server.openWatches === 0);
      expect(server.openWatches).toBe(0);
    });
  });

  describe('fault injection and request recording', () => {
    beforeEach(async () => {
      server = await startFakeKubeApiServer({ seed: [ns('team-a')] });
    });

    it('answers an injected status, then serves normally', async () => {
      const { core } = clientsFor(server);
      server.injectFault({
        method: 'GET',
        path: '/api/v1/namespaces',
        kind: 'status',
        code: 503,
        times: 2,
      });
      for (let i = 0; i < 2; i++) {
        const error = await core.listNamespace().catch(e => e);
        expect(error.code).toBe(503);
        expect(statusOf(error)).toMatchObject({
          reason: 'ServiceUnavailable',
          code: 503,
        });
      }
      await expect(core.listNamespace()).resolves.toBeDefined();
      expect(
        server.requests.map(r => [r.method, r.path, r.status, r.fault]),
      ).toEqual([
        ['GET', '/api/v1/namespaces', 503, 'status'],
        ['GET', '/api/v1/namespaces', 503, 'status'],
        ['GET', '/api/v1/namespaces', 200, undefined],
      ]);
      server.clearRequests();
      expect(server.requests).toEqual([]);
    });

    it('never answers a timed-out request, so a client timeout fires', async () => {
      const { core } = clientsFor(server);
      server.injectFault({ path: /\/namespaces\/team-a$/, kind: 'timeout' });
      const started = Date.now();
      const error = await core
        .readNamespace(
          { name: 'team-a' },
          {
            // client-node's ObjectParamAPI hands options to its Observable layer as they are.
            middleware: [
              {
                pre: (ctx: { setSignal(signal: AbortSignal): void }) => {
                  ctx.setSignal(AbortSignal.timeout(200));
                  return { toPromise: () => Promise.resolve(ctx) };
                },
                post: (res: unknown) => ({
                  toPromise: () => Promise.resolve(res),
                }),
              } as never,
            ],
            middlewareMergeStrategy: 'append',
          },
        )
        .catch(e => e);
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toMatch(/abort/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(server.requests[0]).toMatchObject({
        path: '/api/v1/namespaces/team-a',
        fault: 'timeout',
      });
      expect(server.requests[0].status).toBeUndefined();
      // A delayed answer arrives late but whole.
      server.injectFault({ kind: 'timeout', delayMs: 100 });
      const t0 = Date.now();
      await expect(
        core.readNamespace({ name: 'team-a' }),
      ).resolves.toMatchObject({
        metadata: { name: 'team-a' },
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    });

    it('drops the connection', async () => {
      const { core } = clientsFor(server);
      server.injectFault({ method: 'POST', kind: 'drop' });
      const error = await core
        .createNamespacedConfigMap({
          namespace: 'team-a',
          body: { metadata: { name: 'x' } },
        })
        .catch(e => e);
      expect(String(error)).toMatch(/socket hang up|ECONNRESET|closed/i);
      expect(server.requests[0]).toMatchObject({
        method: 'POST',
        contentType: 'application/json',
        body: { metadata: { name: 'x' } },
        fault: 'drop',
      });
      expect(
        server.listObjects({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'team-a',
        }),
      ).toEqual([]);
    });
  });
});

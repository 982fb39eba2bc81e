import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import { requestCheckedAgainstSpec as request } from '../__testUtils__/specResponses';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import { L4_NODES } from '../deploy/__testUtils__/deployHarness';
import { aiPlatformPlugin } from '../plugin';

jest.setTimeout(60_000);

const entities = loadExampleEntities([
  'org.yaml',
  'models.yaml',
  'gpu-pools.yaml',
  'endpoints.yaml',
]);
const bob = mockCredentials.user.header('user:default/bob');
const STAGING = 'inferenceendpoint:default/chat-assistant-staging';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('deployment routes', () => {
  let cluster: FakeKubeApiServer;
  let server: any;
  let denied: any;

  async function start(result: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
    const knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        aiPlatformPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result }),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            ...cluster.backstageConfig('gpu-eu-west'),
            aiPlatform: {
              cost: { collector: { enabled: false } },
              deploy: {
                rolloutTimeoutSeconds: 10,
                progressIntervalSeconds: 1,
                // The fake's Namespace has no owner annotation: config says.
                namespaces: {
                  'gpu-eu-west': {
                    'chat-staging': ['group:default/applied-ml'],
                  },
                },
              },
            },
          },
        }),
      ],
    });
    return backend.server;
  }

  beforeAll(async () => {
    cluster = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'secret-token',
      rolloutDelayMs: 10,
      namespaces: ['default', 'chat-staging'],
      nodes: L4_NODES,
    });
    server = await start(AuthorizeResult.ALLOW);
    denied = await start(AuthorizeResult.DENY);
  });

  afterAll(async () => {
    await cluster.close();
  });

  const post = (path: string, body: object, s = server) =>
    request(s)
      .post(`/api/ai-platform${path}`)
      .set('Authorization', bob)
      .send(body);
  const get = (path: string, s = server) =>
    request(s).get(`/api/ai-platform${path}`).set('Authorization', bob);

  it('deploys and answers 201 with the final record when asked to wait', async () => {
    const res = await post('/deployments', { endpoint: STAGING, wait: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      endpointRef: STAGING,
      state: 'succeeded',
      revision: 1,
    });
    expect(res.body.manifests).toBeUndefined();

    const one = await get(`/deployments/${res.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(res.body.id);

    const list = await get(`/deployments?endpoint=${STAGING}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: any) => r.revision)).toEqual([1]);
  });

  it('answers 202 while a deployment runs, and the record can be polled to the end', async () => {
    const res = await post(
      '/endpoints/default/chat-assistant-staging/promote',
      { modelVersion: 'v2-fp8' },
    );
    expect([201, 202]).toContain(res.status);
    let record = res.body;
    for (let i = 0; i < 100 && !record.finishedAt; i++) {
      await new Promise(r => setTimeout(r, 50));
      record = (await get(`/deployments/${record.id}`)).body;
    }
    expect(record).toMatchObject({
      state: 'succeeded',
      modelVersion: 'v2-fp8',
    });
  });

  it('rolls back and reports the live status', async () => {
    const res = await post(
      '/endpoints/default/chat-assistant-staging/rollback',
      {
        reason: 'fp8 latency regression in staging',
        wait: true,
      },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      operation: 'rollback',
      modelVersion: 'v2',
    });

    const running = await get('/deployments/running');
    expect(running.status).toBe(200);
    expect(running.body.items).toEqual([
      expect.objectContaining({
        endpointRef: STAGING,
        modelVersion: 'v2',
        revision: res.body.revision,
      }),
    ]);

    const status = await get(
      '/endpoints/default/chat-assistant-staging/status',
    );
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      clusterConfigured: true,
      runningModelVersion: 'v2',
      deployment: { name: 'chat-assistant-staging' },
    });
  });

  it('renders and sizes', async () => {
    const rendered = await post('/render', { endpoint: STAGING });
    expect(rendered.status).toBe(200);
    expect(rendered.body.objects.map((o: any) => o.kind)).toEqual([
      'ServiceAccount',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
    const sized = await post('/sizing', {
      model: 'model:default/llama-3-1-70b-instruct',
      modelVersion: 'v1',
      pool: 'gpupool:default/h100-inference',
      maxModelLen: 32768,
    });
    expect(sized.status).toBe(200);
    expect(sized.body.sizing).toMatchObject({
      fits: true,
      tensorParallelSize: 4,
    });
    const tooBig = await post('/sizing', {
      model: 'model:default/llama-3-1-70b-instruct',
      modelVersion: 'v1',
      pool: 'gpupool:default/l4-inference',
    });
    expect(tooBig.status).toBe(200);
    expect(tooBig.body.sizing.fits).toBe(false);
  });

  it('answers 400 naming the field', async () => {
    const noEndpoint = await post('/deployments', { wait: true });
    expect(noEndpoint.status).toBe(400);
    expect(noEndpoint.body.error.message).toContain('endpoint');
    const overrideWithoutReason = await post('/deployments', {
      endpoint: STAGING,
      overrideGates: true,
    });
    expect(overrideWithoutReason.status).toBe(400);
    expect(overrideWithoutReason.body.error.message).toContain(
      'reason: overrideGates needs a reason',
    );
    for (const [path, flag] of [
      ['/deployments', 'adopt'],
      ['/endpoints/default/chat-assistant-staging/promote', 'allowDeprecated'],
      ['/endpoints/default/chat-assistant-staging/rollback', 'adopt'],
    ] as const) {
      const withoutReason = await post(path, {
        ...(path === '/deployments' ? { endpoint: STAGING } : {}),
        ...(path.endsWith('promote') ? { modelVersion: 'v2' } : {}),
        [flag]: true,
      });
      expect({ path, status: withoutReason.status }).toEqual({
        path,
        status: 400,
      });
      expect(withoutReason.body.error.message).toContain(
        `reason: ${flag} needs a reason`,
      );
    }
    const badVersion = await post(
      '/endpoints/default/chat-assistant-staging/promote',
      { modelVersion: 'v9' },
    );
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error.message).toContain('has no version "v9"');
    const badSizing = await post('/sizing', {
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v1',
      pool: 'model:default/llama-3-1-8b-instruct',
    });
    expect(badSizing.status).toBe(400);
    expect(badSizing.body.error.message).toContain(
      'pool: must refer to a GpuPool',
    );
  });

  it('answers 401 without credentials', async () => {
    const res = await request(server)
      .post('/api/ai-platform/deployments')
      .set('Authorization', mockCredentials.none.header())
      .send({ endpoint: STAGING });
    expect(res.status).toBe(401);
    const list = await request(server)
      .get('/api/ai-platform/deployments')
      .set('Authorization', mockCredentials.none.header());
    expect(list.status).toBe(401);
  });

  it('answers 403 without permission', async () => {
    const res = await post(
      '/deployments',
      { endpoint: STAGING, wait: true },
      denied,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'may not deploy inferenceendpoint:default/chat-assistant-staging',
    );
    // Also when the caller does not wait for the record.
    for (const path of [
      '/deployments',
      '/endpoints/default/chat-assistant-staging/promote',
    ]) {
      const quick = await post(
        path,
        path === '/deployments'
          ? { endpoint: STAGING }
          : { modelVersion: 'v2' },
        denied,
      );
      expect({ path, status: quick.status }).toEqual({ path, status: 403 });
    }
  });

  it('answers 404 for unknown endpoints and deployments', async () => {
    const unknown = await post('/deployments', {
      endpoint: 'inferenceendpoint:default/nope',
    });
    expect(unknown.status).toBe(404);
    expect((await get('/deployments/nope')).status).toBe(404);
    expect((await get('/endpoints/default/nope/status')).status).toBe(404);
    const sizing = await post('/sizing', {
      model: 'model:default/nope',
      modelVersion: 'v1',
      pool: 'gpupool:default/l4-inference',
    });
    expect(sizing.status).toBe(404);
  });
});

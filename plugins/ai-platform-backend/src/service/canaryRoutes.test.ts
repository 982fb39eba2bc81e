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
import type { Knex } from 'knex';
import { requestCheckedAgainstSpec as request } from '../__testUtils__/specResponses';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import { L4_NODES } from '../deploy/__testUtils__/deployHarness';
import { aiPlatformPlugin } from '../plugin';

jest.setTimeout(120_000);

// The staging endpoint with a DNS name of its own: the canary's HTTPRoute
// matches its callers by that host (a route without one is refused).
const entities = loadExampleEntities([
  'org.yaml',
  'models.yaml',
  'gpu-pools.yaml',
  'endpoints.yaml',
]).map(e =>
  e.metadata.name === 'chat-assistant-staging'
    ? {
        ...e,
        spec: {
          ...e.spec,
          url: 'https://chat-staging.inference.example.com/v1',
        },
      }
    : e,
);
const bob = mockCredentials.user.header('user:default/bob');
const STAGING = 'inferenceendpoint:default/chat-assistant-staging';
const BASE = '/endpoints/default/chat-assistant-staging';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * The canary routes end to end: the plugin with the real Gateway API
 * engine against the fake API server (serving gateway.networking.k8s.io,
 * not Argo Rollouts), each route's 200/400/401/403/404 and its audit record.
 */
describe('canary routes', () => {
  let cluster: FakeKubeApiServer;
  let server: any;
  let denied: any;
  let knex: Knex;
  let deniedKnex: Knex;

  async function start(result: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
    const db = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        aiPlatformPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result }),
        mockServices.database.factory({ knex: db }),
        mockServices.rootConfig.factory({
          data: {
            ...cluster.backstageConfig('gpu-eu-west'),
            aiPlatform: {
              cost: { collector: { enabled: false } },
              deploy: {
                rolloutTimeoutSeconds: 20,
                progressIntervalSeconds: 1,
                namespaces: {
                  'gpu-eu-west': {
                    'chat-staging': ['group:default/applied-ml'],
                  },
                },
                clusters: {
                  'gpu-eu-west': {
                    canary: {
                      gateway: { name: 'public', namespace: 'gateways' },
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    return { server: backend.server, knex: db };
  }

  beforeAll(async () => {
    cluster = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'secret-token',
      rolloutDelayMs: 10,
      namespaces: ['default', 'chat-staging', 'gateways'],
      nodes: L4_NODES,
      groups: ['gateway-api'],
    });
    ({ server, knex } = await start(AuthorizeResult.ALLOW));
    ({ server: denied, knex: deniedKnex } = await start(AuthorizeResult.DENY));
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
  const audit = async (action: string) =>
    knex('audit_log').where('action', action).orderBy('seq', 'asc');
  // The denied backend has its own database.
  const deniedAudit = async (action: string) =>
    deniedKnex('audit_log').where('action', action).orderBy('seq', 'asc');

  const promoteCanary = (modelVersion: string, extra: object = {}) =>
    post(`${BASE}/promote`, {
      modelVersion,
      strategy: 'canary',
      canary: {
        steps: [{ weight: 50, pause: { approval: true } }, { weight: 100 }],
      },
      wait: true,
      ...extra,
    });

  it('answers 404 before the endpoint has had a canary, and 401 without credentials', async () => {
    const none = await get(`${BASE}/canary`);
    expect(none.status).toBe(404);
    const anonymous = await request(server)
      .get(`/api/ai-platform${BASE}/canary`)
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const anonymousAbort = await request(server)
      .post(`/api/ai-platform${BASE}/canary/abort`)
      .set('Authorization', mockCredentials.none.header())
      .send({ reason: 'no credentials at all' });
    expect(anonymousAbort.status).toBe(401);
  });

  it('refuses bad steps with 400 naming the field, audited', async () => {
    const first = await post('/deployments', { endpoint: STAGING, wait: true });
    expect(first.status).toBe(201);
    const bad = await post(`${BASE}/promote`, {
      modelVersion: 'v2-fp8',
      strategy: 'canary',
      canary: { steps: [{ weight: 50 }, { weight: 40 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/canary\.steps\[1\]\.weight/);
    const records = await audit('endpoint.promote');
    expect(records.at(-1)).toMatchObject({ outcome: 'failure' });
  });

  it('a dry run tells the engine, the steps, the GPUs and the split', async () => {
    const dry = await promoteCanary('v2-fp8', { dryRun: true });
    expect(dry.status).toBe(201);
    expect(dry.body.state).toBe('dry-run');
    expect(dry.body.canary).toMatchObject({
      engine: 'gateway-api',
      steps: [{ weight: 50 }, { weight: 100 }],
      splits: [
        { desiredCanaryPercent: 50, basis: 'route-weights' },
        { desiredCanaryPercent: 100 },
      ],
    });
    expect(dry.body.canary.reservedGpus).toBeGreaterThan(0);
  });

  it('promotes with a canary, answers its status, and each action is 200/400/403/404/409 with one audit record per call', async () => {
    const started = await promoteCanary('v2-fp8');
    expect(started.status).toBe(202);
    expect(started.body.state).toBe('canary');

    const status = await get(`${BASE}/canary`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      endpointRef: STAGING,
      deploymentId: started.body.id,
      engine: 'gateway-api',
      stableVersion: 'v2',
      canaryVersion: 'v2-fp8',
      stepIndex: 0,
      phase: 'awaiting-approval',
      analysis: { status: 'none' },
    });

    // 409: an approval step has no pause to skip.
    const advance = await post(`${BASE}/canary/advance`, {});
    expect(advance.status).toBe(409);
    expect(await audit('endpoint.canary.advance')).toEqual([
      expect.objectContaining({ outcome: 'failure', target: STAGING }),
    ]);

    // 400: a reason too short.
    const short = await post(`${BASE}/canary/approve`, { reason: 'ok' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/reason/);
    // 403: the permission is denied.
    const forbidden = await post(
      `${BASE}/canary/approve`,
      { reason: 'latency holds in staging' },
      denied,
    );
    expect(forbidden.status).toBe(403);
    // 404: no such endpoint.
    const missing = await post(
      '/endpoints/default/no-such-endpoint/canary/approve',
      {},
    );
    expect(missing.status).toBe(404);
    // 200: approved; the last step completes the canary after the answer
    // (the stable Deployment rolls out to the new version).
    const approved = await post(`${BASE}/canary/approve`, {
      reason: 'latency holds in staging',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ phase: 'progressing', stepIndex: 1 });
    for (let i = 0; i < 200; i++) {
      const now = await get(`${BASE}/canary`);
      if (now.body.phase !== 'progressing') break;
      await new Promise(r => setTimeout(r, 50));
    }
    expect((await get(`${BASE}/canary`)).body.phase).toBe('succeeded');
    const approveRecords = await audit('endpoint.canary.approve');
    // 400 and 404 here; the 403 in the denied backend's database.
    expect(approveRecords.map((r: any) => r.outcome)).toEqual([
      'failure',
      'failure',
      'success',
    ]);
    expect(await deniedAudit('endpoint.canary.approve')).toEqual([
      expect.objectContaining({ outcome: 'failure', target: STAGING }),
    ]);
    expect(approveRecords.at(-1)).toMatchObject({
      actor: 'user:default/bob',
      target: STAGING,
    });
    const record = await get(`/deployments/${started.body.id}`);
    expect(record.body.state).toBe('succeeded');

    // 409: it has ended.
    const late = await post(`${BASE}/canary/abort`, {
      reason: 'too late for this one',
    });
    expect(late.status).toBe(409);
  });

  it('aborts: 400 without a reason, 403 denied, 404 unknown, 200 back to stable', async () => {
    const started = await promoteCanary('v2');
    expect(started.body.state).toBe('canary');
    const before = (await audit('endpoint.canary.abort')).length;
    expect((await post(`${BASE}/canary/abort`, {})).status).toBe(400);
    expect(
      (
        await post(
          `${BASE}/canary/abort`,
          { reason: 'answers look wrong' },
          denied,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await post('/endpoints/default/no-such-endpoint/canary/abort', {
          reason: 'answers look wrong',
        })
      ).status,
    ).toBe(404);
    const aborted = await post(`${BASE}/canary/abort`, {
      reason: 'answers look wrong',
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body.phase).toBe('aborted');
    const records = await audit('endpoint.canary.abort');
    expect(records.slice(before).map((r: any) => r.outcome)).toEqual([
      'failure',
      'failure',
      'success',
    ]);
    const record = await get(`/deployments/${started.body.id}`);
    expect(record.body).toMatchObject({
      state: 'failed',
      error: { check: 'rollout' },
    });
    expect(
      (await deniedAudit('endpoint.canary.abort')).map((r: any) => r.outcome),
    ).toEqual(['failure']);
  });
});

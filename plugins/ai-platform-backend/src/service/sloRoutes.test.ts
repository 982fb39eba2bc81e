import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  type FakePrometheus,
  startFakePrometheus,
  trafficProfile,
} from '@internal/fake-prometheus';
import { requestCheckedAgainstSpec as request } from '../__testUtils__/specResponses';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import { aiPlatformPlugin } from '../plugin';

jest.setTimeout(60_000);

const entities = loadExampleEntities([
  'org.yaml',
  'models.yaml',
  'gpu-pools.yaml',
  'endpoints.yaml',
]);
const bob = mockCredentials.user.header('user:default/bob');
// The plugin reads at the real time: the simulated pods started a day before it.
const NOW = Math.floor(Date.now() / 1000);

describe('SLO routes', () => {
  let prometheus: FakePrometheus;
  let server: any;
  let denied: any;

  async function start(result: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
    const backend = await startTestBackend({
      features: [
        aiPlatformPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result }),
        mockServices.rootConfig.factory({
          data: {
            aiPlatform: {
              cost: {
                collector: { enabled: false },
                prometheus: {
                  clusters: { 'gpu-eu-west': { url: prometheus.url } },
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
    prometheus = await startFakePrometheus({
      routes: [{ path: '', clusters: [] }],
      now: () => NOW,
      pods: async () =>
        ['abcde', 'fghij'].map(suffix => ({
          cluster: 'gpu-eu-west',
          namespace: 'chat',
          name: `chat-assistant-prod-7d9f8b6c5d-${suffix}`,
          startedAt: NOW - 86_400,
          instance: 'chat-assistant-prod',
          servedModelName: 'llama-3-1-8b-instruct',
          gpus: 1,
        })),
    });
    server = await start(AuthorizeResult.ALLOW);
    denied = await start(AuthorizeResult.DENY);
  });

  afterAll(() => prometheus.close());

  const get = (path: string, s = server) =>
    request(s).get(`/api/ai-platform${path}`).set('Authorization', bob);

  it('answers 200 with an endpoint report read from its pods', async () => {
    const res = await get('/slo/endpoints/default/chat-assistant-prod');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      teamRef: 'group:default/applied-ml',
      cluster: 'gpu-eu-west',
      namespace: 'chat',
      windowDays: 28,
      source: { kind: 'prometheus', url: prometheus.url },
    });
    const availability = res.body.objectives.find(
      (o: any) => o.kind === 'availability',
    );
    const { serverErrorShare } = trafficProfile('chat', 'chat-assistant-prod');
    expect(availability.budgetLeft).toBeCloseTo(
      1 - serverErrorShare / 0.001,
      1,
    );
    expect(res.body.objectives.map((o: any) => o.kind)).toEqual([
      'availability',
      'ttft',
      'latency',
    ]);
    expect(res.body.trend.length).toBeGreaterThan(0);
  });

  it('answers 200 with the fleet, least budget left first, and by team', async () => {
    const res = await get('/slo');
    expect(res.status).toBe(200);
    const refs = res.body.items.map((i: any) => i.endpointRef);
    // Every example endpoint with targets; the one with figures first.
    expect(refs[0]).toBe('inferenceendpoint:default/chat-assistant-prod');
    expect(res.body.items[0].budgetLeft).toEqual(expect.any(Number));
    expect(refs).toEqual(
      expect.arrayContaining([
        'inferenceendpoint:default/reasoning-70b-prod',
        'inferenceendpoint:default/embeddings-bge-m3',
      ]),
    );
    expect(refs).not.toContain(
      'inferenceendpoint:default/chat-assistant-staging',
    );
    // An endpoint on a cluster without Prometheus says how to enable it.
    const reasoning = res.body.items.find(
      (i: any) =>
        i.endpointRef === 'inferenceendpoint:default/reasoning-70b-prod',
    );
    expect(reasoning.source.reason).toContain(
      'aiPlatform.cost.prometheus.clusters.gpu-us-east.url',
    );
    expect(reasoning.trend).toBeUndefined();

    const team = await get('/slo?team=group:default/search-relevance');
    expect(team.status).toBe(200);
    expect(team.body.items.map((i: any) => i.endpointRef)).toEqual([
      'inferenceendpoint:default/embeddings-bge-m3',
    ]);
  });

  it('answers 400 for a malformed team or endpoint name', async () => {
    const team = await get('/slo?team=model:default/x');
    expect(team.status).toBe(400);
    expect(team.body.error.message).toContain('team');
    const name = await get('/slo/endpoints/default/bad%20name');
    expect(name.status).toBe(400);
    expect(name.body.error.message).toContain('name');
  });

  it('answers 401 without credentials', async () => {
    for (const path of ['/slo', '/slo/endpoints/default/chat-assistant-prod']) {
      const res = await request(server)
        .get(`/api/ai-platform${path}`)
        .set('Authorization', mockCredentials.none.header());
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
  });

  it('answers 403 when the endpoint may not be read', async () => {
    const res = await get('/slo/endpoints/default/chat-assistant-prod', denied);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('catalog.entity.read');
  });

  it('answers 404 for an unknown endpoint', async () => {
    const res = await get('/slo/endpoints/default/nope');
    expect(res.status).toBe(404);
  });

  it('leaves no audit record: the routes only read', async () => {
    await get('/slo');
    await get('/slo/endpoints/default/chat-assistant-prod');
    await get('/slo/endpoints/default/nope');
    const audit = await get('/audit');
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([]);
  });
});

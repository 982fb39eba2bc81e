import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import path from 'path';
import { requestCheckedAgainstSpec as request } from '../__testUtils__/specResponses';
import { parseAllDocuments } from 'yaml';
import type { ClusterObservation } from '../cost/clusterObservation';
import { DatabaseClusterObservationStore } from '../cost/DatabaseClusterObservationStore';
import { aiPlatformPlugin } from '../plugin';

jest.setTimeout(60_000);

const examples = path.resolve(__dirname, '../../../../examples');
const entities = ['org.yaml', 'gpu-pools.yaml', 'endpoints.yaml'].flatMap(f =>
  parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
    d => d.toJS() as Entity,
  ),
);
const bob = mockCredentials.user.header('user:default/bob');
/** A user the permission policy grants nothing (bob may read cost). */
const mallory = mockCredentials.user.header('user:default/mallory');
const PROD = 'inferenceendpoint:default/chat-assistant-prod';
const L4 = 'gpupool:default/l4-inference';
const OBSERVED_AT = Date.parse('2026-12-07T10:00:00Z') / 1000;

/** gpu-eu-west as the collector listed it: chat-assistant-prod runs two pods. */
const eastWest: ClusterObservation = {
  cluster: 'gpu-eu-west',
  observedAt: OBSERVED_AT,
  workloads: [
    {
      namespace: 'chat',
      name: 'chat-assistant-prod',
      kubernetesId: 'chat-assistant-prod',
      endpoint: PROD,
      owner: 'group:default/applied-ml',
    },
  ],
  pods: ['abcde', 'fghij'].map(suffix => ({
    namespace: 'chat',
    name: `chat-assistant-prod-7d9f8c6b5-${suffix}`,
    kubernetesId: 'chat-assistant-prod',
    workload: 'chat-assistant-prod',
    nodeName: 'l4-1',
    phase: 'Running',
    requests: { 'nvidia.com/gpu': 1 },
    since: OBSERVED_AT - 3600,
  })),
};

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * GET /fleet/running (the cost page's data: needs the cost read permission)
 * and GET /quotas/usage (read by every signed-in user, like the quota pages;
 * no permission to refuse, so no 403), from the collector's stored listings.
 */
describe('what-runs routes', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    ({ server } = await startTestBackend({
      features: [
        aiPlatformPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({
          authorize: async (requests, opts) =>
            requests.map(() => ({
              result:
                (opts?.credentials.principal as { userEntityRef?: string })
                  ?.userEntityRef === 'user:default/bob'
                  ? AuthorizeResult.ALLOW
                  : AuthorizeResult.DENY,
            })),
        }).factory,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: { aiPlatform: { cost: { collector: { enabled: false } } } },
        }),
      ],
    }));
    const store = DatabaseClusterObservationStore.create({ knex });
    await store.save(eastWest);
    await store.markFailed({
      cluster: 'gpu-us-east',
      at: OBSERVED_AT,
      failure: 'connect ECONNREFUSED 10.0.0.1:443',
    });
    await knex('gpu_allocations').insert({
      endpoint_ref: 'inferenceendpoint:default/chat-assistant-staging',
      team_ref: 'group:default/applied-ml',
      pool_ref: L4,
      gpus: 1,
      updated_by: 'test',
      updated_at: new Date().toISOString(),
    });
  });

  const get = (url: string, auth = bob) =>
    request(server).get(`/api/ai-platform${url}`).set('Authorization', auth);

  it('GET /fleet/running: refused to a caller who may not read cost (403)', async () => {
    const res = await get('/fleet/running', mallory);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('chat-assistant-prod');
    // Quota use stays open to every signed-in user.
    expect((await get(`/quotas/usage?pool=${L4}`, mallory)).status).toBe(200);
  });

  it('GET /fleet/running: each endpoint with its state and basis (200, 400, 401, 404)', async () => {
    const res = await get('/fleet/running');
    expect(res.status).toBe(200);
    const byName = (name: string) =>
      res.body.endpoints.find((e: { endpointRef: string }) =>
        e.endpointRef.endsWith(`/${name}`),
      );
    expect(byName('chat-assistant-prod')).toMatchObject({
      state: 'running',
      origin: 'portal',
      gpus: 2,
      runningPods: 2,
      basis: 'cluster-state',
      observedAt: '2026-12-07T10:00:00.000Z',
    });
    expect(byName('chat-assistant-staging')).toMatchObject({
      state: 'declared-not-running',
      gpus: 0,
      basis: 'cluster-state',
    });
    // Never read: unknown, and why.
    expect(byName('reasoning-70b-prod')).toMatchObject({
      state: 'unknown',
      basis: 'none',
      reason: 'connect ECONNREFUSED 10.0.0.1:443',
    });

    const one = await get(`/fleet/running?endpoint=${PROD}`);
    expect(one.status).toBe(200);
    expect(one.body.endpoints).toHaveLength(1);
    expect(one.body.clusters).toEqual([
      {
        cluster: 'gpu-eu-west',
        basis: 'cluster-state',
        observedAt: '2026-12-07T10:00:00.000Z',
      },
    ]);

    const bad = await get('/fleet/running?endpoint=group:default/x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /endpoint: must refer to a InferenceEndpoint/,
    );
    expect(
      (await get('/fleet/running', mockCredentials.none.header())).status,
    ).toBe(401);
    const missing = await get(
      '/fleet/running?endpoint=inferenceendpoint:default/nope',
    );
    expect(missing.status).toBe(404);
  });

  it('GET /quotas/usage: reserved beside running, with drift (200, 400, 401, 404)', async () => {
    const res = await get(`/quotas/usage?pool=${L4}`);
    expect(res.status).toBe(200);
    const appliedMl = res.body.items.find(
      (i: { team: string }) => i.team === 'group:default/applied-ml',
    );
    expect(appliedMl).toMatchObject({
      pool: L4,
      cluster: 'gpu-eu-west',
      reserved: 1,
      running: 2,
      basis: 'cluster-state',
    });
    expect(appliedMl.drift.map((d: { kind: string }) => d.kind)).toEqual([
      'running-over-reserved',
      'running-without-record',
      'record-not-running',
    ]);
    expect(appliedMl.declaredNotRunning).toContain(
      'inferenceendpoint:default/chat-assistant-staging',
    );
    expect((await get('/quotas/usage?team=')).status).toBe(400);
    expect(
      (await get('/quotas/usage', mockCredentials.none.header())).status,
    ).toBe(401);
    expect((await get('/quotas/usage?pool=gpupool:default/nope')).status).toBe(
      404,
    );
  });
});

import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { DatabaseAuditStore } from '../audit/DatabaseAuditStore';
import type { AuditRecord } from '../audit/types';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import { aiPlatformPlugin } from '../plugin';

jest.setTimeout(120_000);

/**
 * Every mutating route refuses bad input (400), a caller without the
 * permission (403), what does not exist (404) and a conflict (409) where it
 * has them; each refusal leaves exactly one audit record naming the caller,
 * the action, the outcome and the reason, and nothing else.
 */

const entities = loadExampleEntities([
  'org.yaml',
  'models.yaml',
  'gpu-pools.yaml',
  'endpoints.yaml',
]);
const BOB = 'user:default/bob';
const bob = mockCredentials.user.header(BOB);
const MODEL = 'model:default/llama-3-1-8b-instruct';
const TEAM = 'group:default/applied-ml';
const POOL = 'gpupool:default/h100-inference';
const NO_POOL = 'gpupool:default/no-such-pool';
const STAGING = 'inferenceendpoint:default/chat-assistant-staging';
const REASON = 'a reason long enough to be accepted';

type Method = 'post' | 'put' | 'delete';

type Refusal = {
  route: string;
  status: 400 | 403 | 404 | 409;
  method: Method;
  path: string | (() => string);
  body: object;
  action: string;
  /** The target recorded, when the call names one that parsed. */
  target?: string;
  reason: string | RegExp;
};

const evalRun = (model: string) => ({
  model,
  version: 'v2',
  format: 'generic',
  results: { scores: [{ task: 'mmlu', metric: 'acc', value: 0.7 }] },
});
const gateOverride = (model: string) => ({
  model,
  version: 'v2',
  task: 'mmlu',
  metric: 'acc',
  reason: REASON,
});

/** Set by the test before the decision cases run: a request already approved. */
let decidedRequestId = '';

const refusals: Refusal[] = [
  // POST /evals/runs
  {
    route: 'POST /evals/runs',
    status: 400,
    method: 'post',
    path: '/evals/runs',
    body: { model: MODEL, format: 'csv', results: {} },
    action: 'eval.ingest',
    reason: /^Invalid body: version: .*format: /,
  },
  {
    route: 'POST /evals/runs',
    status: 403,
    method: 'post',
    path: '/evals/runs',
    body: evalRun(MODEL),
    action: 'eval.ingest',
    target: MODEL,
    reason: `You are not allowed to ai-platform.eval.write on ${MODEL}`,
  },
  {
    route: 'POST /evals/runs',
    status: 404,
    method: 'post',
    path: '/evals/runs',
    body: evalRun('model:default/no-such-model'),
    action: 'eval.ingest',
    target: 'model:default/no-such-model',
    reason: 'model:default/no-such-model is not in the catalog',
  },
  // POST /gates/overrides
  {
    route: 'POST /gates/overrides',
    status: 400,
    method: 'post',
    path: '/gates/overrides',
    body: { ...gateOverride(MODEL), reason: 'short' },
    action: 'gate.override',
    reason: 'Invalid body: reason: give a reason of at least 10 characters',
  },
  {
    route: 'POST /gates/overrides',
    status: 403,
    method: 'post',
    path: '/gates/overrides',
    body: gateOverride(MODEL),
    action: 'gate.override',
    target: MODEL,
    reason: 'You are not allowed to ai-platform.gate.override',
  },
  {
    route: 'POST /gates/overrides',
    status: 404,
    method: 'post',
    path: '/gates/overrides',
    body: gateOverride('model:default/no-such-model'),
    action: 'gate.override',
    target: 'model:default/no-such-model',
    reason: 'model:default/no-such-model is not in the catalog',
  },
  // PUT /quotas/overrides
  {
    route: 'PUT /quotas/overrides',
    status: 400,
    method: 'put',
    path: '/quotas/overrides',
    body: { team: TEAM, pool: POOL, gpus: -1, reason: REASON },
    action: 'quota.update',
    reason: /^Invalid body: gpus: /,
  },
  {
    // Above the pool's capacity (issue 15): refused by the service, with the capacity named.
    route: 'PUT /quotas/overrides',
    status: 400,
    method: 'put',
    path: '/quotas/overrides',
    body: { team: TEAM, pool: POOL, gpus: 1000, reason: REASON },
    action: 'quota.update',
    target: TEAM,
    reason: `gpus: 1000 GPUs for ${TEAM} exceeds the capacity of ${POOL} (`,
  },
  {
    route: 'PUT /quotas/overrides',
    status: 403,
    method: 'put',
    path: '/quotas/overrides',
    body: { team: TEAM, pool: POOL, gpus: 10, reason: REASON },
    action: 'quota.update',
    target: TEAM,
    reason: 'You are not allowed to ai-platform.quota.manage',
  },
  {
    route: 'PUT /quotas/overrides',
    status: 404,
    method: 'put',
    path: '/quotas/overrides',
    body: { team: TEAM, pool: NO_POOL, gpus: 10, reason: REASON },
    action: 'quota.update',
    target: TEAM,
    reason: `${NO_POOL} is not in the catalog`,
  },
  // DELETE /quotas/overrides
  {
    route: 'DELETE /quotas/overrides',
    status: 400,
    method: 'delete',
    path: '/quotas/overrides',
    body: { team: 'not a ref at all:/', pool: POOL, reason: REASON },
    action: 'quota.clear',
    reason: /^Invalid body: team: must be an entity ref/,
  },
  {
    route: 'DELETE /quotas/overrides',
    status: 403,
    method: 'delete',
    path: '/quotas/overrides',
    body: { team: TEAM, pool: POOL, reason: REASON },
    action: 'quota.clear',
    target: TEAM,
    reason: 'You are not allowed to ai-platform.quota.manage',
  },
  {
    route: 'DELETE /quotas/overrides',
    status: 404,
    method: 'delete',
    path: '/quotas/overrides',
    // Data Science has no override (the approval below gives Applied ML one).
    body: { team: 'group:default/data-science', pool: POOL, reason: REASON },
    action: 'quota.clear',
    target: 'group:default/data-science',
    reason: `group:default/data-science has no override on ${POOL}`,
  },
  // POST /quota-requests
  {
    route: 'POST /quota-requests',
    status: 400,
    method: 'post',
    path: '/quota-requests',
    body: { team: TEAM, pool: POOL, gpus: 0, reason: REASON },
    action: 'quota.request',
    reason: /^Invalid body: gpus: /,
  },
  {
    route: 'POST /quota-requests',
    status: 403,
    method: 'post',
    path: '/quota-requests',
    body: { team: TEAM, pool: POOL, gpus: 20, reason: REASON },
    action: 'quota.request',
    target: TEAM,
    reason: `You are not allowed to ai-platform.quota.request on ${TEAM}`,
  },
  {
    route: 'POST /quota-requests',
    status: 404,
    method: 'post',
    path: '/quota-requests',
    body: { team: TEAM, pool: NO_POOL, gpus: 20, reason: REASON },
    action: 'quota.request',
    target: TEAM,
    reason: `${NO_POOL} is not in the catalog`,
  },
  // POST /quota-requests/:id/decision
  {
    route: 'POST /quota-requests/:id/decision',
    status: 400,
    method: 'post',
    path: '/quota-requests/some-id/decision',
    body: { decision: 'maybe', reason: REASON },
    action: 'quota.request.decide',
    reason: /^Invalid body: decision: /,
  },
  {
    route: 'POST /quota-requests/:id/decision',
    status: 403,
    method: 'post',
    path: '/quota-requests/some-id/decision',
    body: { decision: 'approve', reason: REASON },
    action: 'quota.request.approve',
    reason: 'You are not allowed to ai-platform.quota.manage',
  },
  {
    route: 'POST /quota-requests/:id/decision',
    status: 404,
    method: 'post',
    path: '/quota-requests/no-such-request/decision',
    body: { decision: 'reject', reason: REASON },
    action: 'quota.request.reject',
    reason: 'quota request no-such-request does not exist',
  },
  {
    route: 'POST /quota-requests/:id/decision',
    status: 409,
    method: 'post',
    path: () => `/quota-requests/${decidedRequestId}/decision`,
    body: { decision: 'approve', reason: REASON },
    action: 'quota.request.approve',
    target: TEAM,
    reason: /already approved/,
  },
  // PUT /cost/budgets
  {
    route: 'PUT /cost/budgets',
    status: 400,
    method: 'put',
    path: '/cost/budgets',
    body: {
      team: TEAM,
      month: '2026-13',
      amount: 100,
      currency: 'usd',
      reason: REASON,
    },
    action: 'budget.update',
    reason: /^Invalid body: month: .*currency: /,
  },
  {
    route: 'PUT /cost/budgets',
    status: 403,
    method: 'put',
    path: '/cost/budgets',
    body: {
      team: TEAM,
      month: '2026-12',
      amount: 100,
      currency: 'USD',
      reason: REASON,
    },
    action: 'budget.update',
    target: TEAM,
    reason: 'You are not allowed to ai-platform.budget.manage',
  },
  // POST /deployments: the body is refused before DeploymentService runs;
  // DeploymentService records the rest.
  {
    route: 'POST /deployments',
    status: 400,
    method: 'post',
    path: '/deployments',
    body: { endpoint: STAGING, overrideGates: true },
    action: 'endpoint.deploy',
    reason: 'Invalid body: reason: overrideGates needs a reason',
  },
  {
    route: 'POST /deployments',
    status: 403,
    method: 'post',
    path: '/deployments',
    body: { endpoint: STAGING },
    action: 'endpoint.deploy',
    target: STAGING,
    reason: `${BOB} may not deploy ${STAGING} (permission ai-platform.endpoint.deploy, decided for owner group:default/applied-ml on pool gpupool:default/l4-inference)`,
  },
  {
    route: 'POST /deployments',
    status: 404,
    method: 'post',
    path: '/deployments',
    body: { endpoint: 'inferenceendpoint:default/no-such-endpoint' },
    action: 'endpoint.deploy',
    target: 'inferenceendpoint:default/no-such-endpoint',
    reason: 'inferenceendpoint:default/no-such-endpoint is not in the catalog',
  },
  // POST /endpoints/:namespace/:name/promote
  {
    route: 'POST /endpoints/:namespace/:name/promote',
    status: 400,
    method: 'post',
    path: '/endpoints/default/chat-assistant-staging/promote',
    body: {},
    action: 'endpoint.promote',
    reason: /^Invalid body: modelVersion: /,
  },
  {
    route: 'POST /endpoints/:namespace/:name/promote',
    status: 403,
    method: 'post',
    path: '/endpoints/default/chat-assistant-staging/promote',
    body: { modelVersion: 'v2' },
    action: 'endpoint.promote',
    target: STAGING,
    reason: `${BOB} may not deploy ${STAGING} (permission ai-platform.endpoint.deploy, decided for owner group:default/applied-ml on pool gpupool:default/l4-inference)`,
  },
  {
    route: 'POST /endpoints/:namespace/:name/promote',
    status: 404,
    method: 'post',
    path: '/endpoints/default/no-such-endpoint/promote',
    body: { modelVersion: 'v2' },
    action: 'endpoint.promote',
    target: 'inferenceendpoint:default/no-such-endpoint',
    reason: 'inferenceendpoint:default/no-such-endpoint is not in the catalog',
  },
  // POST /endpoints/:namespace/:name/rollback
  {
    route: 'POST /endpoints/:namespace/:name/rollback',
    status: 400,
    method: 'post',
    path: '/endpoints/default/chat-assistant-staging/rollback',
    body: { toRevision: 0 },
    action: 'endpoint.rollback',
    reason: /^Invalid body: toRevision: /,
  },
  {
    route: 'POST /endpoints/:namespace/:name/rollback',
    status: 404,
    method: 'post',
    path: '/endpoints/default/no-such-endpoint/rollback',
    body: {},
    action: 'endpoint.rollback',
    target: 'inferenceendpoint:default/no-such-endpoint',
    reason: 'inferenceendpoint:default/no-such-endpoint is not in the catalog',
  },
  {
    route: 'POST /endpoints/:namespace/:name/rollback',
    status: 409,
    method: 'post',
    path: '/endpoints/default/chat-assistant-staging/rollback',
    body: {},
    action: 'endpoint.rollback',
    target: STAGING,
    reason: `${STAGING} has no earlier revision to roll back to`,
  },
];

/** The mutating routes of openapi.yaml; each must have refusals above. */
const MUTATING_ROUTES = [
  'POST /evals/runs',
  'POST /gates/overrides',
  'PUT /quotas/overrides',
  'DELETE /quotas/overrides',
  'POST /quota-requests',
  'POST /quota-requests/:id/decision',
  'PUT /cost/budgets',
  'POST /deployments',
  'POST /endpoints/:namespace/:name/promote',
  'POST /endpoints/:namespace/:name/rollback',
];

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'refused mutations on %s',
  databaseId => {
    const servers = {} as Record<
      'allowed' | 'denied',
      { server: any; audit: DatabaseAuditStore }
    >;

    beforeAll(async () => {
      for (const [name, result] of [
        ['allowed', AuthorizeResult.ALLOW],
        ['denied', AuthorizeResult.DENY],
      ] as const) {
        const knex = await databases.init(databaseId);
        const { server } = await startTestBackend({
          features: [
            aiPlatformPlugin,
            catalogServiceMock.factory({ entities }),
            mockServices.permissions.factory({ result }),
            mockServices.database.factory({ knex }),
            mockServices.rootConfig.factory({
              data: { aiPlatform: { cost: { collector: { enabled: false } } } },
            }),
          ],
        });
        servers[name] = { server, audit: DatabaseAuditStore.create({ knex }) };
      }
    });

    const send = (server: any, method: Method, path: string, body: object) =>
      request(server)
        [method](`/api/ai-platform${path}`)
        .set('Authorization', bob)
        .send(body);

    const allRecords = async (audit: DatabaseAuditStore) =>
      (await audit.query({ limit: 500 })).items;

    it('covers every mutating route with its refusals', () => {
      expect([...new Set(refusals.map(r => r.route))].sort()).toEqual(
        [...MUTATING_ROUTES].sort(),
      );
    });

    it('a decided quota request exists for the 409 case', async () => {
      const { server } = servers.allowed;
      const created = await send(server, 'post', '/quota-requests', {
        team: TEAM,
        pool: POOL,
        gpus: 20,
        reason: REASON,
      });
      expect(created.status).toBe(201);
      decidedRequestId = created.body.id;
      const approved = await send(
        server,
        'post',
        `/quota-requests/${decidedRequestId}/decision`,
        { decision: 'approve', reason: REASON },
      );
      expect(approved.status).toBe(200);
    });

    it.each(refusals.map(r => [`${r.route} ${r.status}`, r] as const))(
      '%s leaves exactly one failure record, naming the caller, the action and the reason',
      async (_name, refusal) => {
        const { server, audit } =
          servers[refusal.status === 403 ? 'denied' : 'allowed'];
        const before = await allRecords(audit);
        const path =
          typeof refusal.path === 'function' ? refusal.path() : refusal.path;

        const res = await send(server, refusal.method, path, refusal.body);
        expect(res.status).toBe(refusal.status);

        const after = await allRecords(audit);
        const added = after.filter(
          r => !before.some(b => b.seq === r.seq),
        ) as AuditRecord[];
        expect(added).toHaveLength(1);
        const [record] = added;
        expect(record).toMatchObject({
          actor: BOB,
          action: refusal.action,
          outcome: 'failure',
        });
        expect(record.target ?? undefined).toBe(refusal.target);
        expect(record.message).toMatch(refusal.reason);
        // The caller is told the same reason that is recorded.
        expect(res.body.error.message).toBe(record.message);
        // A call that did not parse is recorded with its method and path.
        expect(record.request).toMatchObject(
          refusal.status === 400 && refusal.target === undefined
            ? { method: refusal.method.toUpperCase(), path }
            : {},
        );
        expect(await audit.verify()).toMatchObject({ ok: true });
      },
    );
  },
);

import express from 'express';
import request from 'supertest';
import {
  auditActionFinder,
  createValidatedRouter,
} from './createValidatedRouter';
import type { Mutations } from './mutation';
import { specInput } from './validate';

describe('auditActionFinder', () => {
  const find = auditActionFinder({
    paths: {
      '/quotas/overrides': {
        get: {},
        put: { 'x-audit-action': 'quota.update' },
      },
      '/endpoints/{namespace}/{name}/promote': {
        post: { 'x-audit-action': 'endpoint.promote' },
      },
      '/a.b': { post: { 'x-audit-action': 'dot' } },
    },
  });

  it('finds the action of the operation a request calls', () => {
    expect(find('PUT', '/quotas/overrides')).toBe('quota.update');
    expect(find('PUT', '/quotas/overrides/')).toBe('quota.update');
    expect(find('POST', '/endpoints/default/chat/promote')).toBe(
      'endpoint.promote',
    );
  });

  it('finds none for reads, other methods, other paths and look-alikes', () => {
    expect(find('GET', '/quotas/overrides')).toBeUndefined();
    expect(find('DELETE', '/quotas/overrides')).toBeUndefined();
    expect(find('POST', '/endpoints/default/chat/x/promote')).toBeUndefined();
    expect(find('POST', '/axb')).toBeUndefined();
  });
});

describe('createValidatedRouter', () => {
  const refusals: Array<{ action: string; message: string }> = [];
  const mutations = {
    recordRefusal: async (_req: unknown, action: string, error: Error) => {
      refusals.push({ action, message: error.message });
    },
  } as unknown as Mutations;
  const router = createValidatedRouter({ mutations });
  let handled = 0;
  router.post('/endpoints/:namespace/:name/rollback', (_req, res) => {
    handled += 1;
    res.json({});
  });
  router.put('/quotas/overrides', (_req, res) => {
    handled += 1;
    res.json({});
  });
  router.get('/quotas', (_req, res) => {
    handled += 1;
    res.json({ items: [] });
  });
  router.get('/evals/runs', (req, res) => {
    handled += 1;
    res.json(specInput(req, 'GET /evals/runs').query);
  });
  const app = express()
    .use('/api/ai-platform', router)
    .use(
      (
        error: Error,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res
          .status(error.name === 'InputError' ? 400 : 500)
          .json({ error: { name: error.name, message: error.message } });
      },
    );

  beforeEach(() => {
    refusals.length = 0;
    handled = 0;
  });

  it('refuses bad input on a mutating route before its handler, with one refusal recorded under its action', async () => {
    const res = await request(app)
      .put('/api/ai-platform/quotas/overrides')
      .send({ team: 'group:default/a', pool: 'p', gpus: 1.5, reason: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Invalid body: gpus: must be integer; reason: give a reason of at least 10 characters',
    );
    expect(refusals).toEqual([
      { action: 'quota.update', message: res.body.error.message },
    ]);
    expect(handled).toBe(0);
  });

  it('refuses bad input on a read without a record', async () => {
    const res = await request(app).get('/api/ai-platform/quotas?colour=red');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Invalid query: colour: is not a parameter of this route',
    );
    expect(refusals).toEqual([]);
    expect(handled).toBe(0);
  });

  it('hands the route the query as the spec types it, and refuses blank names', async () => {
    const ok = await request(app).get(
      '/api/ai-platform/evals/runs?model=model:default/x&limit=5',
    );
    expect(ok.body).toEqual({ model: 'model:default/x', limit: 5 });
    const blank = await request(app).get(
      '/api/ai-platform/evals/runs?model=%20%20&version=v1',
    );
    expect(blank.status).toBe(400);
    expect(blank.body.error.message).toBe(
      'Invalid query: model: must not be blank',
    );
    expect(handled).toBe(1);
  });

  it('refuses a time that is not an ISO date-time', async () => {
    const res = await request(app).get('/api/ai-platform/audit?from=yesterday');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid query: from: /);
    expect(handled).toBe(0);
  });

  it('accepts entity refs unencoded in queries, and an optional body left out', async () => {
    expect(
      (await request(app).get('/api/ai-platform/quotas?pool=gpupool:default/x'))
        .status,
    ).toBe(200);
    expect(
      (await request(app).post('/api/ai-platform/endpoints/default/x/rollback'))
        .status,
    ).toBe(200);
    expect(handled).toBe(2);
    expect(refusals).toEqual([]);
  });
});

import express from 'express';
import {
  operationOf,
  requestCheckedAgainstSpec,
  responseProblems,
} from './specResponses';

const check = {
  team: 'group:default/a',
  pool: 'gpupool:default/p',
  gpus: 2,
  allowed: true,
  reasons: [],
  quota: 8,
  used: 4,
  teamFree: 4,
  poolCapacity: 16,
  poolUsed: 10,
  poolFree: 6,
};

describe('responses checked against the spec', () => {
  it('finds the operation of a path', () => {
    expect(operationOf('GET', '/deployments/abc')).toBe('/deployments/{id}');
    expect(operationOf('GET', '/deployments/running')).toBe(
      '/deployments/running',
    );
    expect(operationOf('PATCH', '/deployments/abc')).toBeUndefined();
  });

  it('accepts an answer that matches, and an error answer', () => {
    expect(
      responseProblems({
        method: 'GET',
        path: '/quotas/check',
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: check,
      }),
    ).toEqual([]);
    expect(
      responseProblems({
        method: 'PUT',
        path: '/quotas/overrides',
        status: 400,
        contentType: 'application/json; charset=utf-8',
        body: { error: { name: 'InputError', message: 'x' } },
      }),
    ).toEqual([]);
  });

  it('names each way an answer differs from the spec', () => {
    expect(
      responseProblems({
        method: 'GET',
        path: '/quotas/check',
        status: 200,
        contentType: 'application/json',
        body: { ...check, allowed: 'yes', reasons: [1], poolFree: undefined },
      }),
    ).toEqual([
      "GET /quotas/check 200: body must have required property 'poolFree'",
      'GET /quotas/check 200: body/allowed must be boolean',
      'GET /quotas/check 200: body/reasons/0 must be string',
    ]);
    expect(
      responseProblems({
        method: 'GET',
        path: '/quotas/check',
        status: 418,
        contentType: 'application/json',
        body: {},
      }),
    ).toEqual(['GET /quotas/check answered 418, which the spec does not list']);
    expect(
      responseProblems({
        method: 'GET',
        path: '/cost/export',
        status: 200,
        contentType: 'application/json',
        body: {},
      }),
    ).toEqual([
      'GET /cost/export answered 200 as application/json; the spec says text/csv',
    ]);
  });

  it('fails a route test whose answer does not match', async () => {
    const app = express().get('/api/ai-platform/quotas/check', (_req, res) => {
      res.json({ ...check, allowed: 'yes' });
    });
    await expect(
      requestCheckedAgainstSpec(app).get('/api/ai-platform/quotas/check'),
    ).rejects.toThrow(
      'The answer does not match openapi.yaml:\nGET /quotas/check 200: body/allowed must be boolean',
    );
  });
});

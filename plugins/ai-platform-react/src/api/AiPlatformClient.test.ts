import { ResponseError } from '@backstage/errors';
import { AiPlatformClient } from './AiPlatformClient';

const BASE = 'http://localhost:7007/api/ai-platform';

function setup(response: Response) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
    response.clone(),
  );
  const client = new AiPlatformClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('AiPlatformClient', () => {
  it('calls GET routes with the query, leaving out empty values', async () => {
    const { client, fetch } = setup(json({ items: [] }));
    await expect(
      client.getLeaderboard({ type: 'llm', task: undefined, stage: 'staging' }),
    ).resolves.toEqual({ items: [] });
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/evals/leaderboard?type=llm&stage=staging`,
      { method: 'GET' },
    );
  });

  it('reads what runs and quota use from the clusters', async () => {
    const { client, fetch } = setup(json({ items: [] }));
    await client.getQuotaUsage({ pool: 'gpupool:default/l4-inference' });
    await client.getRunningFleet({
      endpoint: 'inferenceendpoint:default/chat-assistant-prod',
    });
    await client.getRunningFleet();
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/quotas/usage?pool=gpupool%3Adefault%2Fl4-inference`,
      `${BASE}/fleet/running?endpoint=inferenceendpoint%3Adefault%2Fchat-assistant-prod`,
      `${BASE}/fleet/running`,
    ]);
  });

  it('encodes entity refs in the query', async () => {
    const { client, fetch } = setup(json({ passed: true }));
    await client.getGateStatus({
      model: 'model:default/llama-3-1-8b-instruct',
      version: '2026-11',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/gates?model=model%3Adefault%2Fllama-3-1-8b-instruct&version=2026-11`,
    );
  });

  it('sends JSON bodies and encodes path parameters', async () => {
    const { client, fetch } = setup(json({ request: { id: 'a/b' } }));
    await client.decideQuotaRequest({
      id: 'a/b',
      decision: 'approve',
      reason: 'capacity is there',
    });
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/quota-requests/a%2Fb/decision`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          decision: 'approve',
          reason: 'capacity is there',
        }),
      },
    );
  });

  it('flattens the audit filter into the query', async () => {
    const { client, fetch } = setup(json({ items: [] }));
    await client.getAuditRecords({
      filter: { actor: 'user:default/alice', outcome: 'failure' },
      cursor: 'c1',
      limit: 25,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/audit?actor=user%3Adefault%2Falice&outcome=failure&cursor=c1&limit=25`,
    );
  });

  it('throws a ResponseError with the backend message on failure', async () => {
    const { client } = setup(
      json(
        {
          error: {
            name: 'InputError',
            message: 'Invalid query: from: must be an ISO 8601 date',
          },
          request: { method: 'GET', url: '/cost/summary' },
          response: { statusCode: 400 },
        },
        400,
      ),
    );
    const error = await client
      .getCostSummary({ from: 'yesterday' })
      .catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(400);
    expect(error.body.error.message).toBe(
      'Invalid query: from: must be an ISO 8601 date',
    );
  });

  it('downloads exports with the file name the backend suggests', async () => {
    const { client, fetch } = setup(
      new Response('day,cost\n2026-11-01,1.5\n', {
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition':
            'attachment; filename="ai-platform-cost-focus-2026-10-01-2026-11-01.csv"',
        },
      }),
    );
    const file = await client.exportCost({
      format: 'focus',
      from: '2026-10-01',
      to: '2026-11-01',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/cost/export?format=focus&from=2026-10-01&to=2026-11-01`,
    );
    expect(file.filename).toBe(
      'ai-platform-cost-focus-2026-10-01-2026-11-01.csv',
    );
    expect(await file.blob.text()).toBe('day,cost\n2026-11-01,1.5\n');
  });
});

describe('AiPlatformClient deployments', () => {
  it('promotes and rolls back through the endpoint routes', async () => {
    const { client, fetch } = setup(json({ id: 'd1', state: 'checking' }, 202));
    await client.promoteEndpoint({
      namespace: 'default',
      name: 'chat-assistant-prod',
      modelVersion: 'v2',
      reason: 'v2 passes its gates',
    });
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/endpoints/default/chat-assistant-prod/promote`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          modelVersion: 'v2',
          reason: 'v2 passes its gates',
        }),
      },
    );
    await client.rollbackEndpoint({
      namespace: 'default',
      name: 'chat-assistant-prod',
      toRevision: 3,
    });
    expect(fetch.mock.calls[1][0]).toBe(
      `${BASE}/endpoints/default/chat-assistant-prod/rollback`,
    );
    expect(fetch.mock.calls[1][1]?.body).toBe(
      JSON.stringify({ toRevision: 3 }),
    );
  });

  it('reads history, one record and the live status', async () => {
    const { client, fetch } = setup(json({ items: [] }));
    await client.listDeployments({
      endpoint: 'inferenceendpoint:default/chat',
      before: 4,
    });
    await client.getDeployment({ id: 'd 1' });
    await client.getEndpointStatus({ namespace: 'default', name: 'chat' });
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/deployments?endpoint=inferenceendpoint%3Adefault%2Fchat&before=4`,
      `${BASE}/deployments/d%201`,
      `${BASE}/endpoints/default/chat/status`,
    ]);
  });

  it('reads an endpoint SLO report and the fleet of one team', async () => {
    const { client, fetch } = setup(json({ items: [] }));
    await client.getEndpointSlo({ namespace: 'default', name: 'chat prod' });
    await client.getSloFleet({ team: 'group:default/applied-ml' });
    await client.getSloFleet();
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/slo/endpoints/default/chat%20prod`,
      `${BASE}/slo?team=group%3Adefault%2Fapplied-ml`,
      `${BASE}/slo`,
    ]);
  });
});

describe('AiPlatformClient canary', () => {
  it('promotes with the canary strategy and its steps in the body', async () => {
    const { client, fetch } = setup(json({ id: 'd1', state: 'dry-run' }));
    await client.promoteEndpoint({
      namespace: 'default',
      name: 'chat-assistant-prod',
      modelVersion: 'v2',
      strategy: 'canary',
      canary: {
        steps: [
          { weight: 20, pause: { durationSeconds: 60 } },
          { weight: 100 },
        ],
      },
      dryRun: true,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/endpoints/default/chat-assistant-prod/promote`,
    );
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual({
      modelVersion: 'v2',
      strategy: 'canary',
      canary: {
        steps: [
          { weight: 20, pause: { durationSeconds: 60 } },
          { weight: 100 },
        ],
      },
      dryRun: true,
    });
  });

  it('reads the canary and posts advance, approve and abort with their bodies', async () => {
    const { client, fetch } = setup(json({ phase: 'paused' }));
    const name = { namespace: 'team a', name: 'chat' };
    await client.getCanary(name);
    await client.advanceCanary(name);
    await client.approveCanary({ ...name, reason: 'looks good' });
    await client.abortCanary({ ...name, reason: 'errors went up' });
    expect(fetch.mock.calls.map(c => [c[0], c[1]?.method, c[1]?.body])).toEqual(
      [
        [`${BASE}/endpoints/team%20a/chat/canary`, 'GET', undefined],
        [`${BASE}/endpoints/team%20a/chat/canary/advance`, 'POST', '{}'],
        [
          `${BASE}/endpoints/team%20a/chat/canary/approve`,
          'POST',
          JSON.stringify({ reason: 'looks good' }),
        ],
        [
          `${BASE}/endpoints/team%20a/chat/canary/abort`,
          'POST',
          JSON.stringify({ reason: 'errors went up' }),
        ],
      ],
    );
  });

  it('throws a 404 ResponseError when the endpoint has had no canary', async () => {
    const { client } = setup(
      json(
        {
          error: { name: 'NotFoundError', message: 'No canary for chat' },
          request: { method: 'GET', url: '/endpoints/default/chat/canary' },
          response: { statusCode: 404 },
        },
        404,
      ),
    );
    const error = await client
      .getCanary({ namespace: 'default', name: 'chat' })
      .catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(404);
  });
});

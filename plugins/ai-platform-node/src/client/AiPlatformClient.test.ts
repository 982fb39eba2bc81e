import { ResponseError } from '@backstage/errors';
import type {
  DeploymentEvent,
  DeploymentRecord,
} from '@internal/plugin-ai-platform-common';
import {
  AiPlatformClient,
  DeploymentWaitTimeoutError,
} from './AiPlatformClient';

const baseUrl = 'http://127.0.0.1:7007/api/ai-platform';
const discovery = {
  getBaseUrl: jest.fn(async (pluginId: string) =>
    pluginId === 'ai-platform' ? baseUrl : 'http://wrong',
  ),
  getExternalBaseUrl: jest.fn(),
};
const token = { token: 'user-token' };

function json(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' },
  });
}

function record(
  state: DeploymentRecord['state'],
  events: string[],
): DeploymentRecord {
  return {
    id: 'd-1',
    endpointRef: 'inferenceendpoint:default/chat',
    revision: 3,
    operation: 'deploy',
    state,
    dryRun: false,
    modelRef: 'model:default/llama',
    modelVersion: 'v2',
    poolRef: 'gpupool:default/l4-inference',
    cluster: 'gpu-eu-west',
    namespace: 'chat',
    gpus: 2,
    requestedBy: 'user:default/bob',
    specHash: 'abc',
    checks: [],
    events: events.map(message => ({
      at: '2026-01-01T00:00:00.000Z',
      level: 'info',
      message,
    })),
    objects: [],
    team: 'group:default/applied-ml',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('AiPlatformClient', () => {
  it('posts a deploy with the token and answers the record', async () => {
    const fetchMock = jest.fn(async () => json(202, record('applying', [])));
    const client = new AiPlatformClient({ discovery, fetch: fetchMock });
    const answer = await client.deploy(
      { endpoint: 'inferenceendpoint:default/chat', reason: 'first' },
      token,
    );
    expect(answer.state).toBe('applying');
    expect(fetchMock).toHaveBeenCalledWith(`${baseUrl}/deployments`, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        Authorization: 'Bearer user-token',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        endpoint: 'inferenceendpoint:default/chat',
        reason: 'first',
      }),
    });
  });

  it('builds the endpoint, list, render and sizing paths', async () => {
    const calls: Array<[string, string, unknown]> = [];
    const fetchMock = jest.fn(async (url: any, init?: RequestInit) => {
      calls.push([
        init?.method ?? 'GET',
        String(url).slice(baseUrl.length),
        init?.body ? JSON.parse(String(init.body)) : undefined,
      ]);
      return json(200, {});
    });
    const client = new AiPlatformClient({ discovery, fetch: fetchMock });
    await client.promote(
      { namespace: 'default', name: 'chat', modelVersion: 'v2' },
      token,
    );
    await client.rollback({ namespace: 'team a', name: 'chat' }, token);
    await client.endpointStatus({ namespace: 'default', name: 'chat' }, token);
    await client.getDeployment({ id: 'd/1' }, token);
    await client.listDeployments({}, token);
    await client.listDeployments(
      { endpoint: 'inferenceendpoint:default/chat', limit: 5, before: 9 },
      token,
    );
    await client.render({ endpoint: 'chat', modelVersion: 'v1' }, token);
    await client.size(
      { model: 'model:default/m', modelVersion: 'v1', pool: 'gpupool:x/p' },
      token,
    );
    expect(calls).toEqual([
      ['POST', '/endpoints/default/chat/promote', { modelVersion: 'v2' }],
      ['POST', '/endpoints/team%20a/chat/rollback', {}],
      ['GET', '/endpoints/default/chat/status', undefined],
      ['GET', '/deployments/d%2F1', undefined],
      ['GET', '/deployments', undefined],
      [
        'GET',
        '/deployments?endpoint=inferenceendpoint%3Adefault%2Fchat&limit=5&before=9',
        undefined,
      ],
      ['POST', '/render', { endpoint: 'chat', modelVersion: 'v1' }],
      [
        'POST',
        '/sizing',
        { model: 'model:default/m', modelVersion: 'v1', pool: 'gpupool:x/p' },
      ],
    ]);
  });

  it('reads the running deployments with the token', async () => {
    const items = [
      {
        endpointRef: 'inferenceendpoint:default/chat',
        revision: 3,
        modelVersion: 'v2',
        finishedAt: '2026-01-01T00:00:00.000Z',
      },
    ];
    const fetchMock = jest.fn(async () => json(200, { items }));
    const client = new AiPlatformClient({ discovery, fetch: fetchMock });
    expect(await client.listRunningDeployments(token)).toEqual({ items });
    expect(fetchMock).toHaveBeenCalledWith(`${baseUrl}/deployments/running`, {
      method: 'GET',
      headers: {
        Accept: 'application/json',
        Authorization: 'Bearer user-token',
      },
    });
    fetchMock.mockImplementationOnce(async () =>
      json(401, { error: { name: 'AuthenticationError', message: 'no' } }),
    );
    await expect(client.listRunningDeployments(token)).rejects.toBeInstanceOf(
      ResponseError,
    );
  });

  it("throws a ResponseError that carries the server's message", async () => {
    const client = new AiPlatformClient({
      discovery,
      fetch: async () =>
        json(
          400,
          {
            error: {
              name: 'InputError',
              message: 'spec.parameters: the model cannot be sized',
            },
            request: { method: 'POST', url: '/sizing' },
            response: { statusCode: 400 },
          },
          'Bad Request',
        ),
    });
    const error = await client
      .size({ model: 'm', modelVersion: 'v', pool: 'p' }, token)
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.cause.name).toBe('InputError');
    expect(error.cause.message).toBe(
      'spec.parameters: the model cannot be sized',
    );
  });

  describe('waitForDeployment', () => {
    it('polls until final and reports each event once, in order', async () => {
      const answers = [
        record('checking', ['permission: granted']),
        record('applying', ['permission: granted', 'sizing: fits']),
        record('applying', ['permission: granted', 'sizing: fits']),
        record('succeeded', [
          'permission: granted',
          'sizing: fits',
          'Deployment/chat configured',
          'rollout: 1 of 1 ready',
        ]),
      ];
      const fetchMock = jest.fn(async () => json(200, answers.shift()));
      const client = new AiPlatformClient({ discovery, fetch: fetchMock });
      const seen: DeploymentEvent[] = [];
      const final = await client.waitForDeployment({
        id: 'd-1',
        token: 'user-token',
        pollIntervalMs: 1,
        eventsSeen: 1,
        onEvent: e => {
          seen.push(e);
        },
      });
      expect(final.state).toBe('succeeded');
      expect(fetchMock).toHaveBeenCalledTimes(4);
      expect(seen.map(e => e.message)).toEqual([
        'sizing: fits',
        'Deployment/chat configured',
        'rollout: 1 of 1 ready',
      ]);
    });

    it('gives up after the timeout and names the last state', async () => {
      const client = new AiPlatformClient({
        discovery,
        fetch: async () => json(200, record('rolling-out', [])),
      });
      const error = await client
        .waitForDeployment({
          id: 'd-1',
          token: 'user-token',
          pollIntervalMs: 5,
          timeoutMs: 20,
        })
        .catch(e => e);
      expect(error).toBeInstanceOf(DeploymentWaitTimeoutError);
      expect(error.message).toMatch(/is still rolling-out after 0 s/);
    });

    it('stops when aborted', async () => {
      const controller = new AbortController();
      const client = new AiPlatformClient({
        discovery,
        fetch: async () => json(200, record('rolling-out', [])),
      });
      const waiting = client.waitForDeployment({
        id: 'd-1',
        token: 'user-token',
        pollIntervalMs: 10_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('task cancelled')), 10);
      await expect(waiting).rejects.toThrow('task cancelled');
    });
  });
});

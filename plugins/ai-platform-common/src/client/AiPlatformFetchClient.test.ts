import { ResponseError } from '@backstage/errors';
import { AiPlatformFetchClient } from './AiPlatformFetchClient';

const BASE = 'http://localhost:7007/api/ai-platform';

function setup(response: Response) {
  const fetch = jest.fn(async (_url: string, _init: object) =>
    response.clone(),
  );
  return {
    fetch,
    client: new AiPlatformFetchClient({ baseUrl: async () => BASE, fetch }),
  };
}

describe('AiPlatformFetchClient', () => {
  it('fills and encodes path parameters, leaves out empty query values, sends JSON', async () => {
    const { client, fetch } = setup(new Response('{"id":"1"}'));
    await expect(
      client.request('POST /endpoints/{namespace}/{name}/promote', {
        path: { namespace: 'default', name: 'chat/x' },
        body: { modelVersion: 'v2' },
        headers: { Authorization: 'Bearer t' },
      }),
    ).resolves.toEqual({ id: '1' });
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/endpoints/default/chat%2Fx/promote`,
      {
        method: 'POST',
        headers: {
          Authorization: 'Bearer t',
          'Content-Type': 'application/json',
        },
        body: '{"modelVersion":"v2"}',
      },
    );
    await client.request('GET /evals/runs', {
      query: { model: 'model:default/m', version: '', limit: 5 },
    });
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/evals/runs?model=model%3Adefault%2Fm&limit=5`,
      { method: 'GET' },
    );
  });

  it('refuses a call that leaves out a path parameter', async () => {
    const { client } = setup(new Response('{}'));
    await expect(
      client.url('GET /deployments/{id}', { path: { id: '' } }),
    ).rejects.toThrow('GET /deployments/{id} needs the path parameter id');
  });

  it("throws a ResponseError that carries the server's message", async () => {
    const { client } = setup(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message: 'Invalid body: x: is required',
          },
          request: { method: 'PUT', url: '/cost/budgets' },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const error = await client
      .request('GET /audit/verify', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).cause.message).toBe(
      'Invalid body: x: is required',
    );
  });
});

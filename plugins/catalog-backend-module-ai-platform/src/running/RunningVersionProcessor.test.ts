import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import http from 'http';
import type { AddressInfo } from 'net';
import {
  AiPlatformRunningVersions,
  RunningVersionProcessor,
} from './RunningVersionProcessor';

const endpoint: Entity = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'InferenceEndpoint',
  metadata: {
    name: 'chat',
    annotations: {
      'backstage.io/kubernetes-id': 'chat',
      'ai-platform.io/running-model-version': 'typed-by-hand',
    },
  },
  spec: {
    type: 'vllm',
    owner: 'group:default/a',
    lifecycle: 'production',
    model: 'model:default/m',
    modelVersion: 'v1',
  },
};

describe('RunningVersionProcessor', () => {
  it('writes the running revision and version from the records, replacing hand-written ones', async () => {
    const processor = new RunningVersionProcessor({
      running: async () =>
        new Map([
          [
            'inferenceendpoint:default/chat',
            { revision: 7, modelVersion: 'v2' },
          ],
        ]),
    });
    const out = await processor.preProcessEntity(endpoint);
    expect(out.metadata.annotations).toEqual({
      'backstage.io/kubernetes-id': 'chat',
      'ai-platform.io/deployed-revision': '7',
      'ai-platform.io/running-model-version': 'v2',
    });
    expect(out.spec).toEqual(endpoint.spec);
  });

  it('removes them when the portal never deployed the endpoint, and leaves other kinds alone', async () => {
    const processor = new RunningVersionProcessor({
      running: async () => new Map(),
    });
    const out = await processor.preProcessEntity(endpoint);
    expect(out.metadata.annotations).toEqual({
      'backstage.io/kubernetes-id': 'chat',
    });
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'x',
        annotations: { 'ai-platform.io/running-model-version': 'v1' },
      },
    };
    expect(await processor.preProcessEntity(component)).toBe(component);
  });
});

describe('AiPlatformRunningVersions', () => {
  let server: http.Server;
  let requests: Array<{ url?: string; auth?: string }>;
  let answer: { status: number; body: unknown };

  beforeEach(async () => {
    requests = [];
    answer = {
      status: 200,
      body: {
        items: [
          {
            endpointRef: 'inferenceendpoint:default/chat',
            revision: 3,
            modelVersion: 'v2',
          },
        ],
      },
    };
    server = http.createServer((req, res) => {
      requests.push({ url: req.url, auth: req.headers.authorization });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  });

  afterEach(async () => {
    await new Promise(r => server.close(r));
  });

  const logger = mockServices.logger.mock();

  function source(now: { t: number }) {
    const { port } = server.address() as AddressInfo;
    return new AiPlatformRunningVersions({
      discovery: {
        getBaseUrl: async () => `http://127.0.0.1:${port}/api/ai-platform`,
        getExternalBaseUrl: async () => '',
      },
      auth: mockServices.auth(),
      logger,
      ttlMs: 1000,
      now: () => now.t,
    });
  }

  it('reads the API with a service token, at most once per TTL', async () => {
    const now = { t: 0 };
    const s = source(now);
    const [a, b] = await Promise.all([s.running(), s.running()]);
    expect(a.get('inferenceendpoint:default/chat')).toEqual({
      revision: 3,
      modelVersion: 'v2',
    });
    expect(b).toBe(a);
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe('/api/ai-platform/deployments/running');
    expect(requests[0].auth).toMatch(/^Bearer /);
    now.t = 500;
    await s.running();
    expect(requests).toHaveLength(1);
    now.t = 1500;
    await s.running();
    expect(requests).toHaveLength(2);
  });

  it('keeps the last answer when the backend fails', async () => {
    const now = { t: 0 };
    const s = source(now);
    await s.running();
    answer = { status: 503, body: { error: 'down' } };
    now.t = 2000;
    const kept = await s.running();
    expect(kept.get('inferenceendpoint:default/chat')?.revision).toBe(3);
    expect(requests).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('keeping the last known ones'),
      { error: expect.stringContaining('503') },
    );
  });
});

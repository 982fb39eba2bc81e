import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '../FakeKubeApiServer';
import { apply, call } from '../__testUtils__/progressive';
import type { KubeObject } from '../types';

const GW = 'gateway.networking.k8s.io/v1';

type Parent = {
  parentRef: { name: string };
  controllerName: string;
  conditions: Array<{ type: string; status: string; reason: string }>;
};
const parentsOf = (o?: KubeObject) =>
  ((o?.status as { parents?: Parent[] } | undefined)?.parents ??
    []) as Parent[];
const condition = (p: Parent | undefined, type: string) =>
  p?.conditions.find(c => c.type === type);

function route(name: string, namespace: string, spec: Record<string, unknown>) {
  return {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec,
  };
}

describe('simulated Gateway API', () => {
  let server: FakeKubeApiServer;

  afterEach(async () => {
    await server?.close();
  });

  async function start(groups: Array<'gateway-api'> = ['gateway-api']) {
    server = await startFakeKubeApiServer({
      rolloutDelayMs: 5,
      groups,
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chat' } },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'gateways' },
        },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'other', labels: { team: 'other' } },
        },
      ],
    });
  }

  async function gateway(from: 'All' | 'Same' | 'Selector' = 'All') {
    await apply(server, {
      apiVersion: GW,
      kind: 'GatewayClass',
      metadata: { name: 'simulated' },
      spec: { controllerName: 'example.com/gateway-controller' },
    });
    await apply(server, {
      apiVersion: GW,
      kind: 'Gateway',
      metadata: { name: 'inference', namespace: 'gateways' },
      spec: {
        gatewayClassName: 'simulated',
        listeners: [
          {
            name: 'http',
            port: 80,
            protocol: 'HTTP',
            allowedRoutes: {
              namespaces: {
                from,
                ...(from === 'Selector'
                  ? { selector: { matchLabels: { team: 'chat' } } }
                  : {}),
              },
            },
          },
        ],
      },
    });
    for (const name of ['chat-stable', 'chat-canary']) {
      await apply(server, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'chat' },
        spec: { selector: { app: 'chat' }, ports: [{ port: 8000 }] },
      });
    }
  }

  const weighted = (parent = 'inference', canary = 'chat-canary') => ({
    parentRefs: [{ name: parent, namespace: 'gateways' }],
    rules: [
      {
        backendRefs: [
          { name: 'chat-stable', port: 8000, weight: 90 },
          { name: canary, port: 8000, weight: 10 },
        ],
      },
    ],
  });

  const routeRef = (name: string, namespace = 'chat') => ({
    apiVersion: GW,
    kind: 'HTTPRoute',
    namespace,
    name,
  });

  it('is served through discovery only on a cluster that has it', async () => {
    await start([]);
    expect(
      JSON.stringify((await call(server, 'GET', '/apis')).body),
    ).not.toContain('gateway.networking.k8s.io');
    server.installGroup('gateway-api');
    const list = await call(
      server,
      'GET',
      '/apis/gateway.networking.k8s.io/v1',
    );
    expect(list.body.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining([
        'gatewayclasses',
        'gateways',
        'gateways/status',
        'httproutes',
        'httproutes/status',
      ]),
    );
  });

  it('programs a Gateway of an existing class and accepts a route whose parentRef names it, with weights kept as applied', async () => {
    await start();
    await gateway();
    const applied = await apply(server, route('chat', 'chat', weighted()));
    expect(applied.metadata.managedFields?.[0]).toMatchObject({
      manager: 'test',
      operation: 'Apply',
    });
    const accepted = await server.waitForObject(
      routeRef('chat'),
      o => parentsOf(o).length === 1,
    );
    const parent = parentsOf(accepted)[0];
    expect(parent.parentRef).toEqual({
      name: 'inference',
      namespace: 'gateways',
    });
    expect(parent.controllerName).toBe('example.com/gateway-controller');
    expect(condition(parent, 'Accepted')).toMatchObject({
      status: 'True',
      reason: 'Accepted',
    });
    expect(condition(parent, 'ResolvedRefs')).toMatchObject({
      status: 'True',
      reason: 'ResolvedRefs',
    });
    const gw = await server.waitForObject(
      {
        apiVersion: GW,
        kind: 'Gateway',
        namespace: 'gateways',
        name: 'inference',
      },
      o =>
        (o?.status as { listeners?: Array<{ attachedRoutes: number }> })
          ?.listeners?.[0]?.attachedRoutes === 1,
    );
    const gwStatus = gw?.status as {
      addresses: Array<{ type: string; value: string }>;
      conditions: Array<{ type: string; status: string }>;
    };
    expect(gwStatus.addresses[0]).toMatchObject({ type: 'IPAddress' });
    expect(gwStatus.conditions.map(c => [c.type, c.status])).toEqual([
      ['Accepted', 'True'],
      ['Programmed', 'True'],
    ]);

    // A merge patch of the weights (as an engine moves a step) is kept, and
    // the route stays accepted.
    const patched = await call(
      server,
      'PATCH',
      '/apis/gateway.networking.k8s.io/v1/namespaces/chat/httproutes/chat',
      {
        spec: {
          rules: [
            {
              backendRefs: [
                { name: 'chat-stable', port: 8000, weight: 50 },
                { name: 'chat-canary', port: 8000, weight: 50 },
              ],
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    expect(patched.code).toBe(200);
    expect(JSON.stringify(patched.body.spec)).toContain('"weight":50');
    // A status write through the main resource is ignored, as on a real server.
    expect(parentsOf(patched.body)).toHaveLength(1);
  });

  it('writes no parent status for a route whose Gateway does not exist', async () => {
    await start();
    await gateway();
    await apply(server, route('lost', 'chat', weighted('missing')));
    await apply(server, route('chat', 'chat', weighted()));
    await server.waitForObject(
      routeRef('chat'),
      o => parentsOf(o).length === 1,
    );
    expect(parentsOf(server.getObject(routeRef('lost')))).toEqual([]);
  });

  it('says BackendNotFound for a Service that does not exist, and NotAllowedByListeners for a namespace the listener does not admit', async () => {
    await start();
    await gateway('Selector');
    await apply(server, route('chat', 'chat', weighted('inference', 'nope')));
    const unresolved = await server.waitForObject(
      routeRef('chat'),
      o => parentsOf(o).length === 1,
    );
    expect(condition(parentsOf(unresolved)[0], 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'BackendNotFound',
    });
    // Namespace chat lacks the label team=chat the listener selects.
    expect(condition(parentsOf(unresolved)[0], 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'NotAllowedByListeners',
    });
    // Labelling the namespace admits the route.
    await call(
      server,
      'PATCH',
      '/api/v1/namespaces/chat',
      { metadata: { labels: { team: 'chat' } } },
      'application/merge-patch+json',
    );
    await server.waitForObject(
      routeRef('chat'),
      o => condition(parentsOf(o)[0], 'Accepted')?.status === 'True',
    );
  });
});

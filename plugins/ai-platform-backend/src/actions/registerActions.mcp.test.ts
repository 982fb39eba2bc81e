import {
  coreServices,
  createServiceFactory,
  type BackstageCredentials,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Knex } from 'knex';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import { DatabaseUsageStore } from '../cost/DatabaseUsageStore';
import type { UsageSample } from '../cost/types';
import {
  DatabaseDeploymentStore,
  type NewDeployment,
} from '../deploy/DatabaseDeploymentStore';
import { aiPlatformPlugin } from '../plugin';

/*
 * The actions as an assistant meets them: the portal's MCP server
 * (@backstage/plugin-mcp-actions-backend, as packages/backend installs it)
 * and our plugin in one backend, spoken to in MCP JSON-RPC over its
 * Streamable HTTP transport at /api/mcp-actions/v1. The permission service
 * grants ai-platform.cost.read to FinOps only.
 */

jest.setTimeout(60_000);

const FINOPS = 'user:default/finops';
const GUEST = 'user:default/guest';

const COST_TOOLS = [
  'ai-platform.get-team-endpoints',
  'ai-platform.get-team-gpu-cost',
];
const OPEN_TOOLS = [
  'ai-platform.get-endpoint-deployment-status',
  'ai-platform.get-gpu-pool-capacity',
  'ai-platform.get-model-eval-scores',
  'ai-platform.get-model-gate-status',
  'ai-platform.get-team-quota-headroom',
  'ai-platform.size-model-version-for-pool',
];

/** Every authorize call the plugins made: who asked for which permission. */
const decisions: { user?: string; permission: string; result: string }[] = [];

const userOf = (credentials: BackstageCredentials) =>
  (credentials.principal as { userEntityRef?: string }).userEntityRef;

/** Allows everything except ai-platform.cost.read, which only FinOps has. */
const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: (): PermissionsService => {
    const decide = (
      permission: string,
      credentials: BackstageCredentials,
    ): { result: AuthorizeResult.ALLOW | AuthorizeResult.DENY } => {
      const user = userOf(credentials);
      const result =
        permission === 'ai-platform.cost.read' && user !== FINOPS
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW;
      decisions.push({ user, permission, result });
      return { result };
    };
    return {
      authorize: async (requests, { credentials }) =>
        requests.map(r => decide(r.permission.name, credentials)),
      authorizeConditional: async (requests, { credentials }) =>
        requests.map(r => decide(r.permission.name, credentials)),
    };
  },
});

const HOUR = 3600;
const NOV_1 = Date.parse('2026-11-01T00:00:00Z') / 1000;

/** Ten hours of usage on 1 November 2026. */
function hours(sample: Omit<UsageSample, 'sampledAt' | 'intervalSeconds'>) {
  return Array.from({ length: 10 }, (_, i) => ({
    ...sample,
    sampledAt: NOV_1 + i * HOUR,
    intervalSeconds: HOUR,
  }));
}

async function seed(knex: Knex) {
  const costs = DatabaseUsageStore.create({ knex });
  const usage = {
    teamRef: 'group:default/applied-ml',
    modelRef: 'model:default/llama-3-1-8b-instruct',
    poolRef: 'gpupool:default/l4-inference',
    cluster: 'gpu-eu-west',
    pricePerGpuHour: 0.85,
    currency: 'USD',
  };
  await costs.insertSamples([
    // 20 GPU-hours x 0.85 = 17
    ...hours({
      ...usage,
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      gpus: 2,
    }),
    // 80 GPU-hours x 4.1 = 328
    ...hours({
      ...usage,
      endpointRef: 'inferenceendpoint:default/reasoning-70b-prod',
      modelRef: 'model:default/llama-3-1-70b-instruct',
      poolRef: 'gpupool:default/h100-inference',
      cluster: 'gpu-us-east',
      gpus: 8,
      pricePerGpuHour: 4.1,
    }),
    // An endpoint no longer in the catalog: in the team's total only. 8.5
    ...hours({
      ...usage,
      endpointRef: 'inferenceendpoint:default/retired-chat',
      gpus: 1,
    }),
    // Another team's: 10 x 0.85 = 8.5
    ...hours({
      ...usage,
      teamRef: 'group:default/data-science',
      endpointRef: 'inferenceendpoint:default/support-assistant',
      gpus: 1,
    }),
  ]);
  await costs.rollup({ fromSeconds: NOV_1, toSeconds: NOV_1 + 24 * HOUR });

  const deployments = DatabaseDeploymentStore.create({ knex });
  const record = async (
    overrides: Partial<NewDeployment> & { finishedAt: string },
  ) => {
    const { finishedAt, ...rest } = overrides;
    const created = await deployments.create({
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      operation: 'deploy',
      state: 'applying',
      dryRun: false,
      modelRef: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v1',
      poolRef: 'gpupool:default/l4-inference',
      team: 'group:default/applied-ml',
      cluster: 'gpu-eu-west',
      namespace: 'chat',
      gpus: 6,
      requestedBy: 'user:default/guest',
      specHash: 'hash',
      manifests: [],
      ...rest,
    });
    await deployments.update(created.id, {
      state: rest.state === 'failed' ? 'failed' : 'succeeded',
      finishedAt,
    });
  };
  // The chat assistant was deployed at v1 and promoted to v2: it runs v2
  // although its catalog entity still says v1.
  await record({ finishedAt: '2026-11-02T10:00:00.000Z' });
  await record({
    operation: 'promote',
    modelVersion: 'v2',
    finishedAt: '2026-11-18T09:12:40.000Z',
  });
  // The 70B endpoint's only deployment failed: nothing runs per the records.
  await record({
    endpointRef: 'inferenceendpoint:default/reasoning-70b-prod',
    modelRef: 'model:default/llama-3-1-70b-instruct',
    poolRef: 'gpupool:default/h100-inference',
    cluster: 'gpu-us-east',
    namespace: 'reasoning',
    state: 'failed',
    finishedAt: '2026-11-03T10:00:00.000Z',
  });
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('ai-platform actions through the MCP server', () => {
  let baseUrl: string;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        aiPlatformPlugin,
        mcpActionsPlugin,
        catalogServiceMock.factory({
          entities: loadExampleEntities([
            'org.yaml',
            'models.yaml',
            'gpu-pools.yaml',
            'endpoints.yaml',
          ]),
        }),
        permissionsFactory,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            // As app-config.yaml: the actions service lists our plugin's actions.
            backend: { actions: { pluginSources: ['ai-platform'] } },
            aiPlatform: { cost: { collector: { enabled: false } } },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}`;
    await seed(knex);
  });

  beforeEach(() => {
    decisions.length = 0;
  });

  let nextId = 1;

  /** One MCP JSON-RPC request, as a stateless Streamable HTTP client sends it. */
  async function mcp(user: string, method: string, params: object = {}) {
    const id = nextId++;
    const res = await fetch(`${baseUrl}/api/mcp-actions/v1`, {
      method: 'POST',
      headers: {
        Authorization: mockCredentials.user.header(user),
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    // Server-sent events: the answer is the `data:` of the message with our id.
    const messages = (await res.text())
      .split('\n')
      .filter(line => line.startsWith('data:'))
      .map(line => JSON.parse(line.slice('data:'.length)));
    const answer = messages.find(m => m.id === id);
    expect(answer).toBeDefined();
    return answer as { result?: any; error?: any };
  }

  const toolNames = async (user: string) =>
    (await mcp(user, 'tools/list')).result.tools
      .map((t: { name: string }) => t.name)
      .filter((name: string) => name.startsWith('ai-platform.'))
      .sort();

  const call = async (user: string, name: string, args: object) =>
    (await mcp(user, 'tools/call', { name, arguments: args })).result as {
      isError?: boolean;
      content: { type: string; text: string }[];
      structuredContent?: any;
    };

  it('initializes as an MCP server with tools', async () => {
    const { result } = await mcp(GUEST, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'assistant-test', version: '1.0.0' },
    });
    expect(result).toMatchObject({
      protocolVersion: '2025-06-18',
      capabilities: { tools: {} },
      serverInfo: { name: 'backstage' },
    });
  });

  it('lists the cost actions only to callers who may read cost', async () => {
    expect(await toolNames(GUEST)).toEqual(OPEN_TOOLS);
    expect(decisions).toContainEqual({
      user: GUEST,
      permission: 'ai-platform.cost.read',
      result: AuthorizeResult.DENY,
    });
    expect(await toolNames(FINOPS)).toEqual(
      [...COST_TOOLS, ...OPEN_TOOLS].sort(),
    );
  });

  it('lists every tool as read-only, with its input schema', async () => {
    const { tools } = (await mcp(FINOPS, 'tools/list')).result;
    const sizing = tools.find(
      (t: { name: string }) =>
        t.name === 'ai-platform.size-model-version-for-pool',
    );
    expect(sizing.inputSchema).toMatchObject({
      type: 'object',
      required: ['model', 'version', 'pool'],
      properties: {
        maxModelLen: { type: 'integer', minimum: 1 },
        gpuMemoryUtilization: { type: 'number', maximum: 1 },
      },
    });
    for (const tool of tools.filter((t: { name: string }) =>
      t.name.startsWith('ai-platform.'),
    )) {
      expect(tool.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
      });
    }
  });

  it('refuses a cost action to a caller who may not read cost, as if it did not exist', async () => {
    for (const [name, args] of [
      ['ai-platform.get-team-gpu-cost', { team: 'applied-ml' }],
      ['ai-platform.get-team-endpoints', { team: 'applied-ml' }],
    ] as const) {
      const result = await call(GUEST, name, args);
      expect(result.isError).toBe(true);
      expect(result.content[0].text).toBe(
        `NotFoundError: Action "${name}" not found`,
      );
      expect(result.structuredContent).toBeUndefined();
    }
  });

  it("answers a team's GPU cost to FinOps", async () => {
    const result = await call(FINOPS, 'ai-platform.get-team-gpu-cost', {
      team: 'applied-ml',
      from: '2026-11-01',
      to: '2026-11-02',
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      team: 'group:default/applied-ml',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      costs: [{ currency: 'USD', gpuHours: 110 }],
      basis: { utilization: 'none', tokens: 'none' },
    });
    expect(result.structuredContent.costs[0].cost).toBeCloseTo(353.5);
    expect(JSON.parse(result.content[0].text)).toEqual(
      result.structuredContent,
    );
  });

  it("answers a team's endpoints to FinOps: the running version from the records, replicas, pool and cost", async () => {
    const result = await call(FINOPS, 'ai-platform.get-team-endpoints', {
      team: 'group:default/applied-ml',
      from: '2026-11-01',
      to: '2026-11-02',
    });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent;
    expect(out.endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual([
      'inferenceendpoint:default/chat-assistant-prod',
      'inferenceendpoint:default/chat-assistant-staging',
      'inferenceendpoint:default/reasoning-70b-prod',
      'inferenceendpoint:default/transcription-whisper',
    ]);
    expect(out.endpoints[0]).toMatchObject({
      catalogModelVersion: 'v1',
      runningModelVersion: 'v2',
      runningRevision: 2,
      runningSince: '2026-11-18T09:12:40.000Z',
      pool: 'gpupool:default/l4-inference',
      resources: { replicas: 2, minReplicas: 2, maxReplicas: 6 },
      costs: [{ currency: 'USD', gpuHours: 20 }],
    });
    expect(out.endpoints[0].costs[0].cost).toBeCloseTo(17);
    expect(out.endpoints[2]).toMatchObject({
      catalogModelVersion: 'v1',
      pool: 'gpupool:default/h100-inference',
      resources: { replicas: 2, gpusPerReplica: 4 },
      costs: [{ gpuHours: 80 }],
    });
    expect(out.endpoints[2].runningModelVersion).toBeUndefined();
    expect(out.endpoints[2].costs[0].cost).toBeCloseTo(328);
    // The team total includes the retired endpoint's 8.5.
    expect(out.teamTotals[0].cost).toBeCloseTo(353.5);
  });

  it('has the actions registry refuse the cost actions when invoked directly, so the actions need not check again', async () => {
    // The MCP server only calls what the list gives the caller; the
    // registry's invoke endpoint (the one way to run an action) checks the
    // visibility permission again before running it.
    const invoke = (user: string) =>
      fetch(
        `${baseUrl}/api/ai-platform/.backstage/actions/v1/actions/ai-platform:get-team-gpu-cost/invoke`,
        {
          method: 'POST',
          headers: {
            Authorization: mockCredentials.user.header(user),
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ team: 'applied-ml' }),
        },
      );
    const denied = await invoke(GUEST);
    expect(denied.status).toBe(404);
    expect(decisions).toEqual([
      {
        user: GUEST,
        permission: 'ai-platform.cost.read',
        result: AuthorizeResult.DENY,
      },
    ]);
    const allowed = await invoke(FINOPS);
    expect(allowed.status).toBe(200);
    expect((await allowed.json()).output.team).toBe('group:default/applied-ml');
  });

  it('serves the typed examples in the action list (the MCP tool list has no place for them)', async () => {
    const res = await fetch(
      `${baseUrl}/api/ai-platform/.backstage/actions/v1/actions`,
      { headers: { Authorization: mockCredentials.user.header(FINOPS) } },
    );
    const { actions } = await res.json();
    expect(actions).toHaveLength(8);
    for (const action of actions) {
      expect(action.examples.length).toBeGreaterThan(0);
      expect(action.examples[0]).toHaveProperty('input');
    }
    const { tools } = (await mcp(FINOPS, 'tools/list')).result;
    expect(tools[0]).not.toHaveProperty('examples');
  });

  it('sizes a model version for a pool to any signed-in caller, with the arithmetic', async () => {
    const fits = await call(GUEST, 'ai-platform.size-model-version-for-pool', {
      model: 'model:default/llama-3-1-70b-instruct',
      version: 'v1',
      pool: 'gpupool:default/h100-inference',
      maxModelLen: 32768,
    });
    expect(fits.isError).toBeFalsy();
    expect(fits.structuredContent).toMatchObject({
      fits: true,
      tensorParallelSize: 4,
      weightsGiB: 131.5,
      kvCacheGiB: 10,
      perGpu: { weightsGiB: 32.88, totalGiB: 38.52, usableGiB: 72 },
      inputs: { gpuMemoryGiB: 80, gpusPerNode: 8, dtype: 'bfloat16' },
    });

    const tooBig = await call(
      GUEST,
      'ai-platform.size-model-version-for-pool',
      {
        model: 'llama-3-1-70b-instruct',
        version: 'v1',
        pool: 'l4-inference',
      },
    );
    expect(tooBig.structuredContent.fits).toBe(false);
    expect(tooBig.structuredContent.tensorParallelSize).toBeUndefined();
    expect(tooBig.structuredContent.explanation.at(-1)).toMatch(
      /^It does not fit: even 4 GPUs of one node give 86.4 GiB/,
    );

    const badVersion = await call(
      GUEST,
      'ai-platform.size-model-version-for-pool',
      {
        model: 'model:default/llama-3-1-8b-instruct',
        version: 'v9',
        pool: 'gpupool:default/l4-inference',
      },
    );
    expect(badVersion.isError).toBe(true);
    expect(badVersion.content[0].text).toContain(
      'InputError: modelVersion: Model llama-3-1-8b-instruct has no version "v9"',
    );

    const badInput = await call(
      GUEST,
      'ai-platform.size-model-version-for-pool',
      { model: 'model:default/llama-3-1-8b-instruct', pool: 'l4-inference' },
    );
    expect(badInput.isError).toBe(true);
    expect(badInput.content[0].text).toContain(
      'InputError: Invalid input to action "ai-platform:size-model-version-for-pool"',
    );
  });

  it('answers the open actions to any signed-in caller', async () => {
    const pool = await call(GUEST, 'ai-platform.get-gpu-pool-capacity', {
      pool: 'l4-inference',
    });
    expect(pool.structuredContent).toMatchObject({
      pool: 'gpupool:default/l4-inference',
      cluster: 'gpu-eu-west',
      capacity: 16,
    });

    const headroom = await call(GUEST, 'ai-platform.get-team-quota-headroom', {
      team: 'applied-ml',
    });
    expect(headroom.structuredContent.team).toBe('group:default/applied-ml');
    expect(headroom.structuredContent.pools).toContainEqual(
      expect.objectContaining({
        pool: 'gpupool:default/l4-inference',
        quota: 12,
      }),
    );

    const gates = await call(GUEST, 'ai-platform.get-model-gate-status', {
      model: 'model:default/llama-3-1-8b-instruct',
      version: 'v2',
    });
    expect(gates.structuredContent.passed).toBe(false);
    expect(
      gates.structuredContent.gates.map((g: { status: string }) => g.status),
    ).toEqual(['missing', 'missing', 'missing']);

    const scores = await call(GUEST, 'ai-platform.get-model-eval-scores', {
      model: 'model:default/llama-3-1-8b-instruct',
      version: 'v1',
    });
    expect(scores.structuredContent).toEqual({ scores: [] });

    const status = await call(
      GUEST,
      'ai-platform.get-endpoint-deployment-status',
      { endpoint: 'inferenceendpoint:default/chat-assistant-prod' },
    );
    expect(status.isError).toBeFalsy();
    expect(status.structuredContent).toMatchObject({
      endpoint: 'inferenceendpoint:default/chat-assistant-prod',
      catalogModelVersion: 'v1',
      runningModelVersion: 'v2',
      runningRevision: 2,
      recentDeployments: [
        { revision: 2, operation: 'promote', state: 'succeeded' },
        { revision: 1, operation: 'deploy', state: 'succeeded' },
      ],
    });

    // None of them asked for a permission of its own: the only decisions
    // are the list's, on the cost actions' visibility.
    expect(decisions.length).toBeGreaterThan(0);
    for (const decision of decisions) {
      expect(decision).toEqual({
        user: GUEST,
        permission: 'ai-platform.cost.read',
        result: AuthorizeResult.DENY,
      });
    }
  });
});

import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { costReadPermission } from '@internal/plugin-ai-platform-common';
import { z } from 'zod/v3';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import type { CostStore } from '../cost/types';
import type { DeploymentService } from '../deploy/DeploymentService';
import type { EvalService } from '../evals/EvalService';
import type { QuotaService } from '../quotas/QuotaService';
import { registerActions } from './registerActions';

describe('ai-platform actions', () => {
  const gateStatus = jest.fn();
  const latestScores = jest.fn();
  const overview = jest.fn();
  const costSummary = jest.fn();
  const status = jest.fn();
  const list = jest.fn();
  const running = jest.fn();
  const registry = actionsRegistryServiceMock({
    logger: mockServices.logger.mock(),
  });
  const deployments: Pick<DeploymentService, 'status' | 'list' | 'running'> = {
    status,
    list,
    running,
  };
  registerActions({
    actionsRegistry: registry,
    evals: { gateStatus, latestScores } as unknown as EvalService,
    quotas: { overview } as unknown as QuotaService,
    costStore: { costSummary } as unknown as CostStore,
    catalog: catalogServiceMock({
      entities: loadExampleEntities([
        'org.yaml',
        'models.yaml',
        'gpu-pools.yaml',
        'endpoints.yaml',
      ]),
    }),
    deployments,
    now: () => new Date('2026-11-20T10:30:00Z'),
  });

  beforeEach(() => jest.clearAllMocks());

  it('registers read-only actions only', async () => {
    const { actions } = await registry.list();
    expect(actions.map(a => a.name).sort()).toEqual([
      'get-endpoint-deployment-status',
      'get-gpu-pool-capacity',
      'get-model-eval-scores',
      'get-model-gate-status',
      'get-team-endpoints',
      'get-team-gpu-cost',
      'get-team-quota-headroom',
      'size-model-version-for-pool',
    ]);
    for (const action of actions) {
      expect(action.attributes).toEqual({
        readOnly: true,
        idempotent: true,
        destructive: false,
      });
    }
  });

  it('hides the cost actions behind ai-platform.cost.read, as the cost routes are; the others are open to every signed-in caller', () => {
    const visibility = Object.fromEntries(
      [...registry.actions.values()].map(a => [
        a.name,
        a.visibilityPermission?.name ?? 'signed in',
      ]),
    );
    expect(visibility).toEqual({
      'get-team-gpu-cost': 'ai-platform.cost.read',
      'get-team-endpoints': 'ai-platform.cost.read',
      'get-gpu-pool-capacity': 'signed in',
      'get-team-quota-headroom': 'signed in',
      'get-model-gate-status': 'signed in',
      'get-model-eval-scores': 'signed in',
      'get-endpoint-deployment-status': 'signed in',
      'size-model-version-for-pool': 'signed in',
    });
    expect(
      registry.actions.get('test:get-team-gpu-cost')?.visibilityPermission,
    ).toBe(costReadPermission);
  });

  it('gives every action examples whose input and output match its schemas', async () => {
    const { actions } = await registry.list();
    for (const action of actions) {
      expect(action.examples?.length).toBeGreaterThan(0);
    }
    for (const [id, action] of registry.actions) {
      for (const example of action.examples ?? []) {
        const where = `${id}: ${example.title}`;
        // Parsing strips unknown keys, so equality also catches a misspelt field.
        expect([where, action.schema.input(z).parse(example.input)]).toEqual([
          where,
          example.input,
        ]);
        const output = example.output ?? {};
        const schema = example.output ? action.schema.output(z) : z.object({});
        expect([where, schema.parse(output)]).toEqual([where, output]);
      }
    }
    // Each action shows at least one answer, not only a question.
    for (const action of registry.actions.values()) {
      expect([
        action.name,
        action.examples?.some(e => e.output !== undefined),
      ]).toEqual([action.name, true]);
    }
  });

  it('answers a version gate status with the caller credentials', async () => {
    gateStatus.mockResolvedValue({
      passed: false,
      productionVersion: 'v1',
      gates: [
        {
          task: 'mmlu',
          metric: 'acc',
          min: 0.66,
          value: 0.61,
          status: 'fail',
          passed: false,
          reasons: ['acc 0.61 is below the minimum 0.66'],
        },
      ],
    });
    const credentials = mockCredentials.user('user:default/bob');
    const { output } = await registry.invoke({
      id: 'test:get-model-gate-status',
      input: { model: 'model:default/m', version: 'v2' },
      credentials,
    });
    expect(gateStatus).toHaveBeenCalledWith(
      'model:default/m',
      'v2',
      credentials,
    );
    expect(output).toEqual({
      passed: false,
      productionVersion: 'v1',
      gates: [
        {
          task: 'mmlu',
          metric: 'acc',
          min: 0.66,
          value: 0.61,
          status: 'fail',
          passed: false,
          overridden: false,
          reasons: ['acc 0.61 is below the minimum 0.66'],
        },
      ],
    });
  });

  it('answers the latest scores of a version', async () => {
    latestScores.mockResolvedValue([
      {
        task: 'gsm8k',
        metric: 'exact_match,strict-match',
        value: 0.77,
        stderr: 0.0116,
        numFewshot: 5,
        postedAt: '2026-11-01T00:00:00.000Z',
        runId: 'r',
        modelRef: 'm',
        version: 'v1',
      },
    ]);
    const { output } = await registry.invoke({
      id: 'test:get-model-eval-scores',
      input: { model: 'model:default/m', version: 'v1' },
    });
    expect(output).toEqual({
      scores: [
        {
          task: 'gsm8k',
          metric: 'exact_match,strict-match',
          value: 0.77,
          stderr: 0.0116,
          numFewshot: 5,
          postedAt: '2026-11-01T00:00:00.000Z',
        },
      ],
    });
  });

  it("answers a team's headroom as the smaller of its free quota and the pool's free GPUs", async () => {
    overview.mockResolvedValue([
      {
        pool: 'gpupool:default/l4-inference',
        cluster: 'gpu-eu-west',
        capacity: 16,
        used: 14,
        free: 2,
        teams: [
          {
            team: 'group:default/applied-ml',
            quota: 12,
            baseline: 12,
            used: 9,
            free: 3,
          },
        ],
      },
    ]);
    const { output } = await registry.invoke({
      id: 'test:get-team-quota-headroom',
      input: { team: 'applied-ml' },
    });
    expect(overview).toHaveBeenCalledWith({ team: 'group:default/applied-ml' });
    expect(output).toEqual({
      team: 'group:default/applied-ml',
      pools: [
        {
          pool: 'gpupool:default/l4-inference',
          quota: 12,
          used: 9,
          free: 3,
          poolFree: 2,
          canPlace: 2,
        },
      ],
    });
    const pool = await registry.invoke({
      id: 'test:get-gpu-pool-capacity',
      input: { pool: 'l4-inference' },
    });
    expect(overview).toHaveBeenLastCalledWith({
      pool: 'gpupool:default/l4-inference',
    });
    expect(pool.output).toMatchObject({ capacity: 16, used: 14, free: 2 });
  });

  it("answers a team's cost for the last 30 days by default", async () => {
    const to = Date.parse('2026-11-20T11:00:00Z') / 1000;
    costSummary.mockResolvedValue({
      from: to - 30 * 86_400,
      to,
      groupBy: 'team',
      totals: [],
      groups: [
        {
          key: 'group:default/applied-ml',
          currency: 'USD',
          cost: 1234.5,
          gpuHours: 1452.35,
          idleCost: 200,
          tokens: 9e8,
          costPerMillionTokens: 1.37,
          costPerMillionPromptTokens: 0.41,
          costPerMillionGenerationTokens: 5.2,
          splitMeasuredShare: 0.8,
          costPerRequest: 0.0021,
        },
        {
          key: 'group:default/data-science',
          currency: 'USD',
          cost: 99,
          gpuHours: 50,
          idleCost: 0,
          tokens: 0,
        },
      ],
      basis: { allocation: true, utilization: 'partial', tokens: 'partial' },
    });
    const { output } = await registry.invoke({
      id: 'test:get-team-gpu-cost',
      input: { team: 'applied-ml' },
    });
    expect(costSummary).toHaveBeenCalledWith({
      from: to - 30 * 86_400,
      to,
      groupBy: 'team',
    });
    expect(output).toEqual({
      team: 'group:default/applied-ml',
      from: '2026-10-21T11:00:00.000Z',
      to: '2026-11-20T11:00:00.000Z',
      costs: [
        {
          currency: 'USD',
          cost: 1234.5,
          gpuHours: 1452.35,
          idleCost: 200,
          tokens: 9e8,
          costPerMillionTokens: 1.37,
          costPerMillionPromptTokens: 0.41,
          costPerMillionGenerationTokens: 5.2,
          splitMeasuredShare: 0.8,
          costPerRequest: 0.0021,
        },
      ],
      basis: { utilization: 'partial', tokens: 'partial' },
    });
  });

  it('answers what an endpoint runs and its recent deployments', async () => {
    status.mockResolvedValue({
      endpointRef: 'inferenceendpoint:default/chat',
      cluster: 'gpu-eu-west',
      namespace: 'chat',
      clusterConfigured: true,
      catalogModelVersion: 'v1',
      runningModelVersion: 'v2',
      runningRevision: 4,
      deployment: {
        name: 'chat',
        replicas: 2,
        readyReplicas: 1,
        updatedReplicas: 2,
        availableReplicas: 1,
        conditions: [],
      },
      pods: [{ name: 'chat-1', phase: 'Pending', ready: false, restarts: 0 }],
      events: [
        {
          type: 'Normal',
          reason: 'Scheduled',
          message: 'ok',
          object: 'Pod/chat-0',
          count: 1,
        },
        {
          type: 'Warning',
          reason: 'FailedScheduling',
          message: '0/4 nodes are available: 4 Insufficient nvidia.com/gpu.',
          object: 'Pod/chat-1',
          count: 3,
        },
      ],
    });
    list.mockResolvedValue([
      {
        revision: 4,
        operation: 'promote',
        state: 'failed',
        modelVersion: 'v2',
        requestedBy: 'user:default/bob',
        createdAt: '2026-11-20T10:00:00.000Z',
        error: { check: 'rollout', message: 'timed out' },
      },
    ]);
    const credentials = mockCredentials.user('user:default/bob');
    const { output } = await registry.invoke({
      id: 'test:get-endpoint-deployment-status',
      input: { endpoint: 'inferenceendpoint:default/chat' },
      credentials,
    });
    expect(status).toHaveBeenCalledWith({
      credentials,
      endpointRef: 'inferenceendpoint:default/chat',
    });
    expect(output).toMatchObject({
      runningModelVersion: 'v2',
      catalogModelVersion: 'v1',
      readyReplicas: 1,
      replicas: 2,
      warnings: [
        'FailedScheduling: 0/4 nodes are available: 4 Insufficient nvidia.com/gpu.',
      ],
      recentDeployments: [
        { revision: 4, state: 'failed', error: 'rollout: timed out' },
      ],
    });
  });

  it('refuses a cost window that is not ISO or ends before it starts', async () => {
    await expect(
      registry.invoke({
        id: 'test:get-team-gpu-cost',
        input: { team: 'applied-ml', from: '01/10/2026' },
      }),
    ).rejects.toThrow('from must be an ISO date');
    await expect(
      registry.invoke({
        id: 'test:get-team-gpu-cost',
        input: { team: 'applied-ml', from: '2026-11-02', to: '2026-11-01' },
      }),
    ).rejects.toThrow('from must be before to');
    expect(costSummary).not.toHaveBeenCalled();
  });

  it('sizes a model version on a pool with the arithmetic, as its examples say', async () => {
    const sizing = registry.actions.get('test:size-model-version-for-pool')!;
    expect(sizing.examples).toHaveLength(2);
    for (const example of sizing.examples!) {
      const { output } = await registry.invoke({
        id: 'test:size-model-version-for-pool',
        input: example.input,
        credentials: mockCredentials.user(),
      });
      expect(output).toEqual(example.output);
    }
  });

  it('sizes with the given serving settings and falls back to the model context length', async () => {
    const { output } = await registry.invoke({
      id: 'test:size-model-version-for-pool',
      input: {
        model: 'llama-3-1-8b-instruct',
        version: 'v2-fp8',
        pool: 'l4-inference',
        concurrentSequences: 4,
        gpuMemoryUtilization: 0.85,
      },
    });
    expect(output).toMatchObject({
      model: 'model:default/llama-3-1-8b-instruct',
      version: 'v2-fp8',
      pool: 'gpupool:default/l4-inference',
      inputs: {
        parametersBillions: 8.03,
        quantization: 'fp8',
        maxModelLen: 131072,
        gpuMemoryGiB: 24,
        gpusPerNode: 4,
      },
      fits: true,
      tensorParallelSize: 4,
    });
    expect((output as { explanation: string[] }).explanation).toEqual(
      expect.arrayContaining([
        expect.stringContaining('in fp8 (1 bytes each)'),
        expect.stringContaining('4 sequences of 131072 tokens take 64 GiB'),
        expect.stringContaining('vLLM may use 85% of each 24 GiB GPU'),
        expect.stringContaining('With tensor parallelism 4'),
      ]),
    );
  });

  it('answers a sizing it cannot do with the field and the reason', async () => {
    await expect(
      registry.invoke({
        id: 'test:size-model-version-for-pool',
        input: {
          model: 'model:default/llama-3-1-8b-instruct',
          version: 'v9',
          pool: 'gpupool:default/l4-inference',
        },
      }),
    ).rejects.toThrow(
      'modelVersion: Model llama-3-1-8b-instruct has no version "v9"; it has v1, v2, v2-fp8',
    );
    await expect(
      registry.invoke({
        id: 'test:size-model-version-for-pool',
        input: {
          model: 'model:default/nope',
          version: 'v1',
          pool: 'gpupool:default/l4-inference',
        },
      }),
    ).rejects.toThrow('model:default/nope is not in the catalog');
    await expect(
      registry.invoke({
        id: 'test:size-model-version-for-pool',
        input: {
          model: 'model:default/llama-3-1-8b-instruct',
          version: 'v1',
          pool: 'gpupool:default/l4-inference',
          gpuMemoryUtilization: 1.5,
        },
      }),
    ).rejects.toThrow('Invalid input');
  });

  it("answers a team's endpoints with the version the records say runs, replicas, pool and cost", async () => {
    running.mockResolvedValue([
      {
        endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
        revision: 3,
        modelVersion: 'v2',
        finishedAt: '2026-11-18T09:12:40.000Z',
      },
      {
        endpointRef: 'inferenceendpoint:default/support-assistant',
        revision: 1,
        modelVersion: '2026-09',
      },
    ]);
    const figures = (key: string, cost: number) => ({
      key,
      currency: 'USD',
      cost,
      gpuHours: cost,
      idleCost: 0,
      idleGpuHours: 0,
      utilizationCoverage: 0,
      promptTokens: 0,
      generationTokens: 0,
      tokens: 0,
      tokenCoverage: 0,
    });
    costSummary.mockImplementation(async ({ from, to, groupBy }) => ({
      from,
      to,
      groupBy,
      totals: [],
      groups:
        groupBy === 'endpoint'
          ? [
              figures('inferenceendpoint:default/chat-assistant-prod', 100),
              figures('inferenceendpoint:default/support-assistant', 50),
            ]
          : [
              figures('group:default/applied-ml', 130),
              figures('group:default/data-science', 50),
            ],
      basis: { allocation: true, utilization: 'none', tokens: 'none' },
    }));

    const { output } = await registry.invoke({
      id: 'test:get-team-endpoints',
      input: { team: 'applied-ml', from: '2026-11-01', to: '2026-11-02' },
      credentials: mockCredentials.user(),
    });

    const from = Date.parse('2026-11-01T00:00:00Z') / 1000;
    const to = Date.parse('2026-11-02T00:00:00Z') / 1000;
    expect(costSummary).toHaveBeenCalledWith({ from, to, groupBy: 'endpoint' });
    expect(costSummary).toHaveBeenCalledWith({ from, to, groupBy: 'team' });
    const usd = (cost: number) => ({
      currency: 'USD',
      cost,
      gpuHours: cost,
      idleCost: 0,
      tokens: 0,
    });
    expect(output).toEqual({
      team: 'group:default/applied-ml',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      endpoints: [
        {
          endpoint: 'inferenceendpoint:default/chat-assistant-prod',
          title: 'Chat assistant (production)',
          lifecycle: 'production',
          model: 'model:default/llama-3-1-8b-instruct',
          catalogModelVersion: 'v1',
          runningModelVersion: 'v2',
          runningRevision: 3,
          runningSince: '2026-11-18T09:12:40.000Z',
          pool: 'gpupool:default/l4-inference',
          resources: {
            replicas: 2,
            minReplicas: 2,
            maxReplicas: 6,
            gpusPerReplica: 1,
          },
          costs: [usd(100)],
        },
        {
          endpoint: 'inferenceendpoint:default/chat-assistant-staging',
          title: 'Chat assistant (staging)',
          lifecycle: 'experimental',
          model: 'model:default/llama-3-1-8b-instruct',
          catalogModelVersion: 'v2',
          pool: 'gpupool:default/l4-inference',
          resources: { replicas: 1, gpusPerReplica: 1 },
          costs: [],
        },
        {
          endpoint: 'inferenceendpoint:default/reasoning-70b-prod',
          title: 'Reasoning assistant 70B (production)',
          lifecycle: 'production',
          model: 'model:default/llama-3-1-70b-instruct',
          catalogModelVersion: 'v1',
          pool: 'gpupool:default/h100-inference',
          resources: {
            replicas: 2,
            minReplicas: 1,
            maxReplicas: 3,
            gpusPerReplica: 4,
          },
          costs: [],
        },
        {
          endpoint: 'inferenceendpoint:default/transcription-whisper',
          title: 'Transcription (Whisper large-v3)',
          lifecycle: 'production',
          model: 'model:default/whisper-large-v3',
          catalogModelVersion: 'v3',
          pool: 'gpupool:default/l4-inference',
          resources: { replicas: 2, gpusPerReplica: 1 },
          costs: [],
        },
      ],
      teamTotals: [usd(130)],
      basis: { utilization: 'none', tokens: 'none' },
    });
  });

  it('has no deployment actions without the deployment service', async () => {
    const bare = actionsRegistryServiceMock();
    registerActions({
      actionsRegistry: bare,
      evals: {} as EvalService,
      quotas: {} as QuotaService,
      costStore: {} as CostStore,
      catalog: catalogServiceMock(),
    });
    const { actions } = await bare.list();
    expect(actions.map(a => a.name)).not.toContain('get-team-endpoints');
    expect(actions.map(a => a.name)).not.toContain(
      'get-endpoint-deployment-status',
    );
    expect(actions.map(a => a.name)).toContain('size-model-version-for-pool');
  });
});

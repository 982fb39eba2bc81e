import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import type { EvalService } from '../evals/EvalService';
import type { QuotaService } from '../quotas/QuotaService';
import type { CostStore } from '../cost/types';
import { registerActions } from './registerActions';
import type { DeploymentService } from '../deploy/DeploymentService';

describe('ai-platform actions', () => {
  const gateStatus = jest.fn();
  const latestScores = jest.fn();
  const overview = jest.fn();
  const costSummary = jest.fn();
  const status = jest.fn();
  const list = jest.fn();
  const registry = actionsRegistryServiceMock({
    logger: mockServices.logger.mock(),
  });
  registerActions({
    actionsRegistry: registry,
    evals: { gateStatus, latestScores } as unknown as EvalService,
    quotas: { overview } as unknown as QuotaService,
    costStore: { costSummary } as unknown as CostStore,
    deployments: { status, list } as unknown as DeploymentService,
    now: () => new Date('2026-11-20T10:30:00Z'),
  });

  it('registers read-only actions only', async () => {
    const { actions } = await registry.list();
    expect(actions.map(a => a.name).sort()).toEqual([
      'get-endpoint-deployment-status',
      'get-gpu-pool-capacity',
      'get-model-eval-scores',
      'get-model-gate-status',
      'get-team-gpu-cost',
      'get-team-quota-headroom',
    ]);
    for (const action of actions) {
      expect(action.attributes).toEqual({
        readOnly: true,
        idempotent: true,
        destructive: false,
      });
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
});

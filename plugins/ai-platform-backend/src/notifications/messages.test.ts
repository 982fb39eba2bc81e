import type {
  BudgetVsActualRow,
  QuotaRequest,
} from '@internal/plugin-ai-platform-common';
import {
  budgetThreshold,
  budgetThresholdReached,
  canaryAborted,
  deploymentFailed,
  entityPath,
  quotaRequestDecided,
} from './messages';

const row = (actual: number, forecast: number, budget = 1000) =>
  ({
    teamRef: 'group:default/applied-ml',
    month: '2026-12',
    currency: 'USD',
    budget,
    actual,
    forecast,
    status: 'under',
    setBy: 'user:default/alice',
    setAt: '2026-12-01T00:00:00Z',
    otherCurrencies: [],
  } as BudgetVsActualRow);

describe('notification messages', () => {
  it('links to entity pages by kind, namespace and name', () => {
    expect(entityPath('inferenceendpoint:team-a/chat', 'deployments')).toBe(
      '/catalog/team-a/inferenceendpoint/chat/deployments',
    );
  });

  it('tells the requester of an approval, with the quota change', () => {
    const request: QuotaRequest = {
      id: 'q1',
      team: 'group:default/search-relevance',
      pool: 'gpupool:default/h100-inference',
      gpus: 10,
      quotaAtRequest: 4,
      reason: 'launch',
      requestedBy: 'user:default/carol',
      createdAt: '2026-12-07T10:00:00Z',
      state: 'approved',
      decidedBy: 'user:default/alice',
      decisionReason: 'fits the Q4 plan',
    };
    expect(quotaRequestDecided(request, { before: 4, after: 10 })).toEqual({
      dedupeKey: 'quota-request:q1',
      recipients: ['user:default/carol'],
      payload: {
        title:
          'Quota request approved: 10 GPUs on h100-inference for search-relevance',
        description:
          "user:default/alice approved request q1: fits the Q4 plan. The team's quota is now 10 GPUs (was 4).",
        link: '/ai-platform/quotas',
        severity: 'normal',
        topic: 'ai-platform-quota-request',
        scope: 'quota-request:q1',
      },
    });
    const rejected = quotaRequestDecided({ ...request, state: 'rejected' });
    expect(rejected.payload.title).toBe(
      'Quota request rejected: 10 GPUs on h100-inference for search-relevance',
    );
    expect(rejected.payload.severity).toBe('high');
  });

  it('tells the owner which check a failed deployment stopped at', () => {
    const failed = deploymentFailed(
      {
        id: 'd1',
        endpointRef: 'inferenceendpoint:default/chat',
        operation: 'promote',
        revision: 3,
        state: 'failed',
        requestedBy: 'user:default/bob',
        error: { check: 'rollout', message: 'ImagePullBackOff' },
      },
      'group:default/applied-ml',
    );
    expect(failed).toMatchObject({
      dedupeKey: 'deployment:d1:failed',
      recipients: ['group:default/applied-ml'],
      payload: {
        title: 'Promote of chat failed (revision 3)',
        description: 'Requested by user:default/bob. rollout: ImagePullBackOff',
        link: '/catalog/default/inferenceendpoint/chat/deployments',
        topic: 'ai-platform-deployment',
      },
    });
  });

  it('says when the portal rolled back on its own, and when that failed too', () => {
    const base = {
      id: 'd2',
      endpointRef: 'inferenceendpoint:default/chat',
      operation: 'auto-rollback' as const,
      revision: 4,
      restoredRevision: 2,
      requestedBy: 'user:default/bob',
      reason:
        'automatic rollback: revision 3 failed its rollout: CrashLoopBackOff',
    };
    const ok = deploymentFailed(
      { ...base, state: 'succeeded' },
      'group:default/applied-ml',
    );
    expect(ok.payload).toMatchObject({
      title: 'chat was rolled back automatically to revision 2 (revision 4)',
      description:
        'Automatic rollback: revision 3 failed its rollout: CrashLoopBackOff. The last revision that succeeded runs again.',
      severity: 'high',
    });
    const failed = deploymentFailed(
      {
        ...base,
        state: 'failed',
        error: { check: 'rollout', message: 'ImagePullBackOff' },
      },
      'group:default/applied-ml',
    );
    expect(failed.payload).toMatchObject({
      title: 'Automatic rollback of chat failed (revision 4)',
      severity: 'critical',
    });
    expect(failed.payload.description).toContain(
      'The rollback failed too and was not retried: rollout: ImagePullBackOff',
    );
    expect(failed.dedupeKey).not.toBe(ok.dedupeKey);
  });

  it('finds the highest threshold reached, by cost to date or forecast', () => {
    const thresholds = [80, 100];
    expect(budgetThresholdReached(row(100, 790), thresholds)).toBeUndefined();
    expect(budgetThresholdReached(row(100, 800), thresholds)).toEqual({
      threshold: 80,
      by: 'forecast',
    });
    expect(budgetThresholdReached(row(850, 1200), thresholds)).toEqual({
      threshold: 100,
      by: 'forecast',
    });
    expect(budgetThresholdReached(row(1000, 1000), thresholds)).toEqual({
      threshold: 100,
      by: 'month-to-date cost',
    });
    // A zero budget has no shares to pass.
    expect(budgetThresholdReached(row(5, 5, 0), thresholds)).toBeUndefined();
  });

  it('sends a budget threshold to the team and the admins, once per month and threshold', () => {
    const n = budgetThreshold(
      row(850, 1200),
      { threshold: 100, by: 'forecast' },
      ['group:default/ml-platform', 'group:default/applied-ml'],
    );
    expect(n.dedupeKey).toBe('budget:group:default/applied-ml:2026-12:100');
    expect(n.recipients).toEqual([
      'group:default/applied-ml',
      'group:default/ml-platform',
    ]);
    expect(n.payload).toMatchObject({
      title: 'applied-ml: forecast at 100% of the 2026-12 GPU budget',
      description:
        'Budget $1,000.00; month-to-date cost $850.00, forecast $1,200.00 (from the GPU usage collector).',
      link: '/ai-platform/cost',
      severity: 'high',
      topic: 'ai-platform-budget',
    });
  });

  it('tells the owners of a canary aborted by its analysis, once per canary, with the numbers', () => {
    const n = canaryAborted(
      {
        deploymentId: 'd-1',
        endpointRef: 'inferenceendpoint:default/chat',
        revision: 7,
        canaryVersion: 'v2-fp8',
        stableVersion: 'v2',
        phase: 'aborted',
        message:
          'analysis failed on step 1: error rate 20 % is above 1 %; all traffic is back on v2',
      },
      'group:default/applied-ml',
    );
    expect(n).toMatchObject({
      dedupeKey: 'canary:d-1',
      recipients: ['group:default/applied-ml'],
      payload: {
        title: 'Canary of chat aborted: v2-fp8 (revision 7)',
        description:
          'Analysis failed on step 1: error rate 20 % is above 1 %; all traffic is back on v2. v2 serves all traffic.',
        link: '/catalog/default/inferenceendpoint/chat/deployments',
        topic: 'ai-platform-canary',
        severity: 'high',
      },
    });
  });
});

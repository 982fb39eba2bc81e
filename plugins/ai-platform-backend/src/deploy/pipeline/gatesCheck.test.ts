import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { GateOverride } from '@internal/plugin-ai-platform-common';
import { evaluateGates } from '../../evals/gates';
import { allPermissions, examplePlan, fakeRun } from '../__testUtils__/fakeRun';
import type { DeploymentPlan } from '../planDeployment';
import { gatesCheck } from './gatesCheck';
import type { DeploymentDependencies } from './types';

const LLAMA = 'model:default/llama-3-1-8b-instruct';
const PROD = 'inferenceendpoint:default/chat-assistant-prod';
const alice = mockCredentials.user('user:default/alice');

/** The example llama gates: mmlu acc >= 0.66, gsm8k >= 0.75, ifeval at most 0.02 below v1. */
const GOOD = {
  'mmlu|acc': 0.7,
  'gsm8k|exact_match,strict-match': 0.8,
  'ifeval|prompt_level_strict_acc': 0.8,
};

/** Gate status as EvalService.gateStatus answers it, from scores and overrides of `version`. */
function gateStatusOf(
  plan: DeploymentPlan,
  scores: Record<string, number>,
  overrides: GateOverride[] = [],
) {
  const version = plan.modelVersion;
  return {
    model: LLAMA,
    version,
    productionVersion: 'v1',
    ...evaluateGates({
      gates: plan.model.spec.evaluation?.gates ?? [],
      version,
      productionVersion: 'v1',
      scores: new Map(Object.entries(scores)),
      productionScores: new Map(Object.entries(GOOD)),
      overrides,
    }),
  };
}

function evalsAnswering(
  ...answers: Array<ReturnType<typeof gateStatusOf>>
): DeploymentDependencies['evals'] & { calls: number } {
  const evals = {
    calls: 0,
    gateStatus: async () =>
      answers[Math.min(evals.calls++, answers.length - 1)],
  };
  return evals;
}

describe('gatesCheck', () => {
  it('passes a model without gates', async () => {
    const plan = await examplePlan();
    plan.model = {
      ...plan.model,
      spec: { ...plan.model.spec, evaluation: undefined },
    };
    expect(await gatesCheck.run(fakeRun({ plan }))).toEqual({
      status: 'passed',
      message: `${LLAMA} defines no eval gates`,
    });
  });

  it('passes when every gate passes, and says when overrides made them pass', async () => {
    const plan = await examplePlan({ endpoint: PROD });
    const passing = await gatesCheck.run(
      fakeRun({
        plan,
        deps: { evals: evalsAnswering(gateStatusOf(plan, GOOD)) },
      }),
    );
    expect(passing).toMatchObject({
      status: 'passed',
      message: `3 gate(s) of ${LLAMA} v1 pass`,
    });

    const overridden = await gatesCheck.run(
      fakeRun({
        plan,
        deps: {
          evals: evalsAnswering(
            gateStatusOf(plan, { ...GOOD, 'mmlu|acc': 0.6 }, [
              {
                task: 'mmlu',
                metric: 'acc',
                reason: 'known dip',
                actor: 'user:default/alice',
                createdAt: '2026-01-01T00:00:00Z',
              },
            ]),
          ),
        },
      }),
    );
    expect(overridden).toMatchObject({
      status: 'overridden',
      message: `3 gate(s) of ${LLAMA} v1 pass (1 by a recorded override)`,
    });
  });

  it('does not enforce failing gates on an experimental endpoint serving a staging version', async () => {
    const plan = await examplePlan();
    const outcome = await gatesCheck.run(
      fakeRun({
        plan,
        deps: { evals: evalsAnswering(gateStatusOf(plan, {})) },
      }),
    );
    expect(outcome.status).toBe('skipped');
    expect(outcome.message).toBe(
      'not enforced for a experimental endpoint serving a staging version: mmlu acc has no result; gsm8k exact_match,strict-match has no result; ifeval prompt_level_strict_acc has no result',
    );
  });

  it('blocks a production endpoint on a failing or missing gate', async () => {
    const plan = await examplePlan({ endpoint: PROD });
    const outcome = await gatesCheck.run(
      fakeRun({
        plan,
        deps: {
          evals: evalsAnswering(
            gateStatusOf(plan, {
              'mmlu|acc': 0.6,
              'ifeval|prompt_level_strict_acc': 0.8,
            }),
          ),
        },
      }),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'does not pass its eval gates: mmlu acc = 0.6 (min 0.66); gsm8k exact_match,strict-match has no result.',
    );
    expect(outcome.message).toContain('ai-platform.gate.override');
  });

  it('needs a reason and the permission to override gates', async () => {
    const plan = await examplePlan({ endpoint: PROD });
    const failing = gateStatusOf(plan, { ...GOOD, 'mmlu|acc': 0.6 });
    const noReason = await gatesCheck.run(
      fakeRun({
        plan,
        call: { overrideGates: true },
        deps: { evals: evalsAnswering(failing) },
      }),
    );
    expect(noReason).toEqual({
      status: 'failed',
      message:
        'overrideGates needs a reason: it is kept with each gate override',
    });

    const denied = await gatesCheck.run(
      fakeRun({
        plan,
        call: { overrideGates: true, reason: 'launch' },
        deps: {
          evals: evalsAnswering(failing),
          permissions: allPermissions(AuthorizeResult.DENY),
        },
      }),
    );
    expect(denied.status).toBe('failed');
    expect(denied.message).toBe(
      'mmlu acc = 0.6 (min 0.66); and user:default/bob may not override gates (permission ai-platform.gate.override)',
    );
  });

  it('overrides each failing gate with an audited record, then passes as overridden', async () => {
    const plan = await examplePlan({ endpoint: PROD });
    const failing = gateStatusOf(plan, {
      'gsm8k|exact_match,strict-match': 0.8,
    });
    const audited: unknown[] = [];
    const upserted: unknown[] = [];
    const outcome = await gatesCheck.run(
      fakeRun({
        plan,
        call: { credentials: alice, overrideGates: true, reason: 'approved' },
        deps: {
          evals: evalsAnswering(failing, gateStatusOf(plan, GOOD)),
          permissions: allPermissions(AuthorizeResult.ALLOW),
          auditLog: {
            track: async (action, fn) => {
              audited.push(action.request);
              return fn();
            },
          },
          evalStore: {
            upsertOverride: async override => {
              upserted.push(override);
              return { ...override, createdAt: '2026-01-01T00:00:00Z' };
            },
          },
        },
      }),
    );
    expect(outcome).toMatchObject({
      status: 'overridden',
      message:
        'overridden (approved): mmlu acc has no result; ifeval prompt_level_strict_acc has no result',
      details: { summary: { pass: 3 } },
    });
    expect(audited).toEqual([
      {
        version: 'v1',
        task: 'mmlu',
        metric: 'acc',
        reason: 'approved',
        via: `endpoint.deploy of ${PROD}`,
      },
      {
        version: 'v1',
        task: 'ifeval',
        metric: 'prompt_level_strict_acc',
        reason: 'approved',
        via: `endpoint.deploy of ${PROD}`,
      },
    ]);
    expect(upserted).toEqual([
      expect.objectContaining({ task: 'mmlu', actor: 'user:default/alice' }),
      expect.objectContaining({ task: 'ifeval', actor: 'user:default/alice' }),
    ]);
  });

  it('skips a rollback, which restores a revision that ran before', async () => {
    const plan = await examplePlan({ endpoint: PROD });
    expect(
      await gatesCheck.run(
        fakeRun({
          plan: { ...plan, operation: 'rollback', restoredRevision: 3 },
        }),
      ),
    ).toEqual({
      status: 'skipped',
      message: 'a rollback restores revision 3, which ran before',
    });
  });
});

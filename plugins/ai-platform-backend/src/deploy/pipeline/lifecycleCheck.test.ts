import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { allPermissions, examplePlan, fakeRun } from '../__testUtils__/fakeRun';
import type { DeploymentPlan } from '../planDeployment';
import { lifecycleCheck } from './lifecycleCheck';

const alice = mockCredentials.user('user:default/alice');

/** The example plan with its version put in `stage`. */
async function planIn(stage: string, operation?: 'rollback') {
  const plan: DeploymentPlan = await examplePlan();
  plan.model = {
    ...plan.model,
    spec: {
      ...plan.model.spec,
      versions: plan.model.spec.versions.map(v =>
        v.name === plan.modelVersion ? { ...v, stage: stage as any } : v,
      ),
    },
  };
  if (operation) {
    plan.operation = operation;
    plan.restoredRevision = 3;
  }
  return plan;
}

describe('lifecycleCheck', () => {
  it.each(['development', 'staging', 'production'])(
    'passes a version in stage %s',
    async stage => {
      const outcome = await lifecycleCheck.run(
        fakeRun({ plan: await planIn(stage) }),
      );
      expect(outcome).toEqual({
        status: 'passed',
        message: `model:default/llama-3-1-8b-instruct version v2 is in stage ${stage}`,
      });
    },
  );

  it.each([
    ['a deploy', undefined, ''],
    [
      'a rollback',
      'rollback' as const,
      ', not even by a rollback to revision 3',
    ],
  ])(
    'never deploys an archived version by %s, whatever the caller may do',
    async (_name, operation, more) => {
      const outcome = await lifecycleCheck.run(
        fakeRun({
          plan: await planIn('archived', operation),
          call: {
            credentials: alice,
            allowDeprecated: true,
            reason: 'we really want it',
          },
          deps: { permissions: allPermissions(AuthorizeResult.ALLOW) },
        }),
      );
      expect(outcome).toEqual({
        status: 'failed',
        message: `model:default/llama-3-1-8b-instruct version v2 is archived (retired): it never deploys${more}. Choose a version in another stage.`,
      });
    },
  );

  it('refuses a deprecated version without an override, naming what is needed', async () => {
    const outcome = await lifecycleCheck.run(
      fakeRun({ plan: await planIn('deprecated') }),
    );
    expect(outcome).toEqual({
      status: 'failed',
      message:
        "model:default/llama-3-1-8b-instruct version v2 is deprecated: deploying it needs a platform admin's override with a reason (allowDeprecated, permission ai-platform.gate.override). Choose a current version instead.",
    });
  });

  it('refuses the override of a caller without the permission, and one without a reason', async () => {
    const denied = await lifecycleCheck.run(
      fakeRun({
        plan: await planIn('deprecated'),
        call: { allowDeprecated: true, reason: 'the customer pinned it' },
        deps: { permissions: allPermissions(AuthorizeResult.DENY) },
      }),
    );
    expect(denied.status).toBe('failed');
    expect(denied.message).toContain(
      'user:default/bob may not deploy the deprecated model:default/llama-3-1-8b-instruct version v2 (permission ai-platform.gate.override)',
    );
    const noReason = await lifecycleCheck.run(
      fakeRun({
        plan: await planIn('deprecated'),
        call: { credentials: alice, allowDeprecated: true },
      }),
    );
    expect(noReason.message).toBe(
      'allowDeprecated needs a reason: it is kept in the audit record',
    );
  });

  it("deploys a deprecated version on an admin's override, audited", async () => {
    const tracked: unknown[] = [];
    const outcome = await lifecycleCheck.run(
      fakeRun({
        plan: await planIn('deprecated'),
        call: {
          credentials: alice,
          allowDeprecated: true,
          reason: 'the customer pinned it until March',
        },
        deps: {
          permissions: allPermissions(AuthorizeResult.ALLOW),
          auditLog: {
            track: async (action, fn) => {
              tracked.push(action);
              return fn();
            },
          },
        },
      }),
    );
    expect(outcome).toEqual({
      status: 'overridden',
      message:
        'model:default/llama-3-1-8b-instruct version v2 is deprecated; deployed on the override of user:default/alice: the customer pinned it until March',
    });
    expect(tracked).toEqual([
      expect.objectContaining({
        action: 'lifecycle.override',
        target: 'model:default/llama-3-1-8b-instruct',
        request: {
          version: 'v2',
          stage: 'deprecated',
          endpoint: 'inferenceendpoint:default/chat-assistant-staging',
          operation: 'deploy',
          reason: 'the customer pinned it until March',
        },
      }),
    ]);
  });
});

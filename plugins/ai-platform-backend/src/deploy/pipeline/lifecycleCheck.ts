import { stringifyEntityRef } from '@backstage/catalog-model';
import { gateOverridePermission } from '@internal/plugin-ai-platform-common';
import { actorOf } from '../../audit/AuditLog';
import { callerMay } from './callerMay';
import type { DeploymentStep, StepOutcome } from './types';

/**
 * 5. The model version's lifecycle stage. A version in stage `archived` is
 * retired and never deploys: not by a deploy, a promote or a rollback to a
 * revision that served it. A `deprecated` version deploys only when a
 * platform admin overrides the stage with a reason (`allowDeprecated`,
 * permission `ai-platform.gate.override`); the override is audited like a
 * gate override.
 */
export const lifecycleCheck: DeploymentStep = {
  name: 'lifecycle',
  async run(run): Promise<StepOutcome> {
    const { plan, call, deps } = run;
    const modelRef = stringifyEntityRef(plan.model);
    const version = plan.model.spec.versions.find(
      v => v.name === plan.modelVersion,
    );
    const what = `${modelRef} version ${plan.modelVersion}`;
    if (!version) {
      // A rollback to a version the model no longer lists.
      return {
        status: 'failed',
        message: `${what} is no longer a version of the model: a version that is gone is retired and does not deploy`,
      };
    }
    const stage = version.stage;
    if (stage === 'archived') {
      return {
        status: 'failed',
        message: `${what} is archived (retired): it never deploys${
          plan.restoredRevision !== undefined
            ? `, not even by a rollback to revision ${plan.restoredRevision}`
            : ''
        }. Choose a version in another stage.`,
      };
    }
    if (stage !== 'deprecated') {
      return {
        status: 'passed',
        message: `${what} is in stage ${stage ?? 'unset'}`,
      };
    }
    if (!call.allowDeprecated) {
      return {
        status: 'failed',
        message: `${what} is deprecated: deploying it needs a platform admin's override with a reason (allowDeprecated, permission ${gateOverridePermission.name}). Choose a current version instead.`,
      };
    }
    if (!call.reason) {
      return {
        status: 'failed',
        message:
          'allowDeprecated needs a reason: it is kept in the audit record',
      };
    }
    if (!(await callerMay(run, gateOverridePermission))) {
      return {
        status: 'failed',
        message: `${actorOf(
          call.credentials,
        )} may not deploy the deprecated ${what} (permission ${
          gateOverridePermission.name
        })`,
      };
    }
    await deps.auditLog.track(
      {
        action: 'lifecycle.override',
        credentials: call.credentials,
        target: modelRef,
        request: {
          version: plan.modelVersion,
          stage,
          endpoint: plan.endpointRef,
          operation: plan.operation,
          reason: call.reason,
        },
        httpRequest: call.httpRequest,
        severityLevel: 'high',
      },
      async () => undefined,
    );
    return {
      status: 'overridden',
      message: `${what} is deprecated; deployed on the override of ${actorOf(
        call.credentials,
      )}: ${call.reason}`,
    };
  },
};

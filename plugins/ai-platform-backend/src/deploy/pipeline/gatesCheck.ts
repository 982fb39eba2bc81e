import { stringifyEntityRef } from '@backstage/catalog-model';
import { gateOverridePermission } from '@internal/plugin-ai-platform-common';
import { actorOf } from '../../audit/AuditLog';
import { callerMay } from './callerMay';
import type { DeploymentRun, DeploymentStep } from './types';

type GateStatus = Awaited<
  ReturnType<DeploymentRun['deps']['evals']['gateStatus']>
>;

/** The failing gates of a status, for messages: `mmlu acc = 0.6 (min 0.66); ...`. */
export function describeFailingGates(status: GateStatus): string {
  return status.gates
    .filter(g => !g.passed)
    .map(g =>
      g.status === 'missing'
        ? `${g.task} ${g.metric} has no result`
        : `${g.task} ${g.metric} = ${g.value}${
            g.min !== undefined ? ` (min ${g.min})` : ''
          }${g.max !== undefined ? ` (max ${g.max})` : ''}${
            g.maxRegression !== undefined && g.baselineValue !== undefined
              ? ` (at most ${g.maxRegression} below ${g.baselineVersion}'s ${g.baselineValue})`
              : ''
          }`,
    )
    .join('; ');
}

/**
 * Records an audited override of each failing gate (one `gate.override`
 * audit record per gate), as the deploy call's actor and reason.
 */
async function overrideFailingGates(
  run: DeploymentRun,
  status: GateStatus,
): Promise<void> {
  const { plan, call, deps } = run;
  const modelRef = stringifyEntityRef(plan.model);
  for (const gate of status.gates.filter(g => !g.passed)) {
    await deps.auditLog.track(
      {
        action: 'gate.override',
        credentials: call.credentials,
        target: modelRef,
        request: {
          version: plan.modelVersion,
          task: gate.task,
          metric: gate.metric,
          reason: call.reason,
          via: `endpoint.${plan.operation} of ${plan.endpointRef}`,
        },
        httpRequest: call.httpRequest,
        severityLevel: 'high',
      },
      () =>
        deps.evalStore.upsertOverride({
          modelRef,
          version: plan.modelVersion,
          task: gate.task,
          metric: gate.metric,
          reason: call.reason!,
          actor: actorOf(call.credentials),
        }),
    );
  }
}

/**
 * 3. Eval gates of the model version. Enforced for a production endpoint or
 * a version in stage production, where a failing or missing result blocks
 * unless the caller overrides the gates with a reason and may do so
 * (`ai-platform.gate.override`; each override is audited). A rollback
 * restores a revision that ran before, so it skips this.
 */
export const gatesCheck: DeploymentStep = {
  name: 'gates',
  async run(run) {
    const { plan, call, deps } = run;
    if (plan.restoredRevision !== undefined) {
      return {
        status: 'skipped',
        message: `a rollback restores revision ${plan.restoredRevision}, which ran before`,
      };
    }
    const modelRef = stringifyEntityRef(plan.model);
    const version = plan.model.spec.versions.find(
      v => v.name === plan.modelVersion,
    );
    if ((plan.model.spec.evaluation?.gates ?? []).length === 0) {
      return { status: 'passed', message: `${modelRef} defines no eval gates` };
    }
    const status = await deps.evals.gateStatus(
      modelRef,
      plan.modelVersion,
      call.credentials,
    );
    const summary = { summary: status.summary };
    if (status.passed) {
      return {
        status: status.summary.overridden ? 'overridden' : 'passed',
        message: `${status.gates.length} gate(s) of ${modelRef} ${
          plan.modelVersion
        } pass${
          status.summary.overridden
            ? ` (${status.summary.overridden} by a recorded override)`
            : ''
        }`,
        details: summary,
      };
    }
    const failing = describeFailingGates(status);
    const enforced =
      plan.endpoint.spec.lifecycle === 'production' ||
      version?.stage === 'production';
    if (!enforced) {
      return {
        status: 'skipped',
        message: `not enforced for a ${plan.endpoint.spec.lifecycle} endpoint serving a ${version?.stage} version: ${failing}`,
        details: summary,
      };
    }
    if (!call.overrideGates) {
      return {
        status: 'failed',
        message: `${modelRef} ${plan.modelVersion} does not pass its eval gates: ${failing}. A failing or missing gate blocks production; record results, or override with a reason (permission ${gateOverridePermission.name}).`,
        details: summary,
      };
    }
    if (!call.reason) {
      return {
        status: 'failed',
        message:
          'overrideGates needs a reason: it is kept with each gate override',
      };
    }
    if (!(await callerMay(run, gateOverridePermission))) {
      return {
        status: 'failed',
        message: `${failing}; and ${actorOf(
          call.credentials,
        )} may not override gates (permission ${gateOverridePermission.name})`,
        details: summary,
      };
    }
    await overrideFailingGates(run, status);
    const after = await deps.evals.gateStatus(
      modelRef,
      plan.modelVersion,
      call.credentials,
    );
    return {
      status: 'overridden',
      message: `overridden (${call.reason}): ${failing}`,
      details: { summary: after.summary },
    };
  },
};

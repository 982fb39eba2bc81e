import type { StoredDeployment } from '../DatabaseDeploymentStore';
import type { DeploymentRecorder } from '../DeploymentRecorder';
import type { DeploymentRun, DeploymentStep } from './types';

/**
 * Runs the steps in order and records each outcome. A failed step ends the
 * deployment failed (or, with a refusal, refuses the call); a step may end
 * it early in another state, the later steps then recorded as skipped.
 * Returns the final record.
 */
export async function runDeploymentSteps(options: {
  run: DeploymentRun;
  recorder: Pick<
    DeploymentRecorder,
    'check' | 'setObjects' | 'finish' | 'fail' | 'refuse'
  >;
  steps: readonly DeploymentStep[];
}): Promise<StoredDeployment> {
  const { run, recorder, steps } = options;
  for (const [index, step] of steps.entries()) {
    const outcome = await step.run(run);
    await recorder.check(
      step.name,
      outcome.status,
      outcome.message,
      outcome.details,
    );
    if (outcome.status === 'failed') {
      const error = {
        check: step.name,
        message: outcome.message,
        ...outcome.error,
      };
      if (outcome.refusal) {
        await recorder.refuse(error);
        throw outcome.refusal;
      }
      if (outcome.objects) await recorder.setObjects(outcome.objects);
      return recorder.fail(error);
    }
    if (outcome.end) {
      for (const later of steps.slice(index + 1)) {
        await recorder.check(later.name, 'skipped', outcome.end.skipRest);
      }
      return recorder.finish(
        outcome.end.state,
        outcome.objects ? { objects: outcome.objects } : {},
      );
    }
  }
  return recorder.finish(
    'succeeded',
    run.applied ? { objects: run.applied.objects } : {},
  );
}

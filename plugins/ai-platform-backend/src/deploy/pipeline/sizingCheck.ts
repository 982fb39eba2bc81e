import type { DeploymentStep } from './types';

/**
 * 2. Sizing: the endpoint could be rendered, and the model version fits the
 * pool's GPUs with the tensor parallelism its replicas have. A rollback
 * restores objects that ran before, so it skips this.
 */
export const sizingCheck: DeploymentStep = {
  name: 'sizing',
  async run({ plan }) {
    if (plan.renderError) {
      return { status: 'failed', message: plan.renderError };
    }
    if (plan.restoredRevision !== undefined) {
      return {
        status: 'skipped',
        message: `restores the objects of revision ${plan.restoredRevision}`,
      };
    }
    const sizing = plan.rendered?.sizing;
    const gpusPerReplica = plan.endpoint.spec.resources?.gpusPerReplica ?? 0;
    if (!sizing) {
      return {
        status: 'skipped',
        message: plan.rendered?.warnings[0] ?? 'the model could not be sized',
      };
    }
    if (!sizing.fits) {
      return {
        status: 'failed',
        message: sizing.explanation.at(-1) ?? 'the model does not fit',
        details: { sizing },
      };
    }
    if ((sizing.tensorParallelSize ?? 1) > gpusPerReplica) {
      return {
        status: 'failed',
        message: `the model needs ${sizing.tensorParallelSize} GPUs per replica on ${plan.pool.metadata.name}, spec.resources.gpusPerReplica is ${gpusPerReplica}`,
        details: { sizing },
      };
    }
    return {
      status: 'passed',
      message: `fits on ${sizing.tensorParallelSize} GPU(s) per replica (${sizing.perGpu?.totalGiB} of ${sizing.perGpu?.usableGiB} GiB each)`,
    };
  },
};

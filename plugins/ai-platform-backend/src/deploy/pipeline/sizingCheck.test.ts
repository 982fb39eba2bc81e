import type { GpuSizing } from '@internal/plugin-ai-platform-common';
import { examplePlan, fakeRun } from '../__testUtils__/fakeRun';
import type { DeploymentPlan } from '../planDeployment';
import { sizingCheck } from './sizingCheck';

/** The plan with its sizing replaced. */
function withSizing(
  plan: DeploymentPlan,
  sizing: Partial<GpuSizing> | undefined,
): DeploymentPlan {
  return {
    ...plan,
    rendered: {
      ...plan.rendered!,
      sizing: sizing && ({ ...plan.rendered!.sizing!, ...sizing } as GpuSizing),
    },
  };
}

describe('sizingCheck', () => {
  it('passes when the model version fits on the GPUs of a replica', async () => {
    const plan = await examplePlan();
    expect(plan.rendered?.sizing?.fits).toBe(true);
    const outcome = await sizingCheck.run(fakeRun({ plan }));
    expect(outcome.status).toBe('passed');
    expect(outcome.message).toMatch(
      /^fits on 1 GPU\(s\) per replica \([\d.]+ of [\d.]+ GiB each\)$/,
    );
  });

  it('fails with the renderer’s reason when the endpoint could not be rendered', async () => {
    const plan = await examplePlan();
    const outcome = await sizingCheck.run(
      fakeRun({
        plan: { ...plan, rendered: undefined, renderError: 'no namespace' },
      }),
    );
    expect(outcome).toEqual({ status: 'failed', message: 'no namespace' });
  });

  it('fails when the model does not fit, with the sizing’s last explanation', async () => {
    const plan = withSizing(await examplePlan(), {
      fits: false,
      explanation: ['weights 16 GiB', 'does not fit on 24 GiB'],
    });
    const outcome = await sizingCheck.run(fakeRun({ plan }));
    expect(outcome).toMatchObject({
      status: 'failed',
      message: 'does not fit on 24 GiB',
      details: { sizing: expect.objectContaining({ fits: false }) },
    });
  });

  it('fails when the model needs more GPUs per replica than the endpoint has', async () => {
    const plan = withSizing(await examplePlan(), { tensorParallelSize: 4 });
    const outcome = await sizingCheck.run(fakeRun({ plan }));
    expect(outcome).toMatchObject({
      status: 'failed',
      message:
        'the model needs 4 GPUs per replica on l4-inference, spec.resources.gpusPerReplica is 1',
    });
  });

  it('skips a model that could not be sized, saying why', async () => {
    const plan = withSizing(await examplePlan(), undefined);
    plan.rendered!.warnings = ['the model has no spec.parameters'];
    expect(await sizingCheck.run(fakeRun({ plan }))).toEqual({
      status: 'skipped',
      message: 'the model has no spec.parameters',
    });
  });

  it('skips a rollback, which restores objects that ran before', async () => {
    const plan = await examplePlan();
    expect(
      await sizingCheck.run(
        fakeRun({
          plan: {
            ...plan,
            operation: 'rollback',
            rendered: undefined,
            restoredRevision: 2,
          },
        }),
      ),
    ).toEqual({
      status: 'skipped',
      message: 'restores the objects of revision 2',
    });
  });
});

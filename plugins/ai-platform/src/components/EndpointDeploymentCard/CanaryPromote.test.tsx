import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import type {
  CanaryPlan,
  DeploymentRecord,
  PromoteRequest,
} from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  deploymentRecord,
  endpointEntity,
  modelEntity,
  renderWithApis,
} from '../../__testUtils__';
import { DeploymentDialog } from './DeploymentDialog';

/*
 * The Promote dialog with strategy canary: the steps editor (default steps,
 * validation per field), the dry run's canary plan (engine, steps, reserved
 * GPUs, the split the replicas really give, warnings, refusal) and the call
 * it makes.
 */

const plan: CanaryPlan = {
  engine: 'argo-rollouts',
  steps: [
    { weight: 10, pause: { durationSeconds: 300 } },
    { weight: 50, pause: { approval: true } },
    { weight: 100 },
  ],
  reservedGpus: 1,
  splits: [
    {
      desiredCanaryPercent: 10,
      actualCanaryPercent: 33,
      basis: 'replica-count',
      stableReplicas: 2,
      canaryReplicas: 1,
      note: 'with 2 replicas a 10 % step is 33 %',
    },
    {
      desiredCanaryPercent: 50,
      actualCanaryPercent: 50,
      basis: 'replica-count',
      stableReplicas: 1,
      canaryReplicas: 1,
    },
    {
      desiredCanaryPercent: 100,
      actualCanaryPercent: 100,
      basis: 'replica-count',
      stableReplicas: 0,
      canaryReplicas: 2,
    },
  ],
  warnings: [
    'spec.url https://chat.inference.example.com/v1 is not the gateway: its callers bypass the split',
  ],
};

type Promote = (o: PromoteRequest) => Promise<DeploymentRecord>;

function api(promote: Promote) {
  const mock: Partial<AiPlatformApi> = {
    getGateStatus: jest.fn(async ({ version }) => ({
      model: 'model:default/llama-3-1-8b-instruct',
      version,
      productionVersion: 'v1',
      passed: true,
      summary: { pass: 0, fail: 0, missing: 0, overridden: 0 },
      gates: [],
    })),
    checkQuota: jest.fn(async q => ({
      ...q,
      allowed: true,
      reasons: [],
      quota: 8,
      used: 0,
      teamFree: 8,
      poolCapacity: 16,
      poolUsed: 7,
      poolFree: 9,
    })) as AiPlatformApi['checkQuota'],
    promoteEndpoint: jest.fn(promote) as AiPlatformApi['promoteEndpoint'],
    getDeployment: jest.fn(async () =>
      deploymentRecord(4, { operation: 'promote', state: 'rolling-out' }),
    ),
  };
  return mock;
}

async function openDialog(mock: Partial<AiPlatformApi>) {
  await renderWithApis(
    <DeploymentDialog
      mode="promote"
      open
      onClose={() => {}}
      onFinished={() => {}}
      endpoint={endpointEntity}
      model={modelEntity}
      runningVersion="v1"
      history={[deploymentRecord(1)]}
    />,
    { api: mock, allow: ['ai-platform.endpoint.deploy'] },
  );
  const dialog = await screen.findByRole('dialog');
  fireEvent.click(
    within(dialog).getByRole('radio', { name: /^Canary: a share/ }),
  );
  return dialog;
}

describe('DeploymentDialog with strategy canary', () => {
  it('offers only the canary once an Argo canary made the endpoint a Rollout, and never asks for a rolling dry run', async () => {
    const mock = api(async o =>
      deploymentRecord(0, {
        operation: 'promote',
        modelVersion: o.modelVersion,
        state: 'dry-run',
        dryRun: true,
        canary: plan,
      }),
    );
    await renderWithApis(
      <DeploymentDialog
        mode="promote"
        open
        onClose={() => {}}
        onFinished={() => {}}
        endpoint={endpointEntity}
        model={modelEntity}
        runningVersion="v1"
        history={[
          deploymentRecord(2, {
            operation: 'promote',
            state: 'succeeded',
            canary: { ...plan, engine: 'argo-rollouts' },
          }),
          deploymentRecord(1),
        ]}
      />,
      { api: mock, allow: ['ai-platform.endpoint.deploy'] },
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByRole('radio', { name: /^Rolling: all traffic/ }),
    ).toBeDisabled();
    expect(
      within(dialog).getByRole('radio', { name: /^Canary: a share/ }),
    ).toBeChecked();
    expect(
      within(dialog).getByText(/A canary made this endpoint an Argo Rollout/),
    ).toBeInTheDocument();
    await waitFor(() => expect(mock.promoteEndpoint).toHaveBeenCalled());
    for (const [request] of (mock.promoteEndpoint as jest.Mock).mock.calls) {
      expect(request).toMatchObject({ strategy: 'canary' });
    }
  });

  it('shows the dry run’s canary plan and promotes with the steps', async () => {
    const mock = api(async o =>
      deploymentRecord(o.dryRun ? 0 : 4, {
        operation: 'promote',
        modelVersion: o.modelVersion,
        state: o.dryRun ? 'dry-run' : 'canary',
        dryRun: Boolean(o.dryRun),
        canary: plan,
      }),
    );
    const dialog = await openDialog(mock);
    // The default steps, editable.
    const steps = within(dialog).getByRole('table', { name: 'Canary steps' });
    expect(within(steps).getByLabelText('Step 1 weight (%)')).toHaveValue('10');
    expect(within(steps).getByLabelText('Step 1 pause (seconds)')).toHaveValue(
      '300',
    );
    expect(within(steps).getByText('5 min')).toBeInTheDocument();
    expect(within(steps).getByLabelText('Step 2 weight (%)')).toHaveValue('50');
    expect(
      within(steps).getByText('waits until someone approves'),
    ).toBeInTheDocument();

    const rollout = within(dialog).getByRole('region', { name: 'Rollout' });
    expect(
      await within(rollout).findByText(
        /^Runs as a canary through Argo Rollouts: a Rollout/,
      ),
    ).toBeInTheDocument();
    expect(
      within(rollout).getByText(
        /^1 GPU reserved for the canary's pods until the canary ends/,
      ),
    ).toBeInTheDocument();
    const planTable = within(rollout).getByRole('table', {
      name: 'Canary plan',
    });
    const first = within(planTable).getAllByRole('row')[1];
    expect(within(first).getByText('10 %')).toBeInTheDocument();
    expect(within(first).getByText('33 %')).toBeInTheDocument();
    expect(
      within(first).getByText('replica count: 1 canary of 3 pods'),
    ).toBeInTheDocument();
    expect(
      within(first).getByText('with 2 replicas a 10 % step is 33 %'),
    ).toBeInTheDocument();
    expect(
      within(rollout).getByText(/is not the gateway: its callers bypass/),
    ).toBeInTheDocument();
    expect(mock.promoteEndpoint).toHaveBeenLastCalledWith(
      expect.objectContaining({
        dryRun: true,
        strategy: 'canary',
        canary: { steps: plan.steps },
        modelVersion: 'v2',
      }),
    );

    // A changed step is dry-run again with the new steps.
    fireEvent.change(within(steps).getByLabelText('Step 1 weight (%)'), {
      target: { value: '25' },
    });
    await waitFor(() =>
      expect(mock.promoteEndpoint).toHaveBeenLastCalledWith(
        expect.objectContaining({
          dryRun: true,
          canary: {
            steps: [
              { weight: 25, pause: { durationSeconds: 300 } },
              { weight: 50, pause: { approval: true } },
              { weight: 100 },
            ],
          },
        }),
      ),
    );

    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'try v2 on a share of traffic first' },
    });
    const confirm = within(dialog).getByRole('button', {
      name: 'Promote to v2 as a canary',
    });
    await waitFor(() => expect(confirm).toBeEnabled());
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(mock.promoteEndpoint).toHaveBeenLastCalledWith({
        namespace: 'default',
        name: 'chat-assistant-prod',
        modelVersion: 'v2',
        reason: 'try v2 on a share of traffic first',
        strategy: 'canary',
        canary: {
          steps: [
            { weight: 25, pause: { durationSeconds: 300 } },
            { weight: 50, pause: { approval: true } },
            { weight: 100 },
          ],
        },
      }),
    );
    // The record stays `canary` while the canary runs: the dialog hands over
    // to the Canary card instead of polling for minutes.
    expect(
      await within(dialog).findByText(
        "The canary of v2 runs step by step: follow it, and advance, approve or abort it, on the endpoint's Canary card.",
      ),
    ).toBeInTheDocument();
    expect(mock.getDeployment).not.toHaveBeenCalled();
  });

  it('says per field what is wrong with the steps and does not dry-run them', async () => {
    const mock = api(async () =>
      deploymentRecord(0, { state: 'dry-run', dryRun: true, canary: plan }),
    );
    const dialog = await openDialog(mock);
    const steps = within(dialog).getByRole('table', { name: 'Canary steps' });
    await waitFor(() => expect(mock.promoteEndpoint).toHaveBeenCalled());
    const calls = (mock.promoteEndpoint as jest.Mock).mock.calls.length;
    fireEvent.change(within(steps).getByLabelText('Step 2 weight (%)'), {
      target: { value: '5' },
    });
    fireEvent.change(within(steps).getByLabelText('Step 1 pause (seconds)'), {
      target: { value: '0' },
    });
    expect(
      within(steps).getByText("Must be above step 1's 10 %."),
    ).toBeInTheDocument();
    expect(
      within(steps).getByText('Whole seconds from 30 to 86400.'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('Checked once the steps are valid.'),
    ).toBeInTheDocument();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'try v2 on a share of traffic first' },
    });
    expect(
      await within(dialog).findByText(
        'Fix the canary steps. Step 1: pause: Whole seconds from 30 to 86400.',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Promote to v2 as a canary' }),
    ).toBeDisabled();
    expect((mock.promoteEndpoint as jest.Mock).mock.calls.length).toBe(calls);

    // Removing and adding steps; the new one goes before the last.
    fireEvent.click(
      within(steps).getByRole('button', { name: 'Remove step 1' }),
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add step' }));
    const weights = within(steps)
      .getAllByLabelText(/Step \d weight/)
      .map(i => (i as HTMLInputElement).value);
    expect(weights).toEqual(['5', '53', '100']);
  });

  it('shows why the backend refuses the canary, and blocks the promote', async () => {
    const mock = api(async () =>
      deploymentRecord(0, {
        state: 'failed',
        dryRun: true,
        error: {
          check: 'quota',
          message:
            'no room for the canary: its 1 GPU would take applied-ml over its quota of 8',
        },
        canary: { ...plan, engine: 'gateway-api', warnings: [] },
      }),
    );
    const dialog = await openDialog(mock);
    const rollout = within(dialog).getByRole('region', { name: 'Rollout' });
    expect(
      await within(rollout).findByText(
        'Refused at quota: no room for the canary: its 1 GPU would take applied-ml over its quota of 8',
      ),
    ).toBeInTheDocument();
    expect(
      within(rollout).getByText(/^Engine: Gateway API: a stable and a canary/),
    ).toBeInTheDocument();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'try v2 on a share of traffic first' },
    });
    expect(
      await within(dialog).findByText(
        'The backend refuses the canary: no room for the canary: its 1 GPU would take applied-ml over its quota of 8',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Promote to v2 as a canary' }),
    ).toBeDisabled();
  });

  it('shows the backend’s outright refusal (no engine on the cluster) and blocks the promote', async () => {
    const mock = api(async () => {
      throw await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'ConflictError',
              message:
                'strategy canary: cluster gpu-eu-west serves neither Argo Rollouts (argoproj.io/v1alpha1 Rollout) nor the Gateway API (gateway.networking.k8s.io HTTPRoute)',
            },
            request: { method: 'POST', url: '/promote' },
            response: { statusCode: 409 },
          }),
          { status: 409, headers: { 'Content-Type': 'application/json' } },
        ),
      );
    });
    const dialog = await openDialog(mock);
    const rollout = within(dialog).getByRole('region', { name: 'Rollout' });
    expect(
      await within(rollout).findByText(
        /^Refused: strategy canary: cluster gpu-eu-west serves neither/,
      ),
    ).toBeInTheDocument();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'try v2 on a share of traffic first' },
    });
    expect(
      await within(dialog).findByText(
        /^The backend refuses the canary: strategy canary: cluster gpu-eu-west/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Promote to v2 as a canary' }),
    ).toBeDisabled();
  });
});

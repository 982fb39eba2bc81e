import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type {
  EndpointLiveStatus,
  ModelGateStatus,
} from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  deploymentRecord,
  endpointEntity,
  liveStatus,
  renderWithApis,
} from '../../__testUtils__';
import { EndpointDeploymentCard } from './EndpointDeploymentCard';

const history = [
  deploymentRecord(3, {
    operation: 'promote',
    modelVersion: 'v2',
    reason: 'v2 passes',
  }),
  deploymentRecord(2, {
    state: 'failed',
    error: { check: 'quota', message: 'over quota' },
  }),
  deploymentRecord(1),
];

function gates(version: string, passed: boolean): ModelGateStatus {
  return {
    model: 'model:default/llama-3-1-8b-instruct',
    version,
    productionVersion: 'v1',
    passed,
    summary: passed
      ? { pass: 2, fail: 0, missing: 0, overridden: 0 }
      : { pass: 1, fail: 0, missing: 1, overridden: 0 },
    gates: [
      {
        task: 'mmlu',
        metric: 'acc',
        min: 0.66,
        value: 0.69,
        status: 'pass',
        passed: true,
        reasons: [],
      },
      {
        task: 'ifeval',
        metric: 'prompt_level_strict_acc',
        maxRegression: 0.02,
        status: passed ? 'pass' : 'missing',
        passed,
        reasons: [],
      },
    ],
  };
}

function api(options: { gatesPass?: boolean } = {}) {
  const mock: Partial<AiPlatformApi> = {
    getEndpointStatus: jest.fn(async () => liveStatus),
    listDeployments: jest.fn(async () => ({ items: history })),
    getGateStatus: jest.fn(async ({ version }) =>
      gates(version, options.gatesPass ?? true),
    ),
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
    promoteEndpoint: jest.fn(async () =>
      deploymentRecord(4, {
        operation: 'promote',
        modelVersion: 'v2-fp8',
        state: 'checking',
        checks: [],
        events: [],
      }),
    ),
    rollbackEndpoint: jest.fn(async () =>
      deploymentRecord(4, {
        operation: 'rollback',
        restoredRevision: 1,
        state: 'succeeded',
      }),
    ),
    getDeployment: jest.fn(async () =>
      deploymentRecord(4, {
        operation: 'promote',
        modelVersion: 'v2-fp8',
        state: 'check-only',
      }),
    ),
  };
  return mock;
}

const DEPLOY = 'ai-platform.endpoint.deploy';

describe('EndpointDeploymentCard', () => {
  it('shows what runs, the live replicas, pods and events, and the last deployment', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: api(),
    });
    const running = await screen.findByRole('table', { name: 'Running' });
    expect(within(running).getByText('v2 (revision 3)')).toBeInTheDocument();
    expect(
      within(running).getByText('says v1; v2 runs since a promote or rollback'),
    ).toBeInTheDocument();
    expect(
      within(running).getByText(
        'on (the default for lifecycle production): a failed rollout re-applies the last revision that succeeded',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/1 of 2 replicas ready/)).toBeInTheDocument();
    expect(
      within(screen.getByRole('table', { name: 'Pods' })).getByText(
        'Pending (ImagePullBackOff)',
      ),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('table', { name: 'Recent pod events' }),
      ).getByText('Failed (×3)'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/Revision 3: promote to v2 by alice/),
    ).toBeInTheDocument();
  });

  it('disables promote and rollback without permission, and says why', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: api(),
    });
    expect(
      await screen.findByRole('button', { name: 'Promote…' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Roll back…' })).toBeDisabled();
    expect(
      screen.getByText(/need ai-platform.endpoint.deploy/),
    ).toBeInTheDocument();
  });

  it('says when the cluster cannot be read', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: {
        ...api(),
        getEndpointStatus: async () => ({
          ...liveStatus,
          clusterConfigured: false,
          deployment: undefined,
          pods: [],
          events: [],
          error:
            'cluster gpu-us-east of gpupool:default/l4-inference is not configured',
        }),
        listDeployments: async () => ({ items: [] }),
      },
    });
    expect(
      await screen.findByText(
        'Live status unavailable: cluster gpu-us-east of gpupool:default/l4-inference is not configured',
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('None recorded yet.')).toBeInTheDocument();
  });

  it('shows the backend error when the deployment history cannot be read', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: {
        ...api(),
        listDeployments: async () => {
          throw new Error('NotAllowedError: ai-platform.deployment.read');
        },
      },
      allow: [DEPLOY],
    });
    const last = screen.getByRole('region', { name: 'Last deployment' });
    expect(
      await within(last).findByText(
        'Error: NotAllowedError: ai-platform.deployment.read',
      ),
    ).toBeInTheDocument();
    expect(within(last).queryByText('None recorded yet.')).toBeNull();
    // What runs still shows, and a promote is possible; a rollback is not
    // (no known revision to go back to).
    expect(
      within(await screen.findByRole('table', { name: 'Running' })).getByText(
        'v2 (revision 3)',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Promote…' })).toBeEnabled(),
    );
    expect(screen.getByRole('button', { name: 'Roll back…' })).toBeDisabled();
  });

  it('shows the gate and quota checks before a promote, then follows the rollout', async () => {
    const mock = api();
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    const promote = await screen.findByRole('button', { name: 'Promote…' });
    await waitFor(() => expect(promote).toBeEnabled());
    fireEvent.click(promote);
    const dialog = await screen.findByRole('dialog', {
      name: 'Promote Chat assistant (production)',
    });
    // v2 runs already; the choice defaults to another version.
    const gateSection = within(dialog).getByRole('region', {
      name: 'Eval gates check',
    });
    expect(
      await within(gateSection).findByText(/v1: passes its gates \(2 pass/),
    ).toBeInTheDocument();
    expect(within(gateSection).getByText(/Enforced/)).toBeInTheDocument();
    expect(
      await within(dialog).findByText(
        /Quota: fits\. 6 GPUs for applied-ml on l4-inference/,
      ),
    ).toBeInTheDocument();
    expect(mock.checkQuota).toHaveBeenCalledWith({
      team: 'group:default/applied-ml',
      pool: 'gpupool:default/l4-inference',
      gpus: 6,
      endpoint: 'inferenceendpoint:default/chat-assistant-prod',
    });
    const confirm = within(dialog).getByRole('button', {
      name: 'Promote to v1',
    });
    expect(confirm).toBeDisabled();

    fireEvent.mouseDown(
      within(dialog).getByRole('button', { name: /Version/ }),
    );
    fireEvent.click(
      await screen.findByRole('option', { name: 'v2-fp8 (development)' }),
    );
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'fp8 halves the GPU memory' },
    });
    const promoteFp8 = within(dialog).getByRole('button', {
      name: 'Promote to v2-fp8',
    });
    await waitFor(() => expect(promoteFp8).toBeEnabled());
    fireEvent.click(promoteFp8);
    await waitFor(() =>
      expect(mock.promoteEndpoint).toHaveBeenCalledWith({
        namespace: 'default',
        name: 'chat-assistant-prod',
        modelVersion: 'v2-fp8',
        reason: 'fp8 halves the GPU memory',
      }),
    );
    expect(
      await within(dialog).findByRole('progressbar', {
        name: 'Deployment in progress',
      }),
    ).toBeInTheDocument();
    expect(
      await within(dialog).findByText(
        /Checked only: the checks passed/,
        undefined,
        {
          timeout: 4000,
        },
      ),
    ).toBeInTheDocument();
    expect(mock.getDeployment).toHaveBeenCalledWith({ id: 'dep-4' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('blocks a promote when enforced gates fail, unless the user may override them', async () => {
    const mock = api({ gatesPass: false });
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY, 'ai-platform.gate.override'],
    });
    const promote = await screen.findByRole('button', { name: 'Promote…' });
    await waitFor(() => expect(promote).toBeEnabled());
    fireEvent.click(promote);
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'hotfix, evals follow tomorrow' },
    });
    expect(
      await within(dialog).findByText(
        'The eval gates fail; record results, or override them with a reason.',
      ),
    ).toBeInTheDocument();
    fireEvent.click(
      within(dialog).getByRole('checkbox', {
        name: /Override the failing gates/,
      }),
    );
    const confirm = within(dialog).getByRole('button', {
      name: 'Promote to v1',
    });
    await waitFor(() => expect(confirm).toBeEnabled());
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(mock.promoteEndpoint).toHaveBeenCalledWith(
        expect.objectContaining({ modelVersion: 'v1', overrideGates: true }),
      ),
    );
  });

  it('says before a promote whether the rollout keeps serving, and lets the user accept downtime when the surge has no room', async () => {
    const mock = api();
    const dryRun = (surgeRefused: boolean, allowDowntime: boolean) =>
      deploymentRecord(5, {
        dryRun: true,
        state: surgeRefused && !allowDowntime ? 'failed' : 'dry-run',
        checks: [
          {
            name: 'quota',
            status: surgeRefused && !allowDowntime ? 'failed' : 'passed',
            message:
              surgeRefused && !allowDowntime
                ? 'no room for the surge: quota exceeded: applied-ml has 8'
                : 'would reserve 6 GPUs',
            details: {
              rollout: allowDowntime
                ? {
                    strategy: 'downtime',
                    maxSurge: 0,
                    maxUnavailable: 1,
                    surgeGpus: 0,
                    reason: 'allowDowntime: old pods go first',
                  }
                : {
                    strategy: 'surge',
                    maxSurge: 1,
                    maxUnavailable: 0,
                    surgeGpus: 1,
                    reason: 'new pods start before old ones go',
                    ...(surgeRefused ? { surgeRefused: true } : {}),
                  },
            },
          },
        ],
      });
    let refuse = false;
    mock.promoteEndpoint = jest.fn(async (request: any) =>
      request.dryRun
        ? dryRun(refuse, Boolean(request.allowDowntime))
        : deploymentRecord(4, { operation: 'promote', state: 'succeeded' }),
    ) as AiPlatformApi['promoteEndpoint'];
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    const promote = await screen.findByRole('button', { name: 'Promote…' });
    await waitFor(() => expect(promote).toBeEnabled());
    fireEvent.click(promote);
    let dialog = await screen.findByRole('dialog');
    let rollout = within(dialog).getByRole('region', { name: 'Rollout' });
    expect(
      await within(rollout).findByText(
        'Keeps serving: new pods start before old ones go.',
        undefined,
        { timeout: 4000 },
      ),
    ).toBeInTheDocument();
    expect(mock.promoteEndpoint).toHaveBeenCalledWith({
      namespace: 'default',
      name: 'chat-assistant-prod',
      modelVersion: 'v1',
      dryRun: true,
      wait: true,
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    refuse = true;
    fireEvent.click(promote);
    dialog = await screen.findByRole('dialog');
    rollout = within(dialog).getByRole('region', { name: 'Rollout' });
    expect(
      await within(rollout).findByText(
        /^No room for the surge: no room for the surge: quota exceeded/,
      ),
    ).toBeInTheDocument();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'v1 answers better' },
    });
    expect(
      await within(dialog).findByText(
        'There is no room for the surge: wait until GPUs are free, or accept downtime.',
      ),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', {
      name: 'Promote to v1',
    });
    expect(confirm).toBeDisabled();
    fireEvent.click(
      within(rollout).getByRole('checkbox', { name: /Accept downtime/ }),
    );
    expect(
      await within(rollout).findByText(
        'Takes downtime: allowDowntime: old pods go first.',
      ),
    ).toBeInTheDocument();
    await waitFor(() => expect(confirm).toBeEnabled());
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(mock.promoteEndpoint).toHaveBeenCalledWith({
        namespace: 'default',
        name: 'chat-assistant-prod',
        modelVersion: 'v1',
        reason: 'v1 answers better',
        allowDowntime: true,
      }),
    );
  });

  it('rolls back to the last revision that ran something else', async () => {
    const mock = api();
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    const rollback = await screen.findByRole('button', { name: 'Roll back…' });
    await waitFor(() => expect(rollback).toBeEnabled());
    fireEvent.click(rollback);
    const dialog = await screen.findByRole('dialog', {
      name: 'Roll back Chat assistant (production)',
    });
    expect(
      within(dialog).getByText('Not re-checked: revision 1 (v1) ran before.'),
    ).toBeInTheDocument();
    expect(await within(dialog).findByText(/Quota: fits/)).toBeInTheDocument();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'v2 answers worse in production' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back to revision 1' }),
    );
    await waitFor(() =>
      expect(mock.rollbackEndpoint).toHaveBeenCalledWith({
        namespace: 'default',
        name: 'chat-assistant-prod',
        toRevision: 1,
        reason: 'v2 answers worse in production',
      }),
    );
    expect(
      await within(dialog).findByText('Done: v1 runs as revision 4.'),
    ).toBeInTheDocument();
  });

  describe('live replicas', () => {
    /** The live status with the Deployment changed as given. */
    function withDeployment(
      deployment: Partial<NonNullable<EndpointLiveStatus['deployment']>>,
    ): EndpointLiveStatus {
      return {
        ...liveStatus,
        deployment: { ...liveStatus.deployment!, ...deployment },
      };
    }

    async function renderWith(status: EndpointLiveStatus) {
      await renderWithApis(<EndpointDeploymentCard />, {
        entity: endpointEntity,
        api: { ...api(), getEndpointStatus: async () => status },
      });
      // The card has settled once it shows the last deployment too.
      await screen.findByText(/Revision 3: promote to v2/);
      return screen.getByRole('region', { name: 'Live status' });
    }

    it('counts an autoscaled endpoint against what its autoscaler wants, and names it', async () => {
      // The rendered Deployment leaves spec.replicas to the autoscaler.
      const live = await renderWith(
        withDeployment({
          replicas: undefined,
          desiredReplicas: 3,
          autoscaler: {
            name: 'chat-assistant-prod',
            minReplicas: 1,
            maxReplicas: 4,
            currentReplicas: 1,
            desiredReplicas: 3,
          },
          readyReplicas: 1,
          updatedReplicas: 1,
          availableReplicas: 1,
        }),
      );
      expect(
        await within(live).findByText(
          '1 of 3 replicas ready (1 updated, 1 available)',
        ),
      ).toBeInTheDocument();
      expect(
        within(live).getByText(
          'Autoscaled 1–4 replicas by HorizontalPodAutoscaler chat-assistant-prod',
        ),
      ).toBeInTheDocument();
      expect(live).not.toHaveTextContent(/of 0/);
    });

    it("takes the autoscaler's count when the backend gives no desired count of its own", async () => {
      const live = await renderWith(
        withDeployment({
          // spec.replicas as the autoscaler last set it, before it scaled up.
          replicas: 2,
          desiredReplicas: undefined,
          autoscaler: { name: 'chat', maxReplicas: 3, desiredReplicas: 3 },
          readyReplicas: 3,
          updatedReplicas: 3,
          availableReplicas: 3,
        }),
      );
      expect(
        await within(live).findByText('3 of 3 replicas ready'),
      ).toBeInTheDocument();
      expect(
        within(live).getByText(
          'Autoscaled up to 3 replicas by HorizontalPodAutoscaler chat',
        ),
      ).toBeInTheDocument();
    });

    it('counts a fixed-replica endpoint against spec.replicas, with no autoscaler', async () => {
      const live = await renderWith(
        withDeployment({
          replicas: 2,
          desiredReplicas: undefined,
          autoscaler: undefined,
          readyReplicas: 2,
          updatedReplicas: 2,
          availableReplicas: 2,
        }),
      );
      expect(
        await within(live).findByText('2 of 2 replicas ready'),
      ).toBeInTheDocument();
      expect(live).not.toHaveTextContent(/Autoscaled|HorizontalPodAutoscaler/);
    });

    it('says what is known, and no "of 0", when the desired count is unknown', async () => {
      const live = await renderWith(
        withDeployment({
          replicas: undefined,
          desiredReplicas: undefined,
          autoscaler: undefined,
          readyReplicas: 1,
          updatedReplicas: 1,
          availableReplicas: 1,
        }),
      );
      expect(
        await within(live).findByText(
          '1 replica ready (1 updated, 1 available); the desired number of replicas is not known',
        ),
      ).toBeInTheDocument();
      expect(live).not.toHaveTextContent(/of 0/);
    });

    it('says so when the Deployment is scaled to zero', async () => {
      const live = await renderWith(
        withDeployment({
          replicas: 0,
          desiredReplicas: 0,
          readyReplicas: 0,
          updatedReplicas: 0,
          availableReplicas: 0,
        }),
      );
      expect(
        await within(live).findByText('Scaled to 0 replicas (0 ready)'),
      ).toBeInTheDocument();
    });
  });
});

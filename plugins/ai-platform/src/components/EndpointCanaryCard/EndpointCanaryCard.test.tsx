import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import type { CanaryStatus } from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  deploymentRecord,
  endpointEntity,
  renderWithApis,
} from '../../__testUtils__';
import { EndpointCanaryCard } from './EndpointCanaryCard';
import { CANARY_POLL_MS } from './EndpointCanaryCard';

const DEPLOY = 'ai-platform.endpoint.deploy';

function canary(partial: Partial<CanaryStatus> = {}): CanaryStatus {
  return {
    endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
    deploymentId: 'dep-4',
    revision: 4,
    engine: 'argo-rollouts',
    stableVersion: 'v1',
    canaryVersion: 'v2',
    steps: [
      { weight: 10, pause: { durationSeconds: 300 } },
      { weight: 50, pause: { approval: true } },
      { weight: 100 },
    ],
    stepIndex: 0,
    phase: 'paused',
    message: 'holding 10 % for 5 min',
    split: {
      desiredCanaryPercent: 10,
      actualCanaryPercent: 33,
      basis: 'replica-count',
      stableReplicas: 2,
      canaryReplicas: 1,
      note: 'with 2 replicas a 10 % step is 33 %',
    },
    analysis: { status: 'none', message: 'no Prometheus for gpu-us-east' },
    pauseEndsAt: new Date(Date.now() + 125_000).toISOString(),
    reservedGpus: 1,
    warnings: [
      'spec.url https://chat.inference.example.com/v1 is not the gateway’s address: callers that use it bypass the split',
    ],
    events: [
      {
        at: '2026-12-07T23:00:00Z',
        type: 'started',
        stepIndex: 0,
        actor: 'user:default/guest',
        message: 'canary of v2 started',
      },
      {
        at: '2026-12-07T23:00:30Z',
        type: 'paused',
        stepIndex: 0,
        actor: 'system',
        message: 'step 1 at 10 %: pause 5 min',
      },
    ],
    startedAt: '2026-12-07T23:00:00Z',
    ...partial,
  };
}

const notFound = () =>
  ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: {
          name: 'NotFoundError',
          message:
            'inferenceendpoint:default/chat-assistant-prod has had no canary',
        },
        request: { method: 'GET', url: '/canary' },
        response: { statusCode: 404 },
      }),
      { status: 404, headers: { 'Content-Type': 'application/json' } },
    ),
  );

/** The canary promote that started the canary (revision 4), and a dry run before it. */
const canaryRecords = [
  deploymentRecord(4, {
    operation: 'promote',
    modelVersion: 'v2',
    state: 'canary',
    canary: {
      engine: 'argo-rollouts',
      steps: [{ weight: 100 }],
      reservedGpus: 1,
      splits: [],
    },
  }),
  deploymentRecord(3, { dryRun: true, state: 'dry-run' }),
];

/** The API as the backend answers it: an action changes what the next read says. */
function api(
  status: CanaryStatus | (() => Promise<CanaryStatus>),
  history = canaryRecords,
) {
  let current = typeof status === 'function' ? undefined : status;
  const answer = (next: CanaryStatus) => {
    current = next;
    return next;
  };
  const mock: Partial<AiPlatformApi> = {
    listDeployments: jest.fn(async () => ({ items: history })),
    getCanary: jest.fn(
      typeof status === 'function' ? status : async () => current!,
    ),
    advanceCanary: jest.fn(async () =>
      answer(
        canary({
          stepIndex: 1,
          phase: 'awaiting-approval',
          message: 'step 2 at 50 %: waiting for an approval',
          pauseEndsAt: undefined,
        }),
      ),
    ),
    approveCanary: jest.fn(async () =>
      answer(
        canary({
          stepIndex: 2,
          phase: 'progressing',
          message: 'moving to 100 %',
          pauseEndsAt: undefined,
        }),
      ),
    ),
    abortCanary: jest.fn(async () =>
      answer(
        canary({
          phase: 'aborted',
          message: 'aborted by guest: errors went up',
          split: {
            desiredCanaryPercent: 0,
            actualCanaryPercent: 0,
            basis: 'replica-count',
            stableReplicas: 2,
            canaryReplicas: 0,
          },
          endedAt: '2026-12-07T23:10:00Z',
        }),
      ),
    ),
  };
  return mock;
}

describe('EndpointCanaryCard', () => {
  it('shows a running canary: steps, phase, split, analysis, countdown, warnings and events', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(canary()),
      allow: [DEPLOY],
    });
    const table = await screen.findByRole('table', { name: 'Canary' });
    expect(
      within(table).getByText('stable v1 → canary v2 (revision 4)'),
    ).toBeInTheDocument();
    expect(within(table).getByText(/^Argo Rollouts: a Rollout/)).toBeVisible();
    expect(
      within(table).getByText(/step 1 of 3 \(10 %\): holding 10 % for 5 min/),
    ).toBeInTheDocument();
    expect(
      within(table).getByText(
        'desired 10 %, actual 33 % (replica count: 1 canary of 3 pods; 2 stable pods)',
      ),
    ).toBeInTheDocument();
    expect(
      within(table).getByText('with 2 replicas a 10 % step is 33 %'),
    ).toBeInTheDocument();
    expect(
      within(table).getByText(
        'No Prometheus configured: steps advance without evidence',
      ),
    ).toBeInTheDocument();
    expect(
      within(table).getByRole('timer', { name: 'Pause ends' }),
    ).toHaveTextContent(/^ends in 2 min \d+ s/);
    expect(
      within(table).getByText("1 for the canary's pods until it ends"),
    ).toBeInTheDocument();
    const steps = screen.getByRole('region', { name: 'Canary steps' });
    expect(within(steps).getByText('10 %')).toBeInTheDocument();
    expect(within(steps).getByText('current, for 5 min')).toBeInTheDocument();
    expect(within(steps).getByText('until approved')).toBeInTheDocument();
    expect(
      screen.getByText(
        /is not the gateway’s address: callers that use it bypass/,
      ),
    ).toBeInTheDocument();
    const events = screen.getByRole('table', { name: 'Canary events' });
    const rows = within(events).getAllByRole('row');
    // Newest first.
    expect(within(rows[1]).getByText('paused')).toBeInTheDocument();
    expect(within(rows[1]).getByText('system')).toBeInTheDocument();
    expect(within(rows[2]).getByText('guest')).toBeInTheDocument();
    // A timed pause: advance and abort, no approve.
    expect(screen.getByRole('button', { name: 'Advance' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Abort…' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('advances a timed pause and shows the answer', async () => {
    const mock = api(canary());
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Advance' }));
    await waitFor(() =>
      expect(mock.advanceCanary).toHaveBeenCalledWith({
        namespace: 'default',
        name: 'chat-assistant-prod',
      }),
    );
    expect(
      await screen.findByRole('button', { name: 'Approve' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Advance' })).toBeNull();
    expect(screen.getByText(/waiting for an approval/)).toBeInTheDocument();
  });

  it('approves a manual step, and offers no advance there', async () => {
    const mock = api(
      canary({
        stepIndex: 1,
        phase: 'awaiting-approval',
        pauseEndsAt: undefined,
      }),
    );
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    const approve = await screen.findByRole('button', { name: 'Approve' });
    expect(screen.queryByRole('button', { name: 'Advance' })).toBeNull();
    expect(screen.queryByRole('timer')).toBeNull();
    expect(screen.getByText('current, until approved')).toBeInTheDocument();
    fireEvent.click(approve);
    await waitFor(() => expect(mock.approveCanary).toHaveBeenCalledTimes(1));
    expect(await screen.findByText(/moving to 100 %/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('does not offer approval when the analysis failed', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(
        canary({
          stepIndex: 1,
          phase: 'awaiting-approval',
          analysis: {
            status: 'failed',
            message: 'error rate 4 % above the 1 % target',
            errorRate: 0.04,
            ttftP95Seconds: 0.31,
          },
        }),
      ),
      allow: [DEPLOY],
    });
    expect(
      await screen.findByRole('button', { name: 'Approve' }),
    ).toBeDisabled();
    expect(
      screen.getByText(
        'failed: error rate 4 % above the 1 % target (error rate 4 %, TTFT p95 310 ms)',
      ),
    ).toBeInTheDocument();
  });

  it('aborts with a reason and shows the traffic back on stable', async () => {
    const mock = api(canary());
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Abort…' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Abort the canary of v2',
    });
    expect(
      within(dialog).getByText(
        /All traffic goes back to the stable version v1/,
      ),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', {
      name: 'Abort canary',
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'errors went up' },
    });
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(mock.abortCanary).toHaveBeenCalledWith({
        namespace: 'default',
        name: 'chat-assistant-prod',
        reason: 'errors went up',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // The card reads the canary again after the abort.
    await waitFor(() => expect(mock.getCanary).toHaveBeenCalledTimes(2));
    expect(
      await screen.findByText(
        'desired 0 %, actual 0 % (replica count: 0 canary of 2 pods; 2 stable pods)',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('aborted')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Abort/ })).toBeNull();
  });

  it('shows no actions without the promote permission, and says why', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(canary()),
    });
    expect(
      await screen.findByText(/need ai-platform.endpoint.deploy/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Advance' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Abort…' })).toBeNull();
  });

  it('shows a finished canary without actions', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(
        canary({
          stepIndex: 2,
          phase: 'succeeded',
          message: 'v2 serves all traffic',
          analysis: {
            status: 'passed',
            message: 'error rate and TTFT p95 held',
          },
          endedAt: '2026-12-07T23:20:00Z',
        }),
      ),
      allow: [DEPLOY],
    });
    expect(await screen.findByText('succeeded')).toBeInTheDocument();
    expect(
      screen.getByText('1 (released when the canary ended)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('passed: error rate and TTFT p95 held'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('does not ask for a canary when no revision started one', async () => {
    const mock = api(canary(), [
      deploymentRecord(3, {
        dryRun: true,
        state: 'dry-run',
        canary: {
          engine: 'gateway-api',
          steps: [{ weight: 100 }],
          reservedGpus: 1,
          splits: [],
        },
      }),
      deploymentRecord(2, { operation: 'promote' }),
      deploymentRecord(1),
    ]);
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: mock,
      allow: [DEPLOY],
    });
    expect(await screen.findByText('No canary yet')).toBeInTheDocument();
    expect(mock.listDeployments).toHaveBeenCalledWith({
      endpoint: 'inferenceendpoint:default/chat-assistant-prod',
      limit: 50,
    });
    expect(mock.getCanary).not.toHaveBeenCalled();
  });

  it('says when the endpoint has had no canary', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(async () => {
        throw await notFound();
      }),
      allow: [DEPLOY],
    });
    expect(await screen.findByText('No canary yet')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(async () => {
        throw new Error('NotAllowedError: ai-platform.deployment.read');
      }),
    });
    expect(
      (await screen.findAllByText(/ai-platform.deployment.read/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('No canary yet')).toBeNull();
  });

  it('shows progress while loading', async () => {
    await renderWithApis(<EndpointCanaryCard />, {
      entity: endpointEntity,
      api: api(() => new Promise(() => {})),
    });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  describe('refreshing', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('reads a running canary again and shows the next step', async () => {
      const reads = [
        canary(),
        canary({
          stepIndex: 1,
          phase: 'awaiting-approval',
          message: 'step 2 at 50 %: waiting for an approval',
          pauseEndsAt: undefined,
        }),
      ];
      const mock = api(
        async () => reads.shift() ?? canary({ phase: 'succeeded' }),
      );
      await renderWithApis(<EndpointCanaryCard />, {
        entity: endpointEntity,
        api: mock,
        allow: [DEPLOY],
      });
      expect(
        await screen.findByRole('button', { name: 'Advance' }),
      ).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(CANARY_POLL_MS);
      });
      expect(
        await screen.findByText(/waiting for an approval/),
      ).toBeInTheDocument();
      expect(
        screen.getByRole('button', { name: 'Approve' }),
      ).toBeInTheDocument();
      expect(mock.getCanary).toHaveBeenCalledTimes(2);
    });
  });
});

import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { QuotaRequest } from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import { l4Quotas, quotaUsage, renderWithApis } from '../../__testUtils__';
import { QuotasPage } from './QuotasPage';

const pending: QuotaRequest = {
  id: 'req-1',
  team: 'group:default/applied-ml',
  pool: 'gpupool:default/l4-inference',
  gpus: 12,
  quotaAtRequest: 8,
  reason: 'summarisation launch needs 4 more L4s',
  requestedBy: 'user:default/guest',
  createdAt: '2026-11-22T09:00:00.000Z',
  state: 'pending',
};

const approved: QuotaRequest = {
  ...pending,
  id: 'req-0',
  gpus: 8,
  quotaAtRequest: 6,
  state: 'approved',
  decidedBy: 'user:default/alice',
  decisionReason: 'fits in the pool',
  decidedAt: '2026-11-01T09:00:00.000Z',
};

function api(): Partial<AiPlatformApi> {
  return {
    getQuotas: jest.fn(async () => ({ items: [l4Quotas] })),
    getQuotaUsage: jest.fn(async () => quotaUsage),
    listQuotaRequests: jest.fn(async () => ({ items: [pending, approved] })),
    createQuotaRequest: jest.fn(async r => ({ ...pending, ...r, id: 'req-2' })),
    decideQuotaRequest: jest.fn(async ({ decision }) => ({
      request: {
        ...pending,
        state: decision === 'approve' ? 'approved' : 'rejected',
      },
    })) as AiPlatformApi['decideQuotaRequest'],
  };
}

describe('QuotasPage', () => {
  it("shows each team's quota and usage as bars", async () => {
    await renderWithApis(<QuotasPage />, { api: api() });
    const pool = await screen.findByRole('region', {
      name: 'Quotas on L4 24GB (us-east)',
    });
    expect(
      within(pool).getByRole('progressbar', {
        name: 'Whole pool: 7 of 16 GPUs used',
      }),
    ).toBeInTheDocument();
    // Teams by their catalog title; a team the catalog lacks by its name.
    expect(
      await within(pool).findByRole('progressbar', {
        name: 'Applied ML: 7 of 8 GPUs used',
      }),
    ).toBeInTheDocument();
    expect(
      within(pool).getByRole('progressbar', {
        name: 'search-relevance: 0 of 6 GPUs used',
      }),
    ).toBeInTheDocument();
    expect(
      within(pool).getByText(
        /override by alice \(YAML: 4\): launch of semantic search/,
      ),
    ).toBeInTheDocument();
  });

  it('shows reserved (records) beside running (cluster), with the drift', async () => {
    await renderWithApis(<QuotasPage />, {
      api: api(),
      config: { aiPlatform: { demo: { simulatedClusters: ['gpu-eu-west'] } } },
    });
    const table = await screen.findByRole('table', {
      name: 'Reserved and running GPUs per team and pool',
    });
    const row = within(table).getByText('applied-ml').closest('tr')!;
    const cells = within(row)
      .getAllByRole('cell')
      .map(c => c.textContent);
    expect(cells.slice(0, 5)).toEqual([
      'applied-ml',
      'l4-inference',
      '1',
      '2',
      'last known state at 2026-12-07 10:00 UTC (cluster unreachable)',
    ]);
    expect(
      within(row).getByText(/runs 2 GPUs on .* more than the 1/),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('declared, not running: chat-assistant-staging'),
    ).toBeInTheDocument(); // The demo says its clusters are simulated where their state shows.
    expect(
      screen.getByText(/Demo data: clusters gpu-eu-west are simulated/),
    ).toBeInTheDocument();
  });

  it('shows pending requests without decision buttons to members', async () => {
    await renderWithApis(<QuotasPage />, { api: api() });
    const table = await screen.findByRole('table', {
      name: 'Pending quota requests',
    });
    expect(within(table).getByText('8 → 12')).toBeInTheDocument();
    expect(
      within(table).getByText('waiting for a platform admin'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Approve/ })).toBeNull();
    const decided = screen.getByRole('table', {
      name: 'Decided quota requests',
    });
    expect(
      within(decided).getByText('approved by alice: fits in the pool'),
    ).toBeInTheDocument();
  });

  it('lets an admin approve with a reason', async () => {
    const mock = api();
    await renderWithApis(<QuotasPage />, {
      api: mock,
      allow: ['ai-platform.quota.manage'],
    });
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Approve applied-ml 12 GPUs on l4-inference',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve 12 GPUs for applied-ml',
    });
    const confirm = within(dialog).getByRole('button', { name: 'Approve' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'the pool has room for it' },
    });
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(mock.decideQuotaRequest).toHaveBeenCalledWith({
        id: 'req-1',
        decision: 'approve',
        reason: 'the pool has room for it',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(mock.getQuotas).toHaveBeenCalledTimes(2);
  });

  it('lets a member request more GPUs for their team', async () => {
    const mock = api();
    await renderWithApis(<QuotasPage />, {
      api: mock,
      allow: ['ai-platform.quota.request'],
    });
    await screen.findByRole('region', { name: 'Quotas on L4 24GB (us-east)' });
    fireEvent.click(screen.getByRole('button', { name: 'Request more GPUs' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Request more GPUs',
    });
    expect(
      within(dialog).getByText(
        'Current quota of applied-ml on L4 24GB (us-east): 8 GPUs; the pool has 9 of 16 free.',
      ),
    ).toBeInTheDocument();
    fireEvent.change(
      within(dialog).getByRole('spinbutton', { name: 'Total GPUs needed' }),
      { target: { value: '10' } },
    );
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'new summarisation endpoint' },
    });
    await waitFor(() =>
      expect(
        within(dialog).getByRole('button', { name: 'Send request' }),
      ).toBeEnabled(),
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Send request' }),
    );
    await waitFor(() =>
      expect(mock.createQuotaRequest).toHaveBeenCalledWith({
        team: 'group:default/applied-ml',
        pool: 'gpupool:default/l4-inference',
        gpus: 10,
        reason: 'new summarisation endpoint',
      }),
    );
  });

  it('blocks a request for a team the user may not ask for', async () => {
    await renderWithApis(<QuotasPage />, { api: api(), allow: [] });
    await screen.findByRole('region', { name: 'Quotas on L4 24GB (us-east)' });
    fireEvent.click(screen.getByRole('button', { name: 'Request more GPUs' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /You may not ask for GPUs for applied-ml/,
      ),
    ).toBeInTheDocument();
  });

  it('shows empty and error states', async () => {
    await renderWithApis(<QuotasPage />, {
      api: {
        getQuotas: async () => ({ items: [] }),
        getQuotaUsage: async () => {
          throw new Error('Request failed with 503 Service Unavailable');
        },
        listQuotaRequests: async () => {
          throw new Error('Request failed with 503 Service Unavailable');
        },
      },
    });
    expect(
      await screen.findByText('No GPU pools in the catalog'),
    ).toBeInTheDocument();
    expect(
      (await screen.findAllByText(/503 Service Unavailable/)).length,
    ).toBeGreaterThan(0);
  });
});

import type { EndpointSloReport } from '@internal/plugin-ai-platform-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWithApis } from '../../__testUtils__';
import { SloPage } from './SloPage';

const statusOf = (budgetLeft: number | undefined) => {
  if (budgetLeft === undefined) return 'no-data' as const;
  return budgetLeft < 0 ? ('breached' as const) : ('burning' as const);
};

const item = (
  name: string,
  teamRef: string,
  budgetLeft: number | undefined,
): EndpointSloReport => ({
  endpointRef: `inferenceendpoint:default/${name}`,
  title: name,
  teamRef,
  cluster: 'gpu-eu-west',
  windowDays: 28,
  evaluatedAt: '2026-12-07T21:00:00Z',
  source:
    budgetLeft === undefined
      ? {
          kind: 'none',
          reason: 'No Prometheus is configured for cluster gpu-us-east',
        }
      : {
          kind: 'prometheus',
          cluster: 'gpu-eu-west',
          url: 'http://prom',
          selector: 'x',
        },
  objectives: [
    {
      kind: 'availability',
      target: 99.9,
      metric: 'http_requests_total',
      allowedBadShare: 0.001,
      window: { total: 1000, bad: 0, allowedBad: 1 },
      budgetLeft,
      burnRate1h: budgetLeft === undefined ? undefined : 20,
      status: statusOf(budgetLeft),
    },
  ],
  budgetLeft,
});

const fleet = [
  item('embeddings', 'group:default/search-relevance', -0.5),
  item('chat', 'group:default/applied-ml', 0.25),
  item('reasoning', 'group:default/applied-ml', undefined),
];

describe('SloPage', () => {
  it('lists every endpoint as the backend sorts them, and filters by team', async () => {
    const getSloFleet = jest.fn(async (options?: { team?: string }) => ({
      items: fleet.filter(i => !options?.team || i.teamRef === options.team),
    }));
    await renderWithApis(<SloPage />, { api: { getSloFleet } });
    const table = await screen.findByRole('table', {
      name: 'SLOs by endpoint',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(r => r.getAttribute('data-endpoint'))).toEqual([
      'inferenceendpoint:default/embeddings',
      'inferenceendpoint:default/chat',
      'inferenceendpoint:default/reasoning',
    ]);
    expect(within(rows[0]).getByText('Budget spent')).toBeInTheDocument();
    expect(within(rows[0]).getAllByText('50% overspent')).not.toHaveLength(0);
    expect(within(rows[1]).getByText('Burning fast')).toBeInTheDocument();
    expect(within(rows[1]).getByText('20x')).toBeInTheDocument();
    expect(
      within(rows[2]).getByText(
        'No Prometheus is configured for cluster gpu-us-east',
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: /Team/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: /search-relevance|Search/i }),
    );
    expect(getSloFleet).toHaveBeenLastCalledWith({
      team: 'group:default/search-relevance',
    });
    const filtered = await screen.findByRole('table', {
      name: 'SLOs by endpoint',
    });
    await within(filtered).findByText('embeddings');
    expect(within(filtered).queryByText('chat')).toBeNull();
  });

  it('says when no endpoint sets targets', async () => {
    await renderWithApis(<SloPage />, {
      api: { getSloFleet: async () => ({ items: [] }) },
    });
    expect(
      await screen.findByText('No endpoint sets SLO targets'),
    ).toBeInTheDocument();
  });
});

import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import type { CostGroupBy } from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  groupRow,
  renderWithApis,
  runningFleet,
  summaryOf,
} from '../../__testUtils__';
import { CostPage } from './CostPage';

const NOW = () => new Date('2026-11-23T17:30:00Z');
const APPLIED = 'group:default/applied-ml';
const SEARCH = 'group:default/search-relevance';
const LLAMA = 'model:default/llama-3-1-8b-instruct';
const CHAT = 'inferenceendpoint:default/chat-assistant-prod';
const L4 = 'gpupool:default/l4-inference';

function summaryFor(groupBy: CostGroupBy) {
  if (groupBy === 'model') {
    return summaryOf(
      [
        groupRow(LLAMA, {
          cost: 8000,
          tokens: 6_400_000_000,
          tokenCoverage: 1,
          costPerMillionTokens: 1.25,
          costPerMillionPromptTokens: 0.4,
          costPerMillionGenerationTokens: 3.8,
          splitMeasuredShare: 0.75,
          costPerRequest: 0.0031,
        }),
        groupRow('model:default/bge-m3', { cost: 345.678 }),
      ],
      { groupBy },
    );
  }
  if (groupBy === 'pool') {
    return summaryOf(
      [
        groupRow(L4, {
          cost: 5000,
          gpuHours: 6250,
          idleGpuHours: 2500,
          idleCost: 2000,
          utilizationCoverage: 1,
        }),
        groupRow('gpupool:default/h100-inference', { cost: 3345.678 }),
      ],
      { groupBy },
    );
  }
  const base = summaryOf(
    [
      groupRow(APPLIED, { cost: 9000.5, gpuHours: 2195.2 }),
      groupRow(SEARCH, { cost: 3345.178, gpuHours: 815.9 }),
    ],
    {
      groupBy,
      granularity: 'day',
      series: [
        {
          bucket: '2026-11-21',
          key: APPLIED,
          currency: 'USD',
          cost: 300,
          gpuHours: 73,
        },
        {
          bucket: '2026-11-21',
          key: SEARCH,
          currency: 'USD',
          cost: 110,
          gpuHours: 27,
        },
        {
          bucket: '2026-11-22',
          key: APPLIED,
          currency: 'USD',
          cost: 310,
          gpuHours: 75,
        },
      ],
    },
  );
  return base;
}

/** The texts of the elements of a chart that match a selector. */
function texts(chart: HTMLElement, selector: string) {
  return Array.from(chart.querySelectorAll(selector)).map(e => e.textContent);
}

/**
 * The tooltip of a chart's first point, as a keyboard user gets it (recharts'
 * accessibility layer): its label, then `name : value` per series.
 */
async function tooltipOf(chart: HTMLElement) {
  act(() => (chart.querySelector('svg') as SVGElement).focus());
  await waitFor(() =>
    expect(chart.querySelector('.recharts-tooltip-item')).not.toBeNull(),
  );
  return [
    chart.querySelector('.recharts-tooltip-label')?.textContent,
    ...texts(chart, '.recharts-tooltip-item'),
  ];
}

function api(): Partial<AiPlatformApi> {
  return {
    getRunningFleet: jest.fn(async () => runningFleet),
    getCostSummary: jest.fn(async ({ groupBy = 'team' }) =>
      summaryFor(groupBy),
    ),
    getTopSpenders: jest.fn(async ({ groupBy = 'endpoint' }) => ({
      from: 0,
      to: 1,
      groupBy,
      items:
        groupBy === 'endpoint'
          ? [groupRow(CHAT, { cost: 4321.987, gpuHours: 1000 })]
          : [groupRow(LLAMA, { cost: 8000, gpuHours: 1900 })],
    })),
    getMonthOverMonth: jest.fn(async ({ month = '2026-10' } = {}) => ({
      month,
      previousMonth: '2026-09',
      totals: [
        {
          currency: 'USD',
          cost: 11234.56,
          previousCost: 10000,
          change: 1234.56,
          changePercent: 12.3456,
        },
      ],
    })),
    getCostForecast: jest.fn(async () => ({
      month: '2026-11',
      now: 0,
      daysInMonth: 30,
      completeDays: 22,
      remainingDays: 8,
      meanWindow: {
        from: 0,
        to: 1,
        days: 7,
        firstDay: '2026-11-16',
        lastDay: '2026-11-22',
      },
      method:
        'month-to-date actual + mean daily cost of 2026-11-16..2026-11-22 (7 complete days) x 8 days left',
      totals: [
        {
          currency: 'USD',
          monthToDate: 8500.25,
          completeDaysCost: 8200,
          meanWindowCost: 2800,
          meanDailyCost: 400,
          forecast: 11400.004,
        },
      ],
    })),
    getBudgets: jest.fn(async ({ month = '2026-11' } = {}) => ({
      month,
      items: [
        {
          teamRef: APPLIED,
          month,
          currency: 'USD',
          budget: 10000,
          actual: 6000,
          forecast: 10500,
          percentUsed: 60,
          forecastPercent: 105,
          status: 'at-risk' as const,
          setBy: 'user:default/alice',
          setAt: '2026-11-01T00:00:00Z',
          otherCurrencies: [],
        },
      ],
    })),
    exportCost: jest.fn(async ({ format }) => ({
      filename: `ai-platform-cost-${format}.csv`,
      blob: new Blob(['day,cost\n']),
    })),
  };
}

describe('CostPage', () => {
  beforeAll(() => {
    URL.createObjectURL = jest.fn(() => 'blob:cost');
    URL.revokeObjectURL = jest.fn();
  });

  it("shows the backend's figures for the last 30 days", async () => {
    const mock = api();
    await renderWithApis(<CostPage now={NOW} />, { api: mock });

    const total = await screen.findByRole('group', {
      name: 'Total spend in USD',
    });
    expect(within(total).getByText('$12,345.68')).toBeInTheDocument();
    const mom = screen.getByRole('group', {
      name: 'October 2026 against September 2026 in USD',
    });
    expect(within(mom).getByText('$11,234.56')).toBeInTheDocument();
    expect(
      within(mom).getByText(
        'October 2026; +12.3% on September 2026 ($10,000.00)',
      ),
    ).toBeInTheDocument();
    const forecast = screen.getByRole('group', {
      name: 'Forecast for November 2026 in USD',
    });
    expect(within(forecast).getByText('$11,400.00')).toBeInTheDocument();
    expect(
      within(forecast).getByText('$8,500.25 so far in November 2026'),
    ).toBeInTheDocument();

    // The charts name entities by their catalog title (else by name); the
    // tooltips keep the exact figures.
    const spend = screen.getByRole('figure', {
      name: 'Spend by team per day in USD',
    });
    await waitFor(() =>
      expect(texts(spend, '.recharts-legend-item-text')).toEqual([
        'Applied ML',
        'search-relevance',
      ]),
    );
    expect(await tooltipOf(spend)).toEqual([
      '2026-11-21',
      'Applied ML : $300.00',
      'search-relevance : $110.00',
    ]);
    const perToken = screen.getByRole('figure', {
      name: 'Cost per 1M tokens by model in USD',
    });
    expect(
      texts(perToken, '.recharts-yAxis .recharts-cartesian-axis-tick'),
    ).toEqual(['Llama 3.1 8B Instruct']);
    fireEvent.mouseMove(perToken.querySelector('.recharts-wrapper')!, {
      clientX: 400,
      clientY: 40,
    });
    await waitFor(() =>
      expect(perToken.querySelector('.recharts-tooltip-item')).not.toBeNull(),
    );
    expect([
      perToken.querySelector('.recharts-tooltip-label')?.textContent,
      ...texts(perToken, '.recharts-tooltip-item'),
    ]).toEqual(['Llama 3.1 8B Instruct', 'Cost per 1M tokens : $1.25']);
    const byTeam = screen.getByRole('table', { name: 'Spend by team' });
    const [, applied] = within(byTeam).getAllByRole('row');
    expect(within(applied).getByText('$9,000.50')).toBeInTheDocument();
    expect(within(applied).getByText('73%')).toBeInTheDocument();

    expect(
      within(screen.getByRole('table', { name: 'Top endpoints' })).getByText(
        '$4,321.99',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('table', { name: 'Top models' })).getByText(
        '$8,000.00',
      ),
    ).toBeInTheDocument();
    const tokens = screen.getByRole('table', {
      name: 'Cost per 1M tokens by model',
    });
    expect(within(tokens).getByText('$1.25')).toBeInTheDocument();
    expect(within(tokens).getByText('6.4B')).toBeInTheDocument();
    // Per 1M prompt and generated tokens, and what the split rests on.
    expect(within(tokens).getByText('$0.40')).toBeInTheDocument();
    expect(within(tokens).getByText('$3.80')).toBeInTheDocument();
    expect(
      within(tokens).getByText(
        '75% measured prefill/decode time, the rest token counts x the generation weight',
      ),
    ).toBeInTheDocument();
    expect(within(tokens).getByText('$0.0031')).toBeInTheDocument();
    expect(within(tokens).getAllByRole('row')).toHaveLength(2);
    const idle = screen.getByRole('table', { name: 'Idle cost by pool' });
    const [, l4, h100] = within(idle).getAllByRole('row');
    expect(within(l4).getByText('$2,000.00')).toBeInTheDocument();
    expect(within(l4).getByText('60%')).toBeInTheDocument();
    expect(within(h100).getByText('unknown')).toBeInTheDocument();
    const budgets = screen.getByRole('table', {
      name: 'Budget vs actual per team',
    });
    expect(
      within(budgets).getByText('at risk (forecast over)'),
    ).toBeInTheDocument();
    expect(within(budgets).getByText('$10,500.00')).toBeInTheDocument();

    // The last 30 days is the backend's default window: no bounds sent.
    expect(mock.getCostSummary).toHaveBeenCalledWith({
      groupBy: 'team',
      granularity: 'day',
    });
    expect(mock.getMonthOverMonth).toHaveBeenCalledWith({ month: '2026-10' });
    expect(mock.getBudgets).toHaveBeenCalledWith({ month: '2026-11' });
    expect(screen.queryByRole('button', { name: 'Set budget' })).toBeNull();
  });

  it('shows what runs and where the numbers come from: declared, not running costs nothing', async () => {
    await renderWithApis(<CostPage now={NOW} />, { api: api() });
    const table = await screen.findByRole('table', {
      name: 'What runs of each endpoint',
    });
    const staging = within(table)
      .getByText('Chat assistant (staging)')
      .closest('tr')!;
    expect(
      within(staging).getByText('declared, not running (no cost)'),
    ).toBeInTheDocument();
    expect(
      within(staging).getByText('cluster state at 2026-12-07 10:00 UTC'),
    ).toBeInTheDocument();
    const prod = within(table).getByText('Chat assistant').closest('tr')!;
    expect(within(prod).getByText('running')).toBeInTheDocument();
    expect(within(prod).getByText('2')).toBeInTheDocument();
    expect(
      screen.getByText('gpu-eu-west: cluster state at 2026-12-07 10:00 UTC'),
    ).toBeInTheDocument();
  });

  it('switches window and grouping, and exports the same window', async () => {
    const mock = api();
    await renderWithApis(<CostPage now={NOW} />, { api: mock });
    await screen.findByRole('group', { name: 'Total spend in USD' });
    fireEvent.click(screen.getByRole('button', { name: 'This quarter' }));
    await waitFor(() =>
      expect(mock.getCostSummary).toHaveBeenCalledWith({
        from: '2026-10-01',
        groupBy: 'team',
        granularity: 'day',
      }),
    );
    fireEvent.mouseDown(screen.getByRole('button', { name: /Group by/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'model' }));
    await waitFor(() =>
      expect(mock.getCostSummary).toHaveBeenCalledWith({
        from: '2026-10-01',
        groupBy: 'model',
        granularity: 'day',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Export FOCUS' }));
    await waitFor(() =>
      expect(mock.exportCost).toHaveBeenCalledWith({
        from: '2026-10-01',
        format: 'focus',
      }),
    );
    expect(URL.createObjectURL).toHaveBeenCalled();
  });

  it('reads a custom window from the URL, with an inclusive last day', async () => {
    const mock = api();
    await renderWithApis(<CostPage now={NOW} />, {
      api: mock,
      initialRouteEntries: [
        '/?window=custom&from=2026-01-01&to=2026-06-30&groupBy=pool',
      ],
    });
    await screen.findByRole('group', { name: 'Total spend in USD' });
    expect(mock.getCostSummary).toHaveBeenCalledWith({
      from: '2026-01-01',
      to: '2026-07-01',
      groupBy: 'pool',
      granularity: 'month',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() =>
      expect(mock.exportCost).toHaveBeenCalledWith({
        from: '2026-01-01',
        to: '2026-07-01',
        format: 'csv',
      }),
    );
  });

  it('lets budget managers set a budget', async () => {
    const mock = {
      ...api(),
      setBudget: jest.fn(async () => ({ budget: {} as never })),
    };
    await renderWithApis(<CostPage now={NOW} />, {
      api: mock,
      allow: ['ai-platform.budget.manage'],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Set budget' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Set a team budget',
    });
    fireEvent.mouseDown(within(dialog).getByRole('button', { name: /Team/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Applied ML' }));
    fireEvent.change(
      within(dialog).getByRole('spinbutton', { name: 'Amount' }),
      {
        target: { value: '12000' },
      },
    );
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), {
      target: { value: 'Q4 launch of the summariser' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Save budget' }),
    );
    await waitFor(() =>
      expect(mock.setBudget).toHaveBeenCalledWith({
        team: APPLIED,
        month: '2026-11',
        amount: 12000,
        currency: 'USD',
        reason: 'Q4 launch of the summariser',
      }),
    );
    await waitFor(() => expect(mock.getBudgets).toHaveBeenCalledTimes(2));
  });

  it('shows empty and error states', async () => {
    await renderWithApis(<CostPage now={NOW} />, {
      api: {
        ...api(),
        getCostSummary: async () => {
          throw new Error('NotAllowedError: ai-platform.cost.read denied');
        },
        getTopSpenders: async () => ({
          from: 0,
          to: 1,
          groupBy: 'endpoint',
          items: [],
        }),
        getBudgets: async () => ({ month: '2026-11', items: [] }),
      },
    });
    expect(
      (await screen.findAllByText(/ai-platform.cost.read denied/)).length,
    ).toBeGreaterThan(0);
    expect(screen.getAllByText('No spend in this window')).toHaveLength(2);
    expect(
      screen.getByText('No budgets set for November 2026'),
    ).toBeInTheDocument();
  });
});

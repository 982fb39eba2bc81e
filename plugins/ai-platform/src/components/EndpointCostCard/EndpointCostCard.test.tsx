import { screen, within } from '@testing-library/react';
import {
  endpointEntity,
  groupRow,
  renderWithApis,
  runningFleet,
  summaryOf,
} from '../../__testUtils__';

const getRunningFleet = async ({ endpoint }: { endpoint?: string } = {}) => ({
  ...runningFleet,
  endpoints: runningFleet.endpoints.filter(e => e.endpointRef === endpoint),
});
import { EndpointCostCard } from './EndpointCostCard';

const REF = 'inferenceendpoint:default/chat-assistant-prod';

describe('EndpointCostCard', () => {
  it("shows the endpoint's own figures from the backend", async () => {
    const getCostSummary = jest.fn(async () =>
      summaryOf(
        [
          groupRow(REF, {
            cost: 1234.5678,
            gpuHours: 1543.2,
            tokens: 980_000_000,
            costPerMillionTokens: 1.2597,
            costPerMillionPromptTokens: 0.32,
            costPerMillionGenerationTokens: 4.8,
            splitMeasuredShare: 1,
            costPerRequest: 0.0042,
            requestCoverage: 0.8,
            idleCost: 321.04,
            utilizationCoverage: 1,
          }),
          groupRow('inferenceendpoint:default/other', { cost: 99 }),
        ],
        {
          groupBy: 'endpoint',
          series: [
            {
              bucket: '2026-11-21',
              key: REF,
              currency: 'USD',
              cost: 40,
              gpuHours: 50,
            },
            {
              bucket: '2026-11-22',
              key: REF,
              currency: 'USD',
              cost: 41,
              gpuHours: 51,
            },
          ],
        },
      ),
    );
    await renderWithApis(<EndpointCostCard />, {
      entity: endpointEntity,
      api: { getCostSummary, getRunningFleet },
    });
    const table = await screen.findByRole('table', { name: 'Cost in USD' });
    expect(within(table).getByText('$1,234.57')).toBeInTheDocument();
    expect(within(table).getByText('1,543.2 GPU-h')).toBeInTheDocument();
    expect(within(table).getByText('$1.26')).toBeInTheDocument();
    expect(within(table).getByText('980M')).toBeInTheDocument();
    expect(
      within(table).getByText(
        '$321.04 (utilisation known for 100% of GPU-hours)',
      ),
    ).toBeInTheDocument();
    const value = (label: string) =>
      within(table).getByText(label).closest('tr')!.lastElementChild!
        .textContent;
    expect(value('Cost per 1M prompt tokens')).toBe('$0.32');
    expect(value('Cost per 1M generated tokens')).toBe('$4.80');
    expect(value('Prompt/generation split by')).toBe(
      'measured prefill/decode time',
    );
    expect(value('Cost per request')).toBe(
      '$0.0042 (requests counted for 80% of the cost)',
    );
    expect(
      screen.getByRole('figure', { name: 'Cost per day' }),
    ).toBeInTheDocument();
    expect(await screen.findByLabelText('What runs')).toHaveTextContent(
      'running · 2 GPUs held by 2 pods · basis: cluster state at 2026-12-07 10:00 UTC',
    );
    expect(getCostSummary).toHaveBeenCalledWith({
      groupBy: 'endpoint',
      granularity: 'day',
    });
    expect(screen.getByRole('link', { name: 'All cost' })).toHaveAttribute(
      'href',
      '/ai-platform/cost',
    );
  });

  it('says why a split or a cost per request is missing', async () => {
    await renderWithApis(<EndpointCostCard />, {
      entity: endpointEntity,
      api: {
        getCostSummary: async () =>
          summaryOf([
            groupRow(REF, {
              cost: 10,
              tokens: 1000,
              costPerMillionTokens: 10_000,
            }),
          ]),
        getRunningFleet,
      },
    });
    const table = await screen.findByRole('table', { name: 'Cost in USD' });
    const value = (label: string) =>
      within(table).getByText(label).closest('tr')!.lastElementChild!
        .textContent;
    expect(value('Cost per 1M prompt tokens')).toBe(
      'not split (usage recorded before the split)',
    );
    expect(value('Prompt/generation split by')).toBe('not split');
    expect(value('Cost per request')).toBe(
      "no request counts (needs vLLM's request counter in Prometheus)",
    );
  });

  it('says when there is no usage', async () => {
    await renderWithApis(<EndpointCostCard />, {
      entity: endpointEntity,
      api: { getCostSummary: async () => summaryOf([]), getRunningFleet },
    });
    expect(
      await screen.findByText('No usage recorded in the last 30 days'),
    ).toBeInTheDocument();
  });

  it('says when the endpoint is declared but not running', async () => {
    await renderWithApis(<EndpointCostCard />, {
      entity: {
        ...endpointEntity,
        metadata: {
          ...endpointEntity.metadata,
          name: 'chat-assistant-staging',
        },
      },
      api: { getCostSummary: async () => summaryOf([]), getRunningFleet },
    });
    expect(await screen.findByLabelText('What runs')).toHaveTextContent(
      'declared, not running · costs nothing · basis: cluster state at 2026-12-07 10:00 UTC',
    );
  });

  it('shows a permission error', async () => {
    await renderWithApis(<EndpointCostCard />, {
      entity: endpointEntity,
      api: {
        getCostSummary: async () => {
          throw new Error('NotAllowedError: ai-platform.cost.read');
        },
        getRunningFleet,
      },
    });
    expect(
      (await screen.findAllByText(/ai-platform.cost.read/)).length,
    ).toBeGreaterThan(0);
  });
});

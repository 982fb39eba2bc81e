import type { EndpointSloReport } from '@internal/plugin-ai-platform-common';
import { screen, within } from '@testing-library/react';
import {
  endpointEntity,
  renderWithApis,
  stagingEndpointEntity,
} from '../../__testUtils__';
import { EndpointSloCard } from './EndpointSloCard';

const report: EndpointSloReport = {
  endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
  title: 'Chat assistant',
  teamRef: 'group:default/applied-ml',
  cluster: 'gpu-eu-west',
  namespace: 'chat',
  workload: 'chat-assistant-prod',
  windowDays: 28,
  evaluatedAt: '2026-12-07T21:00:00Z',
  source: {
    kind: 'prometheus',
    cluster: 'gpu-eu-west',
    url: 'http://127.0.0.1:9090',
    selector:
      'namespace="chat",pod=~"chat-assistant-prod-[a-z0-9]{5,10}-[a-z0-9]{5}"',
  },
  objectives: [
    {
      kind: 'availability',
      target: 99.9,
      metric: 'http_requests_total',
      allowedBadShare: 0.001,
      window: { total: 1_000_000, bad: 400, allowedBad: 1000 },
      budgetLeft: 0.6,
      compliance: 0.9996,
      burnRate1h: 5,
      burnRate6h: 2,
      status: 'ok',
    },
    {
      kind: 'ttft',
      target: 400,
      boundaryMs: 250,
      metric: 'vllm:time_to_first_token_seconds',
      allowedBadShare: 0.05,
      window: { total: 1_000_000, bad: 60_000, allowedBad: 50_000 },
      budgetLeft: -0.2,
      compliance: 0.94,
      burnRate1h: 16,
      burnRate6h: 1.2,
      status: 'breached',
    },
  ],
  current: {
    requestRate: 3.25,
    errorRate: 0.0004,
    requestsWaiting: 7,
    requestsRunning: 12,
    kvCacheUsage: 0.815,
    ttftP95Ms: 312.5,
    latencyP95Ms: 3100,
  },
  budgetLeft: -0.2,
  trend: [
    { t: 1_800_000_000, ttftP95Ms: 300, latencyP95Ms: 3000, requestRate: 3 },
    { t: 1_800_000_900, ttftP95Ms: 310, latencyP95Ms: 3100, requestRate: 3 },
  ],
};

describe('EndpointSloCard', () => {
  it('shows each objective against what the endpoint serves', async () => {
    const getEndpointSlo = jest.fn(async () => report);
    await renderWithApis(<EndpointSloCard />, {
      entity: endpointEntity,
      api: { getEndpointSlo },
      config: { aiPlatform: { demo: { simulatedClusters: ['gpu-eu-west'] } } },
    });
    const table = await screen.findByRole('table', { name: 'SLOs' });
    expect(getEndpointSlo).toHaveBeenCalledWith({
      namespace: 'default',
      name: endpointEntity.metadata.name,
    });
    const availability = within(table).getByRole('row', {
      name: /Availability/,
    });
    expect(within(availability).getByText('≥ 99.9%')).toBeInTheDocument();
    expect(within(availability).getByText('60% left')).toBeInTheDocument();
    expect(
      within(availability).getByText('400 of 1,000 allowed'),
    ).toBeInTheDocument();
    expect(within(availability).getByText('5x')).toBeInTheDocument();
    expect(within(availability).getByText('Within budget')).toBeInTheDocument();
    const ttft = within(table).getByRole('row', {
      name: /Time to first token/,
    });
    expect(within(ttft).getByText('≤ 400 ms')).toBeInTheDocument();
    expect(
      within(ttft).getByText('counted under the 250 ms bucket'),
    ).toBeInTheDocument();
    expect(within(ttft).getByText('312.5 ms')).toBeInTheDocument();
    expect(within(ttft).getByText('20% overspent')).toBeInTheDocument();
    expect(within(ttft).getByText('Budget spent')).toBeInTheDocument();

    const now = screen.getByRole('table', { name: 'Serving now' });
    expect(within(now).getByText('3.25 req/s')).toBeInTheDocument();
    expect(within(now).getByText('0.04%')).toBeInTheDocument();
    expect(within(now).getByText('7')).toBeInTheDocument();
    expect(within(now).getByText('81.5%')).toBeInTheDocument();
    expect(
      within(now).getByText(
        'Prometheus http://127.0.0.1:9090 (cluster gpu-eu-west)',
      ),
    ).toBeInTheDocument();
    expect(within(now).getByText('Simulated cluster')).toBeInTheDocument();
    expect(
      screen.getByRole('figure', { name: 'p95 latencies, last 6 hours (ms)' }),
    ).toBeInTheDocument();
  });

  it('says when there is no trend yet', async () => {
    await renderWithApis(<EndpointSloCard />, {
      entity: endpointEntity,
      api: {
        getEndpointSlo: async () => ({
          ...report,
          trend: report.trend!.slice(1),
        }),
      },
    });
    expect(await screen.findByText(/^No trend yet/)).toBeInTheDocument();
    expect(
      screen.queryByRole('figure', {
        name: 'p95 latencies, last 6 hours (ms)',
      }),
    ).toBeNull();
  });

  it('says how to enable Prometheus when the cluster has none', async () => {
    await renderWithApis(<EndpointSloCard />, {
      entity: endpointEntity,
      api: {
        getEndpointSlo: async () => ({
          ...report,
          source: {
            kind: 'none',
            reason:
              'No Prometheus is configured for cluster gpu-eu-west: set aiPlatform.cost.prometheus.url',
          },
          objectives: report.objectives.map(o => ({
            ...o,
            window: { total: 0, bad: 0, allowedBad: 0 },
            budgetLeft: undefined,
            burnRate1h: undefined,
            burnRate6h: undefined,
            status: 'no-data' as const,
          })),
          current: undefined,
          trend: undefined,
        }),
      },
    });
    expect(
      await screen.findByText(/set aiPlatform\.cost\.prometheus\.url/),
    ).toBeInTheDocument();
    expect(screen.getAllByText('No data')).toHaveLength(2);
    expect(screen.queryByRole('table', { name: 'Serving now' })).toBeNull();
  });

  it('says when there are no targets', async () => {
    const getEndpointSlo = jest.fn();
    await renderWithApis(<EndpointSloCard />, {
      entity: stagingEndpointEntity,
      api: { getEndpointSlo },
    });
    expect(screen.getByText('No SLO targets')).toBeInTheDocument();
    expect(getEndpointSlo).not.toHaveBeenCalled();
  });
});

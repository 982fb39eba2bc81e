import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { l4Quotas, poolEntity, renderWithApis } from '../../__testUtils__';
import { GpuPoolQuotaCard } from './GpuPoolQuotaCard';

describe('GpuPoolQuotaCard', () => {
  it('charts and lists quota against use per team, with overrides', async () => {
    await renderWithApis(<GpuPoolQuotaCard />, {
      entity: poolEntity,
      api: { getQuotas: async () => ({ items: [l4Quotas] }) },
    });
    const table = await screen.findByRole('table', { name: 'Quotas per team' });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[1]).getByText('pool YAML')).toBeInTheDocument();
    expect(
      within(rows[2]).getByText(
        'override by alice: launch of semantic search (YAML: 4)',
      ),
    ).toBeInTheDocument();
    const chart = screen.getByRole('figure', {
      name: 'Quota and GPUs used per team',
    });
    // The axis and the tooltip name teams by their catalog title, else by
    // their name; the tooltip keeps the exact figures.
    const ticks = () =>
      Array.from(
        chart.querySelectorAll('.recharts-xAxis .recharts-cartesian-axis-tick'),
      ).map(t => t.textContent);
    await waitFor(() =>
      expect(ticks()).toEqual(['Applied ML', 'search-relevance']),
    );
    // Keyboard users (recharts' accessibility layer) step through the teams.
    const tooltip = () => [
      chart.querySelector('.recharts-tooltip-label')?.textContent,
      ...Array.from(chart.querySelectorAll('.recharts-tooltip-item')).map(
        item => item.textContent,
      ),
    ];
    act(() =>
      within(chart)
        .getByRole('application', { name: 'Quota and GPUs used per team' })
        .focus(),
    );
    await waitFor(() =>
      expect(tooltip()).toEqual(['Applied ML', 'Quota : 8', 'Used : 7']),
    );
    await userEvent.keyboard('{ArrowRight}');
    expect(tooltip()).toEqual(['search-relevance', 'Quota : 6', 'Used : 0']);
    expect(within(chart).queryByText('applied-ml')).toBeNull();
    expect(
      screen.getByRole('link', { name: 'Quotas and requests' }),
    ).toHaveAttribute(
      'href',
      '/ai-platform/quotas?pool=gpupool%3Adefault%2Fl4-inference',
    );
  });

  it('says when no team has a quota', async () => {
    await renderWithApis(<GpuPoolQuotaCard />, {
      entity: poolEntity,
      api: { getQuotas: async () => ({ items: [{ ...l4Quotas, teams: [] }] }) },
    });
    expect(
      await screen.findByText('No team has a quota on this pool'),
    ).toBeInTheDocument();
  });

  it('says when the backend does not know the pool', async () => {
    await renderWithApis(<GpuPoolQuotaCard />, {
      entity: poolEntity,
      api: { getQuotas: async () => ({ items: [] }) },
    });
    expect(
      await screen.findByText('No team has a quota on this pool'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('progress')).toBeNull();
  });

  it('shows the backend error when the quotas cannot be read', async () => {
    await renderWithApis(<GpuPoolQuotaCard />, {
      entity: poolEntity,
      api: {
        getQuotas: async () => {
          throw new Error('Request failed with 503 Service Unavailable');
        },
      },
    });
    const alert = await screen.findByRole('alert');
    expect(
      within(alert).getByText(
        'Error: Request failed with 503 Service Unavailable',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByRole('figure')).toBeNull();
    expect(screen.queryByText('No team has a quota on this pool')).toBeNull();
  });
});

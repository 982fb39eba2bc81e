import { screen, within } from '@testing-library/react';
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
    expect(within(chart).getAllByText('applied-ml').length).toBeGreaterThan(0);
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
});

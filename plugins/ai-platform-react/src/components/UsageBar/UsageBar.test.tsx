import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { UsageBar } from './UsageBar';

describe('UsageBar', () => {
  it('labels the bar with the numbers', async () => {
    await renderInTestApp(<UsageBar label="Applied ML" used={12} limit={16} />);
    const bar = screen.getByRole('progressbar', {
      name: 'Applied ML: 12 of 16 GPUs used',
    });
    expect(bar).toHaveAttribute('aria-valuenow', '75');
  });

  it('says when usage is over the limit', async () => {
    await renderInTestApp(
      <UsageBar label="Search" used={6} limit={4} note="override by alice" />,
    );
    expect(
      screen.getByText('6 of 4 GPUs used (over) · override by alice'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'Search: 6 of 4 GPUs used' }),
    ).toHaveAttribute('aria-valuenow', '100');
  });
});

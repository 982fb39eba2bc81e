import { screen, within } from '@testing-library/react';
import {
  groupRow,
  poolEntity,
  renderWithApis,
  summaryOf,
} from '../../__testUtils__';
import { GpuPoolCostCard, utilizationOf } from './GpuPoolCostCard';

const REF = 'gpupool:default/l4-inference';

describe('GpuPoolCostCard', () => {
  it('shows cost, utilisation and idle cost where known', async () => {
    await renderWithApis(<GpuPoolCostCard />, {
      entity: poolEntity,
      api: {
        getCostSummary: async () =>
          summaryOf(
            [
              groupRow(REF, {
                cost: 4608,
                gpuHours: 5760,
                idleGpuHours: 1728,
                idleCost: 1382.4,
                utilizationCoverage: 0.5,
              }),
            ],
            { groupBy: 'pool' },
          ),
      },
    });
    const table = await screen.findByRole('table', {
      name: 'Pool cost in USD',
    });
    expect(within(table).getByText('$4,608.00')).toBeInTheDocument();
    expect(within(table).getByText('$0.80')).toBeInTheDocument();
    // 1 - 1728 / (5760 x 0.5) = 40%
    expect(
      within(table).getByText('40% (known for 50% of GPU-hours)'),
    ).toBeInTheDocument();
    expect(within(table).getByText('$1,382.40')).toBeInTheDocument();
  });

  it('says utilisation is unknown without DCGM data', () => {
    expect(utilizationOf(groupRow(REF, { gpuHours: 10 }))).toBeUndefined();
  });

  it('says when the pool has no usage', async () => {
    await renderWithApis(<GpuPoolCostCard />, {
      entity: poolEntity,
      api: { getCostSummary: async () => summaryOf([]) },
    });
    expect(
      await screen.findByText('No usage recorded in the last 30 days'),
    ).toBeInTheDocument();
    expect(screen.getByText('Price per GPU-hour: $0.80')).toBeInTheDocument();
  });

  it('shows the backend error when the cost cannot be read', async () => {
    await renderWithApis(<GpuPoolCostCard />, {
      entity: poolEntity,
      api: {
        getCostSummary: async () => {
          throw new Error('NotAllowedError: ai-platform.cost.read');
        },
      },
    });
    const alert = await screen.findByRole('alert');
    expect(
      within(alert).getByText('Error: NotAllowedError: ai-platform.cost.read'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
    expect(
      screen.queryByText('No usage recorded in the last 30 days'),
    ).toBeNull();
  });
});

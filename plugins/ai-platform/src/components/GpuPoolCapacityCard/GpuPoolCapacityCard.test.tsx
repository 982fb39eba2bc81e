import { screen, within } from '@testing-library/react';
import { l4Quotas, poolEntity, renderWithApis } from '../../__testUtils__';
import { GpuPoolCapacityCard } from './GpuPoolCapacityCard';

describe('GpuPoolCapacityCard', () => {
  it('shows capacity, allocated and free GPUs, the price and Kueue', async () => {
    const getQuotas = jest.fn(async () => ({ items: [l4Quotas] }));
    await renderWithApis(<GpuPoolCapacityCard />, {
      entity: poolEntity,
      api: {
        getQuotas,
        getKueueStatus: async () => ({
          pool: 'gpupool:default/l4-inference',
          cluster: 'gpu-us-east',
          available: false,
          reason: 'cluster gpu-us-east did not answer',
        }),
      },
    });
    expect(
      await screen.findByRole('progressbar', {
        name: 'Allocated: 7 of 16 GPUs used',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('16 GPUs: 7 allocated, 9 free'),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Pool details' });
    expect(within(table).getByText('$0.80')).toBeInTheDocument();
    expect(within(table).getByText('NVIDIA-L4 (24 GiB)')).toBeInTheDocument();
    expect(
      await within(table).findByText(
        'Not read: cluster gpu-us-east did not answer',
      ),
    ).toBeInTheDocument();
    expect(getQuotas).toHaveBeenCalledWith({
      pool: 'gpupool:default/l4-inference',
    });
  });

  it('shows the error when quotas cannot be read', async () => {
    await renderWithApis(<GpuPoolCapacityCard />, {
      entity: poolEntity,
      api: {
        getQuotas: async () => {
          throw new Error('gpupool:default/l4-inference is not in the catalog');
        },
        getKueueStatus: async () => ({
          pool: 'gpupool:default/l4-inference',
          cluster: 'gpu-us-east',
          available: true,
          queue: {
            apiVersion: 'kueue.x-k8s.io/v1beta1',
            clusterQueue: 'l4-inference',
            resource: 'nvidia.com/gpu',
            nominalQuota: 16,
            used: 4,
          },
        }),
      },
    });
    expect(
      (await screen.findAllByText(/is not in the catalog/)).length,
    ).toBeGreaterThan(0);
    expect(
      await screen.findByText('l4-inference: 4 of 16 nvidia.com/gpu used'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Read through kueue.x-k8s.io/v1beta1'),
    ).toBeInTheDocument();
  });

  it('says which Kueue API version the cluster answered in, and the cohort', async () => {
    await renderWithApis(<GpuPoolCapacityCard />, {
      entity: poolEntity,
      api: {
        getQuotas: async () => ({ items: [l4Quotas] }),
        getKueueStatus: async () => ({
          pool: 'gpupool:default/l4-inference',
          cluster: 'gpu-us-east',
          available: true,
          queue: {
            apiVersion: 'kueue.x-k8s.io/v1beta2',
            clusterQueue: 'l4-inference',
            cohort: 'inference',
            resource: 'nvidia.com/gpu',
            nominalQuota: 16,
            used: 6,
            pendingWorkloads: 2,
          },
        }),
      },
    });
    const table = screen.getByRole('table', { name: 'Pool details' });
    expect(
      await within(table).findByText(
        'l4-inference: 6 of 16 nvidia.com/gpu used, 2 workloads pending',
      ),
    ).toBeInTheDocument();
    expect(
      within(table).getByText(
        'Cohort inference; read through kueue.x-k8s.io/v1beta2',
      ),
    ).toBeInTheDocument();
  });

  it('shows a pool with nothing allocated and no quotas as all free', async () => {
    await renderWithApis(<GpuPoolCapacityCard />, {
      entity: {
        ...poolEntity,
        spec: { ...poolEntity.spec, quotas: undefined, kueue: undefined },
        relations: [],
      },
      api: {
        getQuotas: async () => ({
          items: [{ ...l4Quotas, used: 0, free: 16, teams: [] }],
        }),
      },
    });
    expect(
      await screen.findByRole('progressbar', {
        name: 'Allocated: 0 of 16 GPUs used',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('16 GPUs: 0 allocated, 16 free'),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Pool details' });
    expect(within(table).queryByText('Kueue')).toBeNull();
  });

  it('says when the backend does not know the pool', async () => {
    await renderWithApis(<GpuPoolCapacityCard />, {
      entity: poolEntity,
      api: {
        getQuotas: async () => ({ items: [] }),
        getKueueStatus: async () => ({
          pool: 'gpupool:default/l4-inference',
          cluster: 'gpu-us-east',
          available: false,
          reason: 'cluster gpu-us-east is not configured',
        }),
      },
    });
    expect(
      await screen.findByText(
        'The ai-platform backend does not know this pool yet',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('progress')).toBeNull();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(
      within(screen.getByRole('table', { name: 'Pool details' })).getByText(
        'NVIDIA-L4 (24 GiB)',
      ),
    ).toBeInTheDocument();
  });
});

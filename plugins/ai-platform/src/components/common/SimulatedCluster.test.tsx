import { screen, within } from '@testing-library/react';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  deploymentRecord,
  endpointEntity,
  liveStatus,
  poolEntity,
  renderWithApis,
} from '../../__testUtils__';
import { EndpointDeploymentCard } from '../EndpointDeploymentCard';
import { EndpointDeploymentsContent } from '../EndpointDeploymentsContent';
import { GpuPoolCapacityCard } from '../GpuPoolCapacityCard';
import { SimulatedClustersNote } from './SimulatedCluster';

const simulated = {
  aiPlatform: { demo: { simulatedClusters: ['gpu-us-east', 'gpu-eu-west'] } },
};

const api: Partial<AiPlatformApi> = {
  getEndpointStatus: jest.fn(async () => liveStatus),
  listDeployments: jest.fn(async () => ({ items: [deploymentRecord(1)] })),
  getQuotas: jest.fn(async () => ({ items: [] })),
  getKueueStatus: jest.fn(async () => ({
    pool: 'gpupool:default/h100-inference',
    cluster: 'gpu-us-east',
    available: false,
    reason: 'not configured',
  })),
};

describe('the simulated cluster marks', () => {
  it('mark the endpoint’s cluster and its deployment records when the demo simulates it', async () => {
    await renderWithApis(<EndpointDeploymentsContent />, {
      entity: endpointEntity,
      api,
      config: simulated,
    });
    const running = await screen.findByRole('table', { name: 'Running' });
    expect(within(running).getByText('Simulated cluster')).toBeInTheDocument();
    const history = await screen.findByRole('table', {
      name: 'Deployment history',
    });
    expect(
      within(history).getByText('Simulated cluster').closest('[title]'),
    ).toHaveAttribute(
      'title',
      expect.stringContaining('fake Kubernetes API server'),
    );
  });

  it('mark the GPU pool’s cluster', async () => {
    await renderWithApis(<GpuPoolCapacityCard />, {
      entity: poolEntity,
      api,
      config: simulated,
    });
    const details = await screen.findByRole('table', { name: 'Pool details' });
    expect(within(details).getByText('Simulated cluster')).toBeInTheDocument();
  });

  it('stay away from real clusters', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api,
      config: { aiPlatform: { demo: { simulatedClusters: ['gpu-eu-west'] } } },
    });
    await screen.findByRole('table', { name: 'Running' });
    expect(screen.queryByText('Simulated cluster')).not.toBeInTheDocument();
    await renderWithApis(<SimulatedClustersNote />);
    expect(screen.queryByText(/are simulated/)).not.toBeInTheDocument();
  });

  it('say on pages that sum cluster data which clusters and metrics are simulated', async () => {
    await renderWithApis(<SimulatedClustersNote />, { config: simulated });
    expect(
      screen.getByText(
        /clusters gpu-us-east, gpu-eu-west are simulated .* and so are their serving metrics/,
      ),
    ).toBeInTheDocument();
  });
});

import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  deploymentRecord,
  endpointEntity,
  liveStatus,
  renderWithApis,
} from '../../__testUtils__';
import { EndpointDeploymentsContent } from './EndpointDeploymentsContent';

describe('EndpointDeploymentsContent', () => {
  it('lists every revision with who, when, which version and the outcome', async () => {
    const page = Array.from({ length: 20 }, (_, i) =>
      deploymentRecord(25 - i, { modelVersion: i % 2 ? 'v1' : 'v2' }),
    );
    page[1] = deploymentRecord(24, {
      state: 'failed',
      operation: 'promote',
      modelVersion: 'v2-fp8',
      reason: 'try fp8',
      error: { check: 'gates', message: 'ifeval has no result' },
    });
    const listDeployments = jest.fn(
      async ({ before }: { before?: number } = {}) => ({
        items: before ? [deploymentRecord(5)] : page,
      }),
    );
    await renderWithApis(<EndpointDeploymentsContent />, {
      entity: endpointEntity,
      api: {
        listDeployments: listDeployments as AiPlatformApi['listDeployments'],
        getEndpointStatus: async () => liveStatus,
      },
    });
    const table = await screen.findByRole('table', {
      name: 'Deployment history',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(21);
    expect(within(rows[2]).getByText('try fp8')).toBeInTheDocument();
    expect(
      within(rows[2]).getByText('Failed at gates: ifeval has no result'),
    ).toBeInTheDocument();
    expect(within(rows[1]).getByText('alice')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() =>
      expect(listDeployments).toHaveBeenLastCalledWith({
        endpoint: 'inferenceendpoint:default/chat-assistant-prod',
        limit: 20,
        before: 6,
      }),
    );
    expect(await screen.findByRole('button', { name: 'Newer' })).toBeEnabled();
  });

  it('says when nothing was deployed, and shows errors', async () => {
    await renderWithApis(<EndpointDeploymentsContent />, {
      entity: endpointEntity,
      api: {
        listDeployments: async () => ({ items: [] }),
        getEndpointStatus: async () => {
          throw new Error(
            'inferenceendpoint:default/chat-assistant-prod is not in the catalog',
          );
        },
      },
    });
    expect(
      await screen.findByText('No deployments recorded'),
    ).toBeInTheDocument();
    expect(
      (await screen.findAllByText(/is not in the catalog/)).length,
    ).toBeGreaterThan(0);
  });
});

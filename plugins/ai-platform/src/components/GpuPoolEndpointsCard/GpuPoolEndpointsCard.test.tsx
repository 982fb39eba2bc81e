import { screen, within } from '@testing-library/react';
import {
  poolEntity,
  renderWithApis,
  unavailableCatalog,
} from '../../__testUtils__';
import { GpuPoolEndpointsCard } from './GpuPoolEndpointsCard';

describe('GpuPoolEndpointsCard', () => {
  it('lists the endpoints on the pool with model, version, team and GPUs', async () => {
    await renderWithApis(<GpuPoolEndpointsCard />, { entity: poolEntity });
    const table = await screen.findByRole('table', {
      name: 'Endpoints on this pool',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(
      within(rows[1]).getByRole('link', {
        name: /chat-assistant-prod|production/i,
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/inferenceendpoint/chat-assistant-prod',
    );
    expect(within(rows[1]).getByText('6')).toBeInTheDocument();
    expect(within(rows[2]).getByText('v2')).toBeInTheDocument();
    expect(within(rows[2]).getByText('1')).toBeInTheDocument();
  });

  it('says when no endpoint runs on the pool', async () => {
    await renderWithApis(<GpuPoolEndpointsCard />, {
      entity: { ...poolEntity, relations: [] },
    });
    expect(
      await screen.findByText('No endpoint runs on this pool'),
    ).toBeInTheDocument();
  });

  it('shows the catalog error when the endpoints cannot be read', async () => {
    await renderWithApis(<GpuPoolEndpointsCard />, {
      entity: poolEntity,
      catalog: unavailableCatalog(),
    });
    const alert = await screen.findByRole('alert');
    expect(
      within(alert).getByText(
        'Error: Request failed with 503 Service Unavailable',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByText('No endpoint runs on this pool')).toBeNull();
  });
});

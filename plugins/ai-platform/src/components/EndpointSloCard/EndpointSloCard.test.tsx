import { screen, within } from '@testing-library/react';
import {
  endpointEntity,
  renderWithApis,
  stagingEndpointEntity,
} from '../../__testUtils__';
import { EndpointSloCard } from './EndpointSloCard';

describe('EndpointSloCard', () => {
  it('shows the targets', async () => {
    await renderWithApis(<EndpointSloCard />, { entity: endpointEntity });
    const table = screen.getByRole('table', { name: 'SLO targets' });
    expect(within(table).getByText('≤ 400 ms')).toBeInTheDocument();
    expect(within(table).getByText('≤ 4,000 ms')).toBeInTheDocument();
    expect(within(table).getByText('≥ 99.9%')).toBeInTheDocument();
  });

  it('says when there are none', async () => {
    await renderWithApis(<EndpointSloCard />, {
      entity: stagingEndpointEntity,
    });
    expect(screen.getByText('No SLO targets')).toBeInTheDocument();
  });
});

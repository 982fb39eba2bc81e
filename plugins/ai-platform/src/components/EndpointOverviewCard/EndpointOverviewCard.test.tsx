import { screen, within } from '@testing-library/react';
import { ANNOTATION_RUNNING_MODEL_VERSION } from '@internal/plugin-ai-platform-common';
import {
  allEntities,
  endpointEntity,
  modelEntity,
  renderWithApis,
  unavailableCatalog,
} from '../../__testUtils__';
import { EndpointOverviewCard } from './EndpointOverviewCard';

describe('EndpointOverviewCard', () => {
  it('links model, pool and team and shows the version stage and resources', async () => {
    await renderWithApis(<EndpointOverviewCard />, { entity: endpointEntity });
    const table = screen.getByRole('table', { name: 'Endpoint details' });
    expect(await within(table).findByText('production')).toBeInTheDocument();
    expect(
      within(table).getByRole('link', {
        name: /Llama 3.1 8B Instruct|llama-3-1-8b-instruct/,
      }),
    ).toHaveAttribute('href', '/catalog/default/model/llama-3-1-8b-instruct');
    expect(
      within(table).getByRole('link', { name: /L4|l4-inference/ }),
    ).toHaveAttribute('href', '/catalog/default/gpupool/l4-inference');
    expect(
      within(table).getByRole('link', { name: /Applied ML|applied-ml/ }),
    ).toHaveAttribute('href', '/catalog/default/group/applied-ml');
    expect(within(table).getByText('gpu-us-east')).toBeInTheDocument();
    expect(
      within(table).getByText('2 × 1 GPU (autoscaling 2–6)'),
    ).toBeInTheDocument();
    expect(within(table).getByText('6 (worst case)')).toBeInTheDocument();
  });

  it('says when a promote runs another version than the YAML names', async () => {
    await renderWithApis(<EndpointOverviewCard />, {
      entity: {
        ...endpointEntity,
        metadata: {
          ...endpointEntity.metadata,
          annotations: { [ANNOTATION_RUNNING_MODEL_VERSION]: 'v2' },
        },
        spec: { ...endpointEntity.spec, cluster: 'gpu-eu-west' },
      },
    });
    expect(
      screen.getByText('v2 runs (promoted; the catalog YAML still says v1)'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'spec.cluster says gpu-eu-west; the pool runs in gpu-us-east',
      ),
    ).toBeInTheDocument();
  });

  it('shows the catalog error when the model and pool cannot be read', async () => {
    await renderWithApis(<EndpointOverviewCard />, {
      entity: endpointEntity,
      catalog: unavailableCatalog(),
    });
    const alert = await screen.findByRole('alert');
    expect(
      within(alert).getByText(
        'Error: Request failed with 503 Service Unavailable',
      ),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Endpoint details' });
    expect(
      within(table).getByRole('link', { name: /llama-3-1-8b-instruct/ }),
    ).toHaveAttribute('href', '/catalog/default/model/llama-3-1-8b-instruct');
    expect(within(table).getByText('unknown')).toBeInTheDocument();
    expect(within(table).queryByText('production')).toBeNull();
  });

  it('says when the model it serves is not in the catalog', async () => {
    await renderWithApis(<EndpointOverviewCard />, {
      entity: endpointEntity,
      entities: allEntities.filter(e => e !== modelEntity),
    });
    const table = screen.getByRole('table', { name: 'Endpoint details' });
    const modelRow = within(table)
      .getByText('Model', { selector: 'th' })
      .closest('tr')!;
    expect(
      await within(modelRow).findByText('not in the catalog'),
    ).toBeInTheDocument();
    expect(within(table).getAllByText('not in the catalog')).toHaveLength(1);
    // The pool is there: its cluster is known, the version's stage is not.
    expect(within(table).getByText('gpu-us-east')).toBeInTheDocument();
    expect(within(table).queryByText('production')).toBeNull();
  });
});

import { screen, within } from '@testing-library/react';
import { ANNOTATION_RUNNING_MODEL_VERSION } from '@internal/plugin-ai-platform-common';
import {
  allEntities,
  modelEntity,
  renderWithApis,
  unavailableCatalog,
  stagingEndpointEntity,
} from '../../__testUtils__';
import { ModelVersionsCard } from './ModelVersionsCard';

describe('ModelVersionsCard', () => {
  it('shows each version with its stage and the endpoints serving it', async () => {
    await renderWithApis(<ModelVersionsCard />, { entity: modelEntity });
    const table = screen.getByRole('table', { name: 'Model versions' });
    const [, v1, v2, fp8] = within(table).getAllByRole('row');
    expect(within(v1).getByText('production')).toBeInTheDocument();
    expect(
      await within(v1).findByRole('link', {
        name: /chat-assistant-prod|production/i,
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/inferenceendpoint/chat-assistant-prod',
    );
    expect(within(v2).getByText('staging')).toBeInTheDocument();
    expect(
      await within(v2).findByRole('link', { name: /staging/i }),
    ).toBeInTheDocument();
    expect(within(fp8).getByText('fp8')).toBeInTheDocument();
    expect(within(fp8).getByText('no endpoint')).toBeInTheDocument();
  });

  it('counts an endpoint under the version its deployment runs', async () => {
    const promoted = {
      ...stagingEndpointEntity,
      metadata: {
        ...stagingEndpointEntity.metadata,
        annotations: { [ANNOTATION_RUNNING_MODEL_VERSION]: 'v2-fp8' },
      },
    };
    await renderWithApis(<ModelVersionsCard />, {
      entity: modelEntity,
      entities: [
        ...allEntities.filter(e => e !== stagingEndpointEntity),
        promoted,
      ],
    });
    const rows = within(
      screen.getByRole('table', { name: 'Model versions' }),
    ).getAllByRole('row');
    expect(
      await within(rows[3]).findByRole('link', { name: /staging/i }),
    ).toBeInTheDocument();
    expect(within(rows[2]).getByText('no endpoint')).toBeInTheDocument();
  });

  it('shows the catalog error and no guessed endpoints when the lookup fails', async () => {
    await renderWithApis(<ModelVersionsCard />, {
      entity: modelEntity,
      catalog: unavailableCatalog(),
    });
    const alert = await screen.findByRole('alert');
    expect(
      within(alert).getByText(
        'Error: Request failed with 503 Service Unavailable',
      ),
    ).toBeInTheDocument();
    const [, ...versions] = within(
      screen.getByRole('table', { name: 'Model versions' }),
    ).getAllByRole('row');
    expect(versions).toHaveLength(3);
    for (const row of versions) {
      expect(within(row).getByText('unknown')).toBeInTheDocument();
      expect(within(row).queryByText('no endpoint')).toBeNull();
      expect(within(row).queryByRole('link')).toBeNull();
    }
  });

  it('says "no endpoint" for every version when no endpoint serves the model', async () => {
    await renderWithApis(<ModelVersionsCard />, {
      entity: { ...modelEntity, relations: [] },
    });
    expect(await screen.findAllByText('no endpoint')).toHaveLength(3);
    const [, ...versions] = within(
      screen.getByRole('table', { name: 'Model versions' }),
    ).getAllByRole('row');
    expect(versions.map(row => row.textContent)).toEqual([
      expect.stringMatching(/^v1production.*no endpoint$/),
      expect.stringMatching(/^v2staging.*no endpoint$/),
      expect.stringMatching(/^v2-fp8development.*no endpoint$/),
    ]);
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.queryByLabelText('Loading endpoints')).toBeNull();
  });
});

import { screen, within } from '@testing-library/react';
import {
  derivedModelEntity,
  endpointEntity,
  modelEntity,
  renderWithApis,
  unavailableCatalog,
} from '../../__testUtils__';
import { ModelDetailsCard } from './ModelDetailsCard';

describe('ModelDetailsCard', () => {
  it('shows license, size and the models derived from it', async () => {
    await renderWithApis(<ModelDetailsCard />, { entity: modelEntity });
    const table = screen.getByRole('table', { name: 'Model details' });
    expect(within(table).getByText('llama3.1')).toBeInTheDocument();
    expect(within(table).getByText('8.03B')).toBeInTheDocument();
    expect(within(table).getByText('131,072 tokens')).toBeInTheDocument();
    expect(within(table).getByText('none (a base model)')).toBeInTheDocument();
    expect(
      await within(table).findByRole('link', { name: /support-assistant-8b/ }),
    ).toHaveAttribute('href', '/catalog/default/model/support-assistant-8b');
  });

  it('links the base model of a derived model', async () => {
    await renderWithApis(<ModelDetailsCard />, { entity: derivedModelEntity });
    expect(
      await screen.findByRole('link', { name: /llama-3-1-8b-instruct|Llama/ }),
    ).toHaveAttribute('href', '/catalog/default/model/llama-3-1-8b-instruct');
    expect(screen.getByText('not stated')).toBeInTheDocument();
  });

  it('says "not stated" and "none" for a model with no facts and no lineage', async () => {
    await renderWithApis(<ModelDetailsCard />, {
      entity: {
        ...modelEntity,
        spec: {
          type: 'llm',
          owner: 'group:default/ml-platform',
          lifecycle: 'experimental',
          versions: [{ name: 'v1', stage: 'development' }],
        },
        relations: [],
      },
    });
    const table = screen.getByRole('table', { name: 'Model details' });
    const rows = within(table)
      .getAllByRole('row')
      .map(row =>
        within(row)
          .getAllByRole('cell')
          .map(c => c.textContent),
      );
    expect(rows).toEqual([
      ['Type', 'llm'],
      ['License', 'not stated'],
      ['Base model', 'none (a base model)'],
      ['Derived models', 'none'],
    ]);
    expect(within(table).queryByRole('link')).toBeNull();
  });

  it('shows the facts and lineage from the entity when the catalog cannot be read', async () => {
    await renderWithApis(<ModelDetailsCard />, {
      entity: modelEntity,
      catalog: unavailableCatalog(),
    });
    const table = screen.getByRole('table', { name: 'Model details' });
    expect(within(table).getByText('llama3.1')).toBeInTheDocument();
    expect(
      await within(table).findByRole('link', { name: /support-assistant-8b/ }),
    ).toHaveAttribute('href', '/catalog/default/model/support-assistant-8b');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says it shows Model entities only on another kind of entity', async () => {
    await renderWithApis(<ModelDetailsCard />, { entity: endpointEntity });
    expect(
      screen.getByText('This card shows Model entities only.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
  });
});

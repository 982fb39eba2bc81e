import { screen, within } from '@testing-library/react';
import {
  derivedModelEntity,
  modelEntity,
  renderWithApis,
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
});

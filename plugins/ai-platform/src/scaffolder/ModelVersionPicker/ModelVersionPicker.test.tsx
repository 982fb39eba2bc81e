import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { allEntities, fieldProps } from '../../__testUtils__';
import type { Entity } from '@backstage/catalog-model';
import { ModelVersionPicker } from './ModelVersionPicker';

function renderPicker(
  options: {
    formData?: string;
    model?: string;
    modelField?: string;
    entities?: Entity[];
  } = {},
) {
  const props = fieldProps<string, { modelField?: string }>({
    id: 'root_modelVersion',
    title: 'Model version',
    description: 'One of its versions',
    formData: options.formData,
    form: { [options.modelField ?? 'model']: options.model },
    uiOptions: options.modelField
      ? { modelField: options.modelField }
      : undefined,
  });
  return {
    onChange: props.onChange,
    rendered: renderInTestApp(<ModelVersionPicker {...props} />, {
      apis: [catalogApiMock({ entities: options.entities ?? allEntities })],
    }),
  };
}

describe('ModelVersionPicker', () => {
  it('asks for a model first', async () => {
    await renderPicker().rendered;
    expect(screen.getByText('Choose a model first')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /model version/i }),
    ).toHaveAttribute('aria-disabled', 'true');
  });

  it("lists the chosen model's versions with their stage, and picks one", async () => {
    const { onChange, rendered } = renderPicker({
      model: 'model:default/llama-3-1-8b-instruct',
      modelField: 'chosenModel',
    });
    await rendered;
    const select = screen.getByRole('button', { name: /model version/i });
    await waitFor(() =>
      expect(select).not.toHaveAttribute('aria-disabled', 'true'),
    );
    fireEvent.mouseDown(select);
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual([
      'v1 (production, bfloat16)',
      'v2 (staging, bfloat16)',
      'v2-fp8 (development, fp8)',
    ]);
    fireEvent.click(within(listbox).getByText('v2 (staging, bfloat16)'));
    expect(onChange).toHaveBeenCalledWith('v2');
  });

  it('does not offer archived versions, and marks deprecated ones', async () => {
    const model = allEntities.find(
      e => e.metadata.name === 'llama-3-1-8b-instruct',
    )!;
    const retiring: Entity = {
      ...model,
      spec: {
        ...model.spec,
        versions: [
          { name: 'v0', stage: 'archived', dtype: 'bfloat16' },
          { name: 'v1', stage: 'deprecated', dtype: 'bfloat16' },
          { name: 'v2', stage: 'production', dtype: 'bfloat16' },
        ],
      },
    };
    const { rendered } = renderPicker({
      model: 'model:default/llama-3-1-8b-instruct',
      entities: [retiring],
    });
    await rendered;
    const select = screen.getByRole('button', { name: /model version/i });
    await waitFor(() =>
      expect(select).not.toHaveAttribute('aria-disabled', 'true'),
    );
    fireEvent.mouseDown(select);
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual([
      "v1 (deprecated, bfloat16): deprecated, deploys only on a platform admin's override",
      'v2 (production, bfloat16)',
    ]);
  });

  it('says when the model is not in the catalog', async () => {
    await renderPicker({ model: 'model:default/nope' }).rendered;
    expect(
      await screen.findByText('model:default/nope is not in the catalog'),
    ).toBeInTheDocument();
  });

  it('clears a version that the newly chosen model does not have', async () => {
    const { onChange, rendered } = renderPicker({
      model: 'model:default/llama-3-1-8b-instruct',
      formData: 'v0.3',
    });
    await rendered;
    await waitFor(() => expect(onChange).toHaveBeenCalledWith(undefined));
  });
});

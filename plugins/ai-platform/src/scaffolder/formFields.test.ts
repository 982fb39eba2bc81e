import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import type {
  ExtensionDataRef,
  ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import {
  type FormField,
  FormFieldBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';
import { estimateGpuSizing } from '@internal/plugin-ai-platform-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { type ComponentType, createElement } from 'react';
import { allEntities, fieldProps } from '../__testUtils__';
import {
  aiPlatformFormFields,
  gpuSizingPreviewFormField,
  modelVersionPickerFormField,
  publishTargetPickerFormField,
} from './formFields';

/**
 * What the scaffolder reads of a loaded form field: `createFormField` keeps
 * the name (the `ui:field` a template uses), the component and the
 * validation in an opaque object of type `@backstage/scaffolder/FormField`,
 * version v1.
 */
type LoadedFormField = {
  name: string;
  component: ComponentType<FieldExtensionComponentProps<any, any>>;
  validation?: CustomFieldValidator<any, any>;
};

/** A FormFieldBlueprint extension, whatever its name. */
type FormFieldExtension = ExtensionDefinition<{
  kind: 'scaffolder-form-field';
  name: string;
  config: {};
  configInput: {};
  output: ExtensionDataRef<
    () => Promise<FormField>,
    'scaffolder.form-field-loader',
    {}
  >;
  inputs: {};
  params: { field: () => Promise<FormField> };
}>;

/** Runs the extension's loader as the scaffolder's form-fields API does. */
async function loadField(
  extension: FormFieldExtension,
): Promise<LoadedFormField> {
  const loader = createExtensionTester(extension).get(
    FormFieldBlueprint.dataRefs.formFieldLoader,
  );
  const field = await loader();
  expect(field).toMatchObject({
    $$type: '@backstage/scaffolder/FormField',
    version: 'v1',
  });
  return field as unknown as LoadedFormField;
}

describe('the scaffolder form field extensions', () => {
  it('register the three fields that templates/vllm-service names in ui:field', async () => {
    const fields = await Promise.all(aiPlatformFormFields.map(loadField));
    expect(fields.map(f => f.name).sort()).toEqual([
      'GpuSizingPreview',
      'ModelVersionPicker',
      'PublishTargetPicker',
    ]);
  });

  it("ModelVersionPicker lists the versions of the form's model", async () => {
    const field = await loadField(modelVersionPickerFormField);
    expect(field.name).toBe('ModelVersionPicker');

    await renderInTestApp(
      createElement(
        field.component,
        fieldProps({
          id: 'root_modelVersion',
          title: 'Model version',
          form: { model: 'model:default/llama-3-1-8b-instruct' },
        }),
      ),
      { apis: [catalogApiMock({ entities: allEntities })] },
    );

    const select = screen.getByRole('button', { name: /Model version/ });
    // Enabled once the model's versions are read from the catalog.
    await waitFor(() =>
      expect(select).not.toHaveAttribute('aria-disabled', 'true'),
    );
    fireEvent.mouseDown(select);
    expect(
      within(await screen.findByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual([
      'v1 (production, bfloat16)',
      'v2 (staging, bfloat16)',
      'v2-fp8 (development, fp8)',
    ]);
  });

  it('GpuSizingPreview sizes the chosen model on the chosen pool, and refuses a sizing that does not fit', async () => {
    const field = await loadField(gpuSizingPreviewFormField);
    expect(field.name).toBe('GpuSizingPreview');
    const sizing = estimateGpuSizing({
      parametersBillions: 8.03,
      architecture: { layers: 32, kvHeads: 8, headDim: 128 },
      maxModelLen: 8192,
      gpuMemoryGiB: 24,
      gpusPerNode: 4,
    });
    const fetch = jest.fn(
      async (_url: RequestInfo | URL, _init?: RequestInit) =>
        new Response(JSON.stringify({ sizing }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const props = fieldProps({
      id: 'root_sizing',
      title: 'GPU sizing',
      form: {
        model: 'model:default/llama-3-1-8b-instruct',
        modelVersion: 'v2',
        gpuPool: 'gpupool:default/l4-inference',
      },
    });

    await renderInTestApp(createElement(field.component, props), {
      apis: [
        [
          discoveryApiRef,
          { getBaseUrl: async (id: string) => `http://backend/api/${id}` },
        ],
        [fetchApiRef, { fetch }],
      ],
    });

    expect(
      screen.getByRole('heading', { name: 'GPU sizing' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Fits')).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/ai-platform/sizing',
      expect.objectContaining({ method: 'POST' }),
    );
    await waitFor(() =>
      expect(props.onChange).toHaveBeenLastCalledWith(
        expect.objectContaining({ fits: true }),
      ),
    );

    // The field comes with its validation.
    const validation = { addError: jest.fn() };
    await field.validation!(
      { fits: false, explanation: 'It does not fit: 4 GPUs give 86.4 GiB.' },
      validation as any,
      {} as any,
    );
    expect(validation.addError).toHaveBeenCalledWith(
      'The model does not fit on this pool: It does not fit: 4 GPUs give 86.4 GiB.',
    );
  });

  it('PublishTargetPicker takes the local folder where no GitHub integration is configured', async () => {
    const field = await loadField(publishTargetPickerFormField);
    expect(field.name).toBe('PublishTargetPicker');
    const props = fieldProps({
      id: 'root_publishTo',
      title: 'Publish to',
    });

    await renderInTestApp(createElement(field.component, props), {
      config: {},
    });

    expect(screen.getByRole('button', { name: /Publish to/ })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    await waitFor(() => expect(props.onChange).toHaveBeenCalledWith('local'));
  });
});

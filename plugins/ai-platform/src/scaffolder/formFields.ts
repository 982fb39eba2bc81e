import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/** `ui:field: ModelVersionPicker`: the versions of the Model chosen in the form. */
export const modelVersionPickerFormField = FormFieldBlueprint.make({
  name: 'model-version-picker',
  params: {
    field: () =>
      import('./ModelVersionPicker/ModelVersionPickerFormField').then(
        m => m.ModelVersionPickerFormField,
      ),
  },
});

/** `ui:field: GpuSizingPreview`: the GPU sizing of the chosen model version on the chosen pool. */
export const gpuSizingPreviewFormField = FormFieldBlueprint.make({
  name: 'gpu-sizing-preview',
  params: {
    field: () =>
      import('./GpuSizingPreview/GpuSizingPreviewFormField').then(
        m => m.GpuSizingPreviewFormField,
      ),
  },
});

/** `ui:field: PublishTargetPicker`: GitHub where the portal has an integration, else the local folder. */
export const publishTargetPickerFormField = FormFieldBlueprint.make({
  name: 'publish-target-picker',
  params: {
    field: () =>
      import('./PublishTargetPicker/PublishTargetPickerFormField').then(
        m => m.PublishTargetPickerFormField,
      ),
  },
});

/** The template's fields, for an app's `scaffolder` module or the plugin's extensions. */
export const aiPlatformFormFields = [
  modelVersionPickerFormField,
  gpuSizingPreviewFormField,
  publishTargetPickerFormField,
];

import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import {
  gpuSizingPreviewFormField,
  modelVersionPickerFormField,
} from './formFields';

describe('the scaffolder form field extensions', () => {
  it.each([
    ['ModelVersionPicker', modelVersionPickerFormField],
    ['GpuSizingPreview', gpuSizingPreviewFormField],
  ])('%s attaches to the scaffolder and loads its field', async (name, ext) => {
    expect(ext.attachTo).toEqual({
      id: 'api:scaffolder/form-fields',
      input: 'formFields',
    });
    const load = createExtensionTester(ext).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    const field = (await load()) as unknown as { name?: string };
    expect(JSON.stringify(field)).toContain(name);
  });
});

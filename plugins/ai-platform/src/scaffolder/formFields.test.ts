import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import {
  gpuSizingPreviewFormField,
  modelVersionPickerFormField,
  publishTargetPickerFormField,
} from './formFields';

describe('the scaffolder form field extensions', () => {
  it('ModelVersionPicker loads its field', async () => {
    const load = createExtensionTester(modelVersionPickerFormField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    expect(JSON.stringify(await load())).toContain('ModelVersionPicker');
  });

  it('GpuSizingPreview loads its field', async () => {
    const load = createExtensionTester(gpuSizingPreviewFormField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    expect(JSON.stringify(await load())).toContain('GpuSizingPreview');
  });

  it('PublishTargetPicker loads its field', async () => {
    const load = createExtensionTester(publishTargetPickerFormField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    expect(JSON.stringify(await load())).toContain('PublishTargetPicker');
  });
});

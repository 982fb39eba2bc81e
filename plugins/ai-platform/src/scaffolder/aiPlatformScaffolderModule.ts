import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { aiPlatformFormFields } from './formFields';

/**
 * The vllm-service template's form fields for the scaffolder:
 * `ui:field: ModelVersionPicker`, `ui:field: GpuSizingPreview` and
 * `ui:field: PublishTargetPicker`. Add it to
 * the app's features beside the ai-platform plugin.
 */
export const aiPlatformScaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: aiPlatformFormFields,
});

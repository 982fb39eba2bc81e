import { createFrontendModule } from '@backstage/frontend-plugin-api';
// The ai-platform plugin exports these from src/scaffolder; until its alpha
// entry point re-exports them, the app reaches them by path.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { aiPlatformFormFields } from '../../../../plugins/ai-platform/src/scaffolder';

/**
 * The vllm-service template's form fields in the scaffolder:
 * `ui:field: ModelVersionPicker` and `ui:field: GpuSizingPreview`.
 */
export const aiPlatformScaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: aiPlatformFormFields,
});

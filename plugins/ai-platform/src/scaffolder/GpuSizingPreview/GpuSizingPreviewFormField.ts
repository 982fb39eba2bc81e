import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  GpuSizingPreview,
  type GpuSizingPreviewValue,
} from './GpuSizingPreview';

/** The value and `ui:options` of the GpuSizingPreview field. */
export const GpuSizingPreviewFieldSchema = makeFieldSchema({
  output: z =>
    z
      .object({
        fits: z.boolean(),
        tensorParallelSize: z.number().optional(),
        perGpuGiB: z.string().optional(),
        explanation: z.string(),
      })
      .describe('The sizing of the chosen model version on the chosen pool'),
  uiOptions: z =>
    z.object({
      modelField: z.string().optional().describe('Default model'),
      versionField: z.string().optional().describe('Default modelVersion'),
      poolField: z.string().optional().describe('Default gpuPool'),
      maxModelLenField: z.string().optional().describe('Default maxModelLen'),
      concurrentSequencesField: z
        .string()
        .optional()
        .describe('Full-length sequences that must fit at once; default none'),
    }),
});

/** Refuses a sizing that does not fit, with the reason. */
export function gpuSizingValidation(
  value: GpuSizingPreviewValue | undefined,
  validation: { addError: (message: string) => void },
) {
  if (value && value.fits === false) {
    validation.addError(
      `The model does not fit on this pool: ${
        value.explanation
          .split('. ')
          .filter(s => s.startsWith('It does not fit'))
          .join('. ') || value.explanation
      }`,
    );
  }
}

/** The GpuSizingPreview as a scaffolder form field (`ui:field: GpuSizingPreview`). */
export const GpuSizingPreviewFormField = createFormField({
  name: 'GpuSizingPreview',
  component: GpuSizingPreview,
  schema: GpuSizingPreviewFieldSchema,
  validation: gpuSizingValidation,
});

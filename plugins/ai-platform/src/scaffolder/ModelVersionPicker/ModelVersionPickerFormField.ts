import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { ModelVersionPicker } from './ModelVersionPicker';

/** The value and `ui:options` of the ModelVersionPicker field. */
export const ModelVersionPickerFieldSchema = makeFieldSchema({
  output: z => z.string().describe("The name of one of the model's versions"),
  uiOptions: z =>
    z.object({
      modelField: z
        .string()
        .optional()
        .describe(
          'The form field that holds the Model entity ref (default model)',
        ),
    }),
});

/** The ModelVersionPicker as a scaffolder form field (`ui:field: ModelVersionPicker`). */
export const ModelVersionPickerFormField = createFormField({
  name: 'ModelVersionPicker',
  component: ModelVersionPicker,
  schema: ModelVersionPickerFieldSchema,
});

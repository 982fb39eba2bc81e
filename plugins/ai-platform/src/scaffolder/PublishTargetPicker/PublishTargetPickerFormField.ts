import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { PublishTargetPicker } from './PublishTargetPicker';

/** The value of the PublishTargetPicker field. */
export const PublishTargetPickerFieldSchema = makeFieldSchema({
  output: z =>
    z
      .enum(['local', 'github'])
      .describe("Where to publish: GitHub or the portal's local folder"),
});

/** The PublishTargetPicker as a scaffolder form field (`ui:field: PublishTargetPicker`). */
export const PublishTargetPickerFormField = createFormField({
  name: 'PublishTargetPicker',
  component: PublishTargetPicker,
  schema: PublishTargetPickerFieldSchema,
});

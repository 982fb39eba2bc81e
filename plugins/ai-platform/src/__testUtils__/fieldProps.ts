import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';

/**
 * The props the scaffolder hands a form field, for rendering one of ours
 * alone: the field's value, the other fields' values (`formContext`), its
 * `ui:options`, title and id, and an `onChange` mock.
 */
export function fieldProps<T, O extends {} = {}>(options: {
  id: string;
  title: string;
  description?: string;
  formData?: T;
  form?: Record<string, unknown>;
  uiOptions?: O;
}): FieldExtensionComponentProps<T, O> & { onChange: jest.Mock } {
  return {
    formData: options.formData,
    onChange: jest.fn(),
    uiSchema: options.uiOptions ? { 'ui:options': options.uiOptions } : {},
    formContext: { formData: options.form ?? {} },
    schema: { title: options.title, description: options.description },
    idSchema: { $id: options.id },
    rawErrors: [],
    required: true,
    disabled: false,
  } as unknown as FieldExtensionComponentProps<T, O> & { onChange: jest.Mock };
}

export {
  ModelVersionPicker,
  describeVersion,
  type ModelVersionPickerUiOptions,
} from './ModelVersionPicker';
export { ModelVersionPickerFormField } from './ModelVersionPickerFormField';

export {
  aiPlatformFormFields,
  gpuSizingPreviewFormField,
  modelVersionPickerFormField,
  publishTargetPickerFormField,
} from './formFields';
export * from './GpuSizingPreview';
export * from './ModelVersionPicker';
export * from './PublishTargetPicker';
export * from './aiPlatformScaffolderModule';

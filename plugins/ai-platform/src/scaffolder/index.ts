export {
  aiPlatformFormFields,
  gpuSizingPreviewFormField,
  modelVersionPickerFormField,
} from './formFields';
export * from './GpuSizingPreview';
export * from './ModelVersionPicker';
export * from './aiPlatformScaffolderModule';

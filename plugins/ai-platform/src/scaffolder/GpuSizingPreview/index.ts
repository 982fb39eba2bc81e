export {
  GpuSizingPreview,
  SizingSummary,
  sizingRequestOf,
  valueOf,
  type GpuSizingPreviewUiOptions,
  type GpuSizingPreviewValue,
} from './GpuSizingPreview';
export {
  GpuSizingPreviewFormField,
  gpuSizingValidation,
} from './GpuSizingPreviewFormField';

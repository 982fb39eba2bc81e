export * from './ModelEntityV1alpha1';
export * from './InferenceEndpointEntityV1alpha1';
export * from './GpuPoolEntityV1alpha1';
export * from './guards';
export {
  EntityValidationError,
  type AiPlatformKindValidator,
  type EntityProblem,
  type EntityRule,
} from './validation';

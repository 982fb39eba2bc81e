export * from './ModelEntityV1alpha1';
export * from './InferenceEndpointEntityV1alpha1';
export * from './GpuPoolEntityV1alpha1';
export * from './guards';
export * from './relationFields';
export * from './catalogModelSchemas';
export {
  EntityValidationError,
  patternErrorMessage,
  type AiPlatformKindValidator,
  type EntityProblem,
  type EntityRule,
} from './validation';

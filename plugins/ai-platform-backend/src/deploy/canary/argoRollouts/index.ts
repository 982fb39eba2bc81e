export { createArgoRolloutsEngine } from './createArgoRolloutsEngine';
export {
  argoRenderMode,
  ARGO_MAX_SURGE,
  PENDING_WORKLOAD_ANNOTATION,
  renderArgoCanary,
} from './renderArgoCanary';
export { argoSteps, portalStepOf } from './argoSteps';
export { analysisTemplateName, canaryPodSelector } from './analysisTemplate';

/**
 * Test-only: a fake Kubernetes API server on 127.0.0.1 that behaves like the
 * real one where our code depends on it (discovery, server-side apply with
 * field ownership, list and watch, a simulated Deployment rollout on fake
 * Nodes, fault injection, request recording).
 *
 * @packageDocumentation
 */
export {
  FakeKubeApiServer,
  startFakeKubeApiServer,
  type FakeKubeApiServerOptions,
  type ObjectFilter,
  type ObjectRef,
} from './FakeKubeApiServer';
export type { ImageBehaviour, PodCounts } from './DeploymentController';
export type {
  FakeNodeSpec,
  FaultKind,
  FaultSpec,
  ImageMatcher,
  JsonObject,
  JsonValue,
  KubeObject,
  KubeObjectMetadata,
  ManagedFieldsEntry,
  OptionalGroup,
  RecordedRequest,
} from './types';
export {
  RbacRules,
  requestAttributes,
  requiredVerbs,
  type RequestAttributes,
} from './rbac';
export {
  kueueClusterQueue,
  kueueGroup,
  kueueLocalQueue,
  kueueResourceFlavor,
  type FakeClusterQueue,
  type FakeKueueFlavorUsage,
  type FakeLocalQueue,
  type FakeResourceFlavor,
  type KueueVersion,
} from './kueue';
export {
  KSERVE_PRESET_IMAGE,
  llmWorkloadLabels,
  type LLMInferenceServiceFault,
} from './LLMInferenceServiceController';
export type { AnalysisFault } from './rollouts/analysis';
export { readStateFile, STATE_FILE_FORMAT } from './persistence';
export {
  readConfigFiles,
  readSimulationConfig,
  simulationFromConfig,
  type SimulatedCluster,
  type SimulatedMetrics,
  type SimulationConfig,
} from './demo/config';
export {
  LABEL_SIMULATED_NODE,
  readExampleEntities,
  simulatedClusterSpec,
  type SimulatedClusterSpec,
} from './demo/examples';
export {
  startSimulatedClusters,
  type SimulatedClusters,
} from './demo/startSimulatedClusters';

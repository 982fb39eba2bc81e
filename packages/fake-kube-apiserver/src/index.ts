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

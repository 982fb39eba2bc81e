/** The apiVersion of every ai-platform entity kind. */
export const AI_PLATFORM_API_VERSION = 'ai-platform.io/v1alpha1';

/**
 * Relation types emitted by the ai-platform catalog processor, in both
 * directions. `ownedBy`/`ownerOf`, `partOf`/`hasPart` and
 * `dependsOn`/`dependencyOf` are Backstage's own and come from
 * `@backstage/catalog-model`.
 */
/** A Model is served by an InferenceEndpoint. */
export const RELATION_SERVED_BY = 'servedBy';
/** An InferenceEndpoint serves a Model. */
export const RELATION_SERVES = 'serves';
/** An InferenceEndpoint runs on a GpuPool. */
export const RELATION_RUNS_ON = 'runsOn';
/** A GpuPool hosts an InferenceEndpoint. */
export const RELATION_HOSTS = 'hosts';
/** A Model is derived from (fine-tuned from) a base Model. */
export const RELATION_DERIVED_FROM = 'derivedFrom';
/** A base Model is the base of a derived Model. */
export const RELATION_BASE_OF = 'baseOf';

/**
 * Annotation on InferenceEndpoints so that Backstage's Kubernetes plugin finds
 * the workload (same key as `@backstage/plugin-kubernetes-common`).
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
/** Written by the deploy service's records: the deployed revision. Never by hand. */
export const ANNOTATION_DEPLOYED_REVISION = 'ai-platform.io/deployed-revision';
/** Written by the deploy service's records: the model version that runs. Never by hand. */
export const ANNOTATION_RUNNING_MODEL_VERSION =
  'ai-platform.io/running-model-version';
/** Marks a GpuPool entity that was discovered from a cluster, not written in YAML. */
export const ANNOTATION_DISCOVERED_FROM = 'ai-platform.io/discovered-from';

/** Default extended resource name of a GPU pool. */
export const DEFAULT_GPU_RESOURCE_NAME = 'nvidia.com/gpu';

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

/**
 * `backstage.io/managed-by-location` (and origin) of a discovered GpuPool:
 * `ai-platform-discovery:<cluster>`.
 */
export const DISCOVERY_LOCATION_PREFIX = 'ai-platform-discovery:';
/**
 * Label on discovered GpuPools (`"true"`), so that catalog filters can tell
 * them from pools written in YAML.
 */
export const LABEL_DISCOVERED = 'ai-platform.io/discovered';
/**
 * Discovered GPU figures of a pool, as decimal strings: the nodes' capacity
 * and allocatable of the pool's resource, and what non-terminated pods on
 * those nodes request (allocated). On a discovered pool, and beside a YAML
 * pool of the same name, where the discovered pool does not replace it.
 */
export const ANNOTATION_DISCOVERED_CAPACITY =
  'ai-platform.io/discovered-capacity';
/** See {@link ANNOTATION_DISCOVERED_CAPACITY}. */
export const ANNOTATION_DISCOVERED_ALLOCATABLE =
  'ai-platform.io/discovered-allocatable';
/** See {@link ANNOTATION_DISCOVERED_CAPACITY}. */
export const ANNOTATION_DISCOVERED_ALLOCATED =
  'ai-platform.io/discovered-allocated';
/** Number of nodes a discovered pool spans. */
export const ANNOTATION_DISCOVERED_NODES = 'ai-platform.io/discovered-nodes';
/**
 * On a discovered pool whose cluster failed the latest discovery: the reason.
 * The pool keeps the figures of the last successful discovery.
 */
export const ANNOTATION_DISCOVERY_ERROR = 'ai-platform.io/discovery-error';
/**
 * The deploy targets the pool's cluster serves, as discovery found them,
 * comma-separated: `deployment` (always) and `llm-inference-service` when
 * the cluster serves KServe's LLMInferenceService CRD (serving.kserve.io).
 * On discovered pools and beside YAML pools of the same name.
 */
export const ANNOTATION_DISCOVERED_DEPLOY_TARGETS =
  'ai-platform.io/discovered-deploy-targets';
/**
 * The serving.kserve.io versions the pool's cluster serves (preferred first,
 * comma-separated), when it serves KServe's LLMInferenceService.
 */
export const ANNOTATION_DISCOVERED_LLM_INFERENCE_SERVICE_VERSIONS =
  'ai-platform.io/discovered-llm-inference-service-versions';

/**
 * On every Kubernetes object the portal applies: the entity ref of the
 * InferenceEndpoint it belongs to (`inferenceendpoint:<namespace>/<name>`).
 * The deploy path refuses to apply over an object that names another
 * endpoint. An annotation, since label values cannot hold `:` or `/`.
 */
export const ANNOTATION_OBJECT_ENDPOINT = 'ai-platform.io/endpoint';
/** On every Kubernetes object the portal applies: the endpoint's owner (a Group entity ref). */
export const ANNOTATION_OBJECT_OWNER = 'ai-platform.io/owner';
/**
 * On a Namespace in the cluster: the Group entity refs (comma-separated)
 * whose endpoints may deploy into it.
 */
export const ANNOTATION_NAMESPACE_OWNERS = 'ai-platform.io/owners';

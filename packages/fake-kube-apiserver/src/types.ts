/** Any JSON value. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** One entry of `metadata.managedFields`, as the real server returns it. */
export type ManagedFieldsEntry = {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
};

/** The metadata the fake reads and sets. Other keys are kept as given. */
export type KubeObjectMetadata = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
};

/** A Kubernetes object as the fake stores it. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMetadata;
  [key: string]: unknown;
};

/** One request the fake received, recorded in `server.requests`. */
export type RecordedRequest = {
  method: string;
  /** The path without the query string, e.g. `/apis/apps/v1/namespaces/a/deployments/web`. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** The body parsed as JSON when it is JSON, else the raw text; undefined when empty. */
  body?: unknown;
  /** The HTTP status answered; undefined when the fake never answered (timeout or drop fault). */
  status?: number;
  /** What a fault did to this request, if one matched. */
  fault?: FaultKind;
};

/** What an injected fault does. */
export type FaultKind = 'status' | 'timeout' | 'drop';

/** A fault to inject; see `FakeKubeApiServer.injectFault`. */
export type FaultSpec = {
  /** HTTP method to match (case-insensitive); any when absent. */
  method?: string;
  /** Path to match: a string matches the exact path or a prefix ending at `/`; a RegExp is tested against path and query. */
  path?: string | RegExp;
  /** How many matching requests it affects; default 1. `Infinity` for every one. */
  times?: number;
} & (
  | {
      kind: 'status';
      /** HTTP status code to answer, e.g. 500, 503, 409, 429. */
      code: number;
      message?: string;
      reason?: string;
      /** Seconds for a `Retry-After` header (429/503). */
      retryAfterSeconds?: number;
    }
  | {
      kind: 'timeout';
      /** Delay the answer by this many ms and then answer normally; never answer when absent. */
      delayMs?: number;
    }
  | { kind: 'drop' }
);

/** A fake Node for the simulated scheduler. */
export type FakeNodeSpec = {
  name: string;
  labels?: Record<string, string>;
  /** e.g. `{ 'nvidia.com/gpu': '8', cpu: '64', memory: '512Gi' }`. Capacity is the same unless given. */
  allocatable?: Record<string, string>;
  capacity?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  /** Marks the node unschedulable (cordoned). */
  unschedulable?: boolean;
};

/** Which images pods fail on. */
export type ImageMatcher = string[] | ((image: string) => boolean);

/**
 * The optional API groups a test can switch on. `'kueue'` is Kueue as
 * current releases serve it (v0.20 on: only `kueue.x-k8s.io/v1beta2`);
 * `'kueue-v1beta1'` is an older install (up to v0.14: only
 * `kueue.x-k8s.io/v1beta1`). Installing both serves both versions, as
 * Kueue v0.15 to v0.19 do, with v1beta2 preferred. `'kserve'` is KServe's
 * LLMInferenceService as current releases store it
 * (`serving.kserve.io/v1alpha2`, with a simulated controller: see
 * LLMInferenceServiceController.ts); `'kserve-v1alpha1'` serves
 * `serving.kserve.io/v1alpha1` (KServe v0.16 to v0.18 serve only that;
 * v0.19 and v0.20 serve both, as installing both groups does).
 * `'argo-rollouts'` serves argoproj.io/v1alpha1 Rollout, AnalysisTemplate,
 * ClusterAnalysisTemplate and AnalysisRun (with a simulated Rollouts
 * controller); `'gateway-api'` serves gateway.networking.k8s.io/v1
 * GatewayClass, Gateway and HTTPRoute (see progressiveResources.ts).
 */
export type OptionalGroup =
  | 'kueue'
  | 'kueue-v1beta1'
  | 'keda'
  | 'prometheus-operator'
  | 'kserve'
  | 'kserve-v1alpha1'
  | 'argo-rollouts'
  | 'gateway-api';

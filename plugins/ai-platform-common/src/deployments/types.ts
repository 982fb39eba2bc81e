import type { GpuSizing } from '../sizing/estimateGpuSizing';
import type { CanaryPlan, CanaryRequest } from './canary';

/*
 * The deployment API's shapes, shared by the backend (which records them),
 * the -node client (scaffolder actions) and the -react client (pages).
 */

/**
 * What a deployment call asked for. `auto-rollback` is the portal's own: the
 * re-apply of the last succeeded revision after a failed rollout of an
 * endpoint with `spec.rollout.autoRollback`.
 */
export type DeploymentOperation =
  | 'deploy'
  | 'promote'
  | 'rollback'
  | 'auto-rollback';

/**
 * Where a deployment record is. `pending`, `checking`, `applying` and
 * `rolling-out` are in progress; the others are final.
 * - `succeeded`: applied and the rollout finished.
 * - `unchanged`: the cluster already ran exactly this; nothing was applied.
 * - `dry-run`: checked and rendered, the cluster validated the objects
 *   (`dryRun=All`), nothing was reserved or applied.
 * - `check-only`: the pool's cluster is not configured or not reachable, so
 *   the checks ran and the objects were rendered, but nothing was applied.
 * - `failed`: a check, the apply or the rollout failed (see `error`).
 * - `canary` (in progress, not final): a canary promote was applied and its
 *   canary runs step by step (see `GET /endpoints/{namespace}/{name}/canary`);
 *   the record ends `succeeded` when the canary completes, `failed` when it
 *   is aborted or fails. The interrupted-deployment sweep leaves it alone:
 *   the scheduled canary driver, not a request, carries it on.
 */
export type DeploymentState =
  | 'pending'
  | 'checking'
  | 'applying'
  | 'rolling-out'
  | 'canary'
  | 'succeeded'
  | 'unchanged'
  | 'dry-run'
  | 'check-only'
  | 'failed';

/** The final states of a deployment record. */
export const FINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = [
  'succeeded',
  'unchanged',
  'dry-run',
  'check-only',
  'failed',
];

/** True when a record will not change any more. */
export function isFinalDeploymentState(state: DeploymentState): boolean {
  return FINAL_DEPLOYMENT_STATES.includes(state);
}

/** The checks of a deployment, in the order they run. */
export type DeploymentCheckName =
  | 'permission'
  | 'identity'
  | 'namespace'
  | 'target'
  | 'ownership'
  | 'lifecycle'
  | 'sizing'
  | 'gates'
  | 'quota'
  | 'apply'
  | 'rollout';

/** The order in which the deployment service runs its checks. */
export const DEPLOYMENT_CHECK_ORDER: readonly DeploymentCheckName[] = [
  'permission',
  'identity',
  'namespace',
  'target',
  'ownership',
  'lifecycle',
  'sizing',
  'gates',
  'quota',
  'apply',
  'rollout',
];

export type DeploymentCheckStatus =
  | 'passed'
  | 'failed'
  | 'overridden'
  | 'skipped';

/** One check's outcome, with the numbers behind it in `details`. */
export type DeploymentCheck = {
  name: DeploymentCheckName;
  status: DeploymentCheckStatus;
  message: string;
  details?: Record<string, unknown>;
};

/** A progress line of a deployment, in time order. */
export type DeploymentEvent = {
  at: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** The Kubernetes object the line is about, as `Kind/name`. */
  object?: string;
};

/** What server-side apply did (or would do, on a dry run) to one object. */
export type AppliedObjectAction = 'created' | 'configured' | 'unchanged';

/** One rendered Kubernetes object of a deployment. */
export type DeploymentObject = {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Unknown until the cluster answered (check-only records never know). */
  action?: AppliedObjectAction;
  /** On a dry run of an existing object: the fields that would change, e.g. `spec.template.spec.containers[0].args`. */
  changes?: string[];
  /** The object's resourceVersion after the apply. */
  resourceVersion?: string;
  /** When our field manager last changed the object (its managedFields entry). */
  appliedAt?: string;
};

/** The error of a failed deployment: which check, which object, what the cluster said. */
export type DeploymentError = {
  check: DeploymentCheckName;
  message: string;
  /** `Kind/name` of the object that failed, for apply and rollout errors. */
  object?: string;
  /** The cluster's own answer (HTTP status and message), when it gave one. */
  cause?: string;
};

/**
 * One deployment revision of an endpoint: every call (success or failure)
 * records one, numbered per endpoint from 1.
 */
export type DeploymentRecord = {
  id: string;
  /** The InferenceEndpoint entity ref, e.g. `inferenceendpoint:default/chat-assistant-prod`. */
  endpointRef: string;
  revision: number;
  operation: DeploymentOperation;
  state: DeploymentState;
  dryRun: boolean;
  modelRef: string;
  modelVersion: string;
  poolRef: string;
  cluster: string;
  namespace: string;
  /** GPUs the endpoint reserves on the pool (gpusPerReplica x max replicas). */
  gpus: number;
  /** The user (or service) that asked. */
  requestedBy: string;
  reason?: string;
  /** For a rollback: the revision whose spec was restored. */
  restoredRevision?: number;
  /** Hash of the rendered objects: equal hashes mean an identical deployment. */
  specHash: string;
  checks: DeploymentCheck[];
  events: DeploymentEvent[];
  objects: DeploymentObject[];
  /**
   * The rendered Kubernetes objects, on dry-run and check-only records (what
   * would be applied); other records only name their objects.
   */
  manifests?: KubernetesManifest[];
  error?: DeploymentError;
  /** The team that owns the endpoint (its spec.owner), whose quota is used. */
  team: string;
  /** Sizing of the model version on the pool, when the model could be sized. */
  sizing?: GpuSizing;
  /** For a promote with `strategy: 'canary'`: what the canary does (engine, steps, reserved GPUs, real split). */
  canary?: CanaryPlan;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
};

/** Options shared by the mutating deployment calls. */
export type DeploymentCallOptions = {
  /** Render, check and let the cluster validate (`dryRun=All`); reserve and apply nothing. */
  dryRun?: boolean;
  /** Why: kept in the audit record and required to override a gate. */
  reason?: string;
  /** Deploy although an eval gate fails or has no result (needs `ai-platform.gate.override`; `reason` required). */
  overrideGates?: boolean;
  /**
   * Deploy a model version in stage `deprecated` (needs
   * `ai-platform.gate.override`; `reason` required). Stage `archived` never
   * deploys.
   */
  allowDeprecated?: boolean;
  /**
   * Apply over objects in the cluster that the portal did not create for
   * this endpoint, taking them over (needs `ai-platform.endpoint.adopt`;
   * `reason` required).
   */
  adopt?: boolean;
  /**
   * Roll out without surge capacity when the team's quota or the pool has no
   * room for it: old pods go before new ones are ready (`maxSurge: 0,
   * maxUnavailable: 1`), so a one-replica endpoint stops serving meanwhile.
   * Audited. Without it such a call is refused, saying why.
   */
  allowDowntime?: boolean;
  /**
   * A key of this call (the scaffolder sends task id and step id): the call
   * repeated with it answers the first call's record and starts nothing.
   */
  idempotencyKey?: string;
  /** Answer only when the record is final, instead of right after the checks. */
  wait?: boolean;
};

/**
 * How a rollout keeps serving, as the quota check decided it (in the quota
 * check's `details.rollout`):
 * - `surge`: new pods start before old ones go (`maxSurge` extra replicas,
 *   `maxUnavailable: 0`); their GPUs are reserved until the rollout ends.
 * - `downtime`: old pods go first (`maxSurge: 0, maxUnavailable: 1`), as
 *   the caller accepted with `allowDowntime`.
 * - `none`: nothing rolls out (a first deploy, or the pods stay as they are).
 */
export type RolloutPlan = {
  /** `canary` (a promote with `strategy: 'canary'`): `surgeGpus` are the canary's reserved GPUs (see `DeploymentRecord.canary`). */
  strategy: 'surge' | 'downtime' | 'none' | 'canary';
  maxSurge: number;
  maxUnavailable: number;
  /** GPUs reserved for the surge pods while the rollout runs. */
  surgeGpus: number;
  /** Why this strategy, in words. */
  reason: string;
};

/** Body of `POST /deployments`: deploy (create or update) an endpoint. */
export type DeployRequest = DeploymentCallOptions & {
  /**
   * The endpoint to deploy: an entity ref of an InferenceEndpoint in the
   * catalog, or a full entity for one not in the catalog yet (the permission
   * check then uses its owner group and pool).
   */
  endpoint: string | Record<string, unknown>;
};

/** Body of `POST /endpoints/{namespace}/{name}/promote`. */
export type PromoteRequest = DeploymentCallOptions & {
  /** The Model version to run, one of the model's `spec.versions[].name`. */
  modelVersion: string;
  /** `rolling` (default): all replicas move to the new version; `canary`: step by step (see docs/canary.md). */
  strategy?: 'rolling' | 'canary';
  /** With `strategy: 'canary'`: the steps (default DEFAULT_CANARY_STEPS). */
  canary?: CanaryRequest;
};

/** Body of `POST /endpoints/{namespace}/{name}/rollback`. */
export type RollbackRequest = DeploymentCallOptions & {
  /** The revision to restore; by default the last successful one before the running revision. */
  toRevision?: number;
};

/** Live state of an endpoint's workload, read from its cluster. */
export type EndpointLiveStatus = {
  endpointRef: string;
  cluster: string;
  namespace: string;
  /** False when the pool's cluster has no entry in `kubernetes.clusterLocatorMethods`. */
  clusterConfigured: boolean;
  /** Set when the cluster could not be read; says why. */
  error?: string;
  /** The model version the last successful deployment runs (the records are the truth). */
  runningModelVersion?: string;
  runningRevision?: number;
  /** The version the catalog YAML names; differs from the running one after a promote. */
  catalogModelVersion: string;
  deployment?: {
    name: string;
    /** The Deployment's `spec.replicas` (left to the autoscaler when one manages it). */
    replicas?: number;
    /**
     * The replicas wanted now: the autoscaler's `status.desiredReplicas` when
     * one manages the Deployment, else `spec.replicas`, else `status.replicas`.
     */
    desiredReplicas?: number;
    /** The HorizontalPodAutoscaler that scales the Deployment, when there is one. */
    autoscaler?: {
      name: string;
      minReplicas?: number;
      maxReplicas: number;
      currentReplicas?: number;
      desiredReplicas?: number;
    };
    readyReplicas: number;
    updatedReplicas: number;
    availableReplicas: number;
    conditions: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }>;
  };
  /**
   * What the running revision was rendered as: a plain Deployment, or a
   * KServe LLMInferenceService (see `llmInferenceService`).
   */
  target?: 'deployment' | 'llm-inference-service';
  /** For target `llm-inference-service`: the service as KServe reports it. */
  llmInferenceService?: {
    name: string;
    apiVersion: string;
    /** `status.url`: where the service answers (its gateway route, or the workload Service). */
    url?: string;
    /** The Ready condition is True and KServe has seen the current generation. */
    ready: boolean;
    generation?: number;
    observedGeneration?: number;
    /** Ready, WorkloadsReady, RouterReady, MainWorkloadReady, ... with their reasons and messages. */
    conditions: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }>;
    /** The workload Deployment KServe made for it. */
    workload?: string;
  };
  pods: Array<{
    name: string;
    phase: string;
    ready: boolean;
    restarts: number;
    /** Why a container is waiting, e.g. ImagePullBackOff or CrashLoopBackOff. */
    reason?: string;
  }>;
  events: KubernetesEventSummary[];
};

/**
 * A Kubernetes Event about an endpoint's workload (its pods, Deployment or
 * KServe service), as the deploy service reads it from the cluster.
 */
export type KubernetesEventSummary = {
  /** `Normal` or `Warning`. */
  type: string;
  reason: string;
  message: string;
  /** The object it is about, as `Kind/name`. */
  object: string;
  count: number;
  /** ISO 8601: its last timestamp, else its event time, else when it was created. */
  lastSeen?: string;
};

/** Body of `POST /render`: the Kubernetes objects an endpoint would apply. */
export type RenderRequest = {
  endpoint: string | Record<string, unknown>;
  /** Render another version than the entity's `spec.modelVersion`. */
  modelVersion?: string;
};

/** A Kubernetes object as the renderer returns it and server-side apply sends it. */
export type KubernetesManifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
};

/** The answer of `POST /render`. */
export type RenderResponse = {
  endpointRef: string;
  /** The pool's cluster. */
  cluster: string;
  namespace: string;
  /** The workload's name (the endpoint's backstage.io/kubernetes-id). */
  name: string;
  modelVersion: string;
  tensorParallelSize: number;
  /** GPUs the endpoint reserves: gpusPerReplica x max replicas. */
  gpus: number;
  sizing?: GpuSizing;
  /** Things worth knowing that do not stop the render. */
  warnings: string[];
  /** Deployment, Service, PodDisruptionBudget, then the autoscaler if any; all validated. */
  objects: KubernetesManifest[];
};

/** The body of `POST /sizing`. */
export type SizingRequest = {
  /** Model entity ref. */
  model: string;
  /** One of the model's spec.versions[].name. */
  modelVersion: string;
  /** GpuPool entity ref. */
  pool: string;
  maxModelLen?: number;
  concurrentSequences?: number;
  gpuMemoryUtilization?: number;
};

/** The answer of `POST /sizing`; a sizing that does not fit has `fits: false` and says why. */
export type SizingResponse = {
  model: string;
  modelVersion: string;
  pool: string;
  sizing: GpuSizing;
};

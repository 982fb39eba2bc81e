import type {
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type {
  DeploymentCheckName,
  DeploymentCheckStatus,
  DeploymentError,
  DeploymentObject,
  DeploymentState,
} from '@internal/plugin-ai-platform-common';
import type { AuditLog } from '../../audit/AuditLog';
import type { EvalStore } from '../../evals/DatabaseEvalStore';
import type { EvalService } from '../../evals/EvalService';
import type { QuotaService } from '../../quotas/QuotaService';
import type { ClusterClients, TargetCluster } from '../ClusterClients';
import type { DeploymentStore } from '../DatabaseDeploymentStore';
import type { DeploymentCall } from '../DeploymentCall';
import type { DeploymentRecorder } from '../DeploymentRecorder';
import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import type {
  NamespaceOwners,
  NamespaceOwnership,
} from '../tenancy/NamespaceOwners';
import type { EndpointIdentities } from '../tenancy/EndpointIdentities';
import type { DeployOptions } from '../types';
import type { CanaryService } from '../canary/CanaryService';

/** The services the steps of a deployment use (only the calls they make). */
export type DeploymentDependencies = {
  permissions: Pick<PermissionsService, 'authorize' | 'authorizeConditional'>;
  permissionsRegistry: Pick<PermissionsRegistryService, 'getPermissionRuleset'>;
  quotas: Pick<
    QuotaService,
    'allocation' | 'reserve' | 'check' | 'restoreAllocation' | 'releaseSurge'
  >;
  evals: Pick<EvalService, 'gateStatus'>;
  evalStore: Pick<EvalStore, 'upsertOverride'>;
  auditLog: Pick<AuditLog, 'track'>;
  store: Pick<DeploymentStore, 'recent' | 'applied'>;
  clients: Pick<ClusterClients, 'client'>;
  /** Who owns each namespace (cluster annotation, config). */
  namespaceOwners: Pick<NamespaceOwners, 'ownership'>;
  /** Which catalog endpoints use which Kubernetes names. */
  identities: Pick<EndpointIdentities, 'endpointsNamed'>;
  deploy: DeployOptions;
  /** The canary workflow, where canary promotes are set up (see canary/CanaryService). */
  canaries?: Pick<CanaryService, 'start'>;
};

/** What the steps report as they go, besides their own outcome. */
export type DeploymentProgress = Pick<
  DeploymentRecorder,
  'id' | 'event' | 'setState' | 'setObjects' | 'announce'
>;

/**
 * One deployment as it runs through the steps. Steps read the plan and the
 * call, and leave for later steps what those need (`restoreReservation`,
 * `applied`).
 */
export type DeploymentRun = {
  plan: DeploymentPlan;
  call: DeploymentCall;
  dryRun: boolean;
  deps: DeploymentDependencies;
  progress: DeploymentProgress;
  /** The pool's cluster, or why it is not configured. */
  target: TargetCluster;
  /**
   * Puts the endpoint's GPU reservation back as it was before this run: set
   * by the quota check when it reserved, called when the apply fails.
   */
  restoreReservation: () => Promise<void>;
  /**
   * Releases the GPUs held for the rollout's surge pods: set by the quota
   * check when it reserved some, called by the runner when the deployment
   * ends, however it ends.
   */
  releaseSurge: () => Promise<void>;
  /** Set by the quota check when it reserved GPUs for a canary's pods (a canary promote). */
  reservedCanaryGpus?: number;
  /** The namespace the objects go to and who owns it, once loaded (see targetNamespace). */
  namespace?: NamespaceOwnership;
  /** Set by the ownership check when an admin adopts objects: apply with force. */
  adopting?: boolean;
  /** Set by the apply step: the cluster's client and what it applied. */
  applied?: { client: KubernetesClusterClient; objects: DeploymentObject[] };
};

/** What one step decided; the runner records it and goes on, fails or ends. */
export type StepOutcome = {
  status: DeploymentCheckStatus;
  message: string;
  details?: Record<string, unknown>;
  /** On failure: the object and the cluster's answer, for the record's error. */
  error?: Pick<DeploymentError, 'object' | 'cause'>;
  /**
   * On failure: refuse the call with this error (the caller gets it, not
   * the failed record), e.g. a NotAllowedError for the permission check.
   */
  refusal?: Error;
  /** The objects to record with a failure or an early end. */
  objects?: DeploymentObject[];
  /**
   * End the deployment after this step, in `state`; the later steps are
   * recorded as skipped, saying `skipRest`.
   */
  end?: { state: DeploymentState; skipRest: string };
};

/**
 * One step of a deployment, named after the check it records. A step
 * decides and reports; the runner records the outcome (see
 * runDeploymentSteps). Steps run in the order of DEPLOYMENT_STEPS.
 */
export type DeploymentStep = {
  name: DeploymentCheckName;
  run(run: DeploymentRun): Promise<StepOutcome>;
};

/**
 * What a number about running endpoints rests on: the workloads and pods
 * the collector listed in the cluster (`cluster-state`), the last listing
 * of a cluster that stopped answering (`last-known-state`), or nothing
 * (`none`: the cluster is not configured or never answered).
 */
export type RunBasis = 'cluster-state' | 'last-known-state' | 'none';

/**
 * `running`: a bound, non-terminated pod holds GPUs; `pending`: pods exist,
 * none bound (they hold nothing); `declared-not-running`: in the catalog,
 * nothing of it in its cluster (costs nothing); `unknown`: its cluster was
 * never read.
 */
export type EndpointRunStateName =
  | 'running'
  | 'pending'
  | 'declared-not-running'
  | 'unknown';

/** What runs of one catalog endpoint, and what that rests on. */
export type EndpointRunState = {
  endpointRef: string;
  title: string;
  teamRef: string;
  poolRef: string;
  cluster?: string;
  namespace?: string;
  state: EndpointRunStateName;
  /** `outside-portal`: its workloads were found by kubernetes-id, not deployed by the portal. */
  origin?: 'portal' | 'outside-portal';
  basis: RunBasis;
  /** When its cluster was listed (ISO 8601). */
  observedAt?: string;
  /** Why the basis is not the cluster state now, or why nothing can run. */
  reason?: string;
  /** GPUs held now by its bound, non-terminated pods. */
  gpus: number;
  runningPods: number;
  pendingPods: number;
};

/** A cluster as the collector last read it. */
export type ClusterRunState = {
  cluster: string;
  basis: RunBasis;
  observedAt?: string;
  /** Why it did not answer last time. */
  failure?: string;
  failedAt?: string;
};

/** A workload that names an endpoint but another owner: reported, never billed to the endpoint. */
export type ForeignClaimState = {
  cluster: string;
  namespace: string;
  workload: string;
  kubernetesId: string;
  endpointRef: string;
  endpointOwner: string;
  claimedOwner: string;
  claimedEndpoint?: string;
  gpus: number;
};

/** A workload with `backstage.io/kubernetes-id` matching no catalog endpoint of its cluster and namespace. */
export type UnmatchedWorkloadState = {
  cluster: string;
  namespace: string;
  workload: string;
  kubernetesId: string;
  owner?: string;
  endpoint?: string;
  gpus: number;
};

/** Answer of `GET /fleet/running`. */
export type RunningFleetResponse = {
  clusters: ClusterRunState[];
  endpoints: EndpointRunState[];
  foreignClaims: ForeignClaimState[];
  unmatched: UnmatchedWorkloadState[];
};

/**
 * Drift between quota reservations (records) and what runs (cluster):
 * more GPUs running than reserved, something running with no deployment
 * record, or a record with nothing running.
 */
export type QuotaDriftKind =
  | 'running-over-reserved'
  | 'running-without-record'
  | 'record-not-running';

export type QuotaDrift = {
  kind: QuotaDriftKind;
  endpointRef?: string;
  /** The workload, for something running that no endpoint record names. */
  workload?: string;
  message: string;
};

/** A team's GPUs on a pool: reserved by deployment records, and running in the cluster. */
export type TeamPoolUsage = {
  team: string;
  pool: string;
  cluster: string;
  /** GPUs the deployment records reserve (worst case, surge included while a rollout runs). */
  reserved: number;
  /** GPUs held now by the team's bound, non-terminated pods on the pool. */
  running: number;
  basis: RunBasis;
  observedAt?: string;
  /** The team's endpoints on the pool in the catalog with nothing running. */
  declaredNotRunning: string[];
  drift: QuotaDrift[];
};

/** Answer of `GET /quotas/usage`. */
export type QuotaUsageResponse = { items: TeamPoolUsage[] };

/** The numbers behind a quota answer (`GET /quotas/check`). */
export type QuotaCheck = {
  team: string;
  pool: string;
  /** GPUs asked for. */
  gpus: number;
  allowed: boolean;
  /** Why not, one sentence per failed check. */
  reasons: string[];
  quota: number;
  /** GPUs the team uses on the pool (without the endpoint being re-placed). */
  used: number;
  teamFree: number;
  poolCapacity: number;
  poolUsed: number;
  poolFree: number;
};

/** One team's quota on one pool. */
export type TeamQuota = {
  team: string;
  quota: number;
  /** From the pool's spec.quotas. */
  baseline?: number;
  /** An admin's override, shown until cleared. */
  override?: { gpus: number; reason: string; actor: string; createdAt: string };
  used: number;
  free: number;
};

/** A pool with its capacity and each team's quota and usage. */
export type PoolQuotas = {
  pool: string;
  title: string;
  cluster: string;
  capacity: number;
  used: number;
  free: number;
  teams: TeamQuota[];
};

/** Answer of `GET /quotas`. */
export type QuotasResponse = { items: PoolQuotas[] };

/** The state of a quota request. */
export type QuotaRequestState = 'pending' | 'approved' | 'rejected';

/** A request for more GPUs. */
export type QuotaRequest = {
  id: string;
  team: string;
  pool: string;
  /** The total quota asked for. */
  gpus: number;
  quotaAtRequest: number;
  reason: string;
  requestedBy: string;
  createdAt: string;
  state: QuotaRequestState;
  decidedBy?: string;
  decisionReason?: string;
  decidedAt?: string;
};

/** Answer of `GET /quota-requests`, newest first. */
export type QuotaRequestsResponse = { items: QuotaRequest[] };

/** Answer of `POST /quota-requests/{id}/decision`. */
export type QuotaRequestDecision = {
  request: QuotaRequest;
  /** The quota before and after, when approved. */
  quota?: { before: number; after: number };
};

/** A Kueue ClusterQueue's quota and usage of a pool's GPU resource and flavor. */
export type KueueQueueStatus = {
  /**
   * The Kueue API version the cluster answered in, e.g.
   * `kueue.x-k8s.io/v1beta2` (Kueue v0.15 and later; the only one from
   * v0.20) or `kueue.x-k8s.io/v1beta1` (older installs).
   */
  apiVersion: string;
  clusterQueue: string;
  /** The cohort the queue borrows in (v1beta2 `spec.cohortName`, v1beta1 `spec.cohort`). */
  cohort?: string;
  flavor?: string;
  resource: string;
  nominalQuota?: number;
  borrowingLimit?: number;
  used?: number;
  reserved?: number;
  admittedWorkloads?: number;
  pendingWorkloads?: number;
  active?: boolean;
};

/** Answer of `GET /quotas/kueue`: Kueue's view of a pool, or why it cannot be shown. */
export type PoolKueueStatus = {
  pool: string;
  cluster: string;
  available: boolean;
  reason?: string;
  queue?: KueueQueueStatus;
};

/*
 * What runs (GET /fleet/running) and quota use (GET /quotas/usage), as
 * openapi.yaml describes them (the generated types); the names are the ones
 * the plugins import.
 */
import type {
  AiPlatformApiComponents,
  AiPlatformOperations,
} from '../schema/openapi/generated';

type Schemas = AiPlatformApiComponents['schemas'];

/**
 * What a number about running endpoints rests on: the workloads and pods
 * the collector listed in the cluster (`cluster-state`), the last listing
 * of a cluster that stopped answering (`last-known-state`), or nothing
 * (`none`: the cluster is not configured or never answered).
 */
export type RunBasis = Schemas['RunBasis'];

/**
 * `running`: a bound, non-terminated pod holds GPUs; `pending`: pods exist,
 * none bound (they hold nothing); `declared-not-running`: in the catalog,
 * nothing of it in its cluster (costs nothing); `unknown`: its cluster was
 * never read.
 */
export type EndpointRunStateName = EndpointRunState['state'];

/** What runs of one catalog endpoint, and what that rests on. */
export type EndpointRunState = RunningFleetResponse['endpoints'][number];

/** A cluster as the collector last read it. */
export type ClusterRunState = RunningFleetResponse['clusters'][number];

/** A workload that names an endpoint but another owner: reported, never billed to the endpoint. */
export type ForeignClaimState = Schemas['ForeignClaim'];

/** A workload with `backstage.io/kubernetes-id` matching no catalog endpoint of its cluster and namespace. */
export type UnmatchedWorkloadState = Schemas['UnmatchedWorkload'];

/** Answer of `GET /fleet/running`. */
export type RunningFleetResponse = Schemas['RunningFleet'];

/**
 * Drift between quota reservations (records) and what runs (cluster):
 * more GPUs running than reserved, something running with no deployment
 * record, or a record with nothing running.
 */
export type QuotaDriftKind = QuotaDrift['kind'];

export type QuotaDrift = TeamPoolUsage['drift'][number];

/** A team's GPUs on a pool: reserved by deployment records, and running in the cluster. */
export type TeamPoolUsage = Schemas['TeamPoolUsage'];

/** Answer of `GET /quotas/usage`. */
export type QuotaUsageResponse =
  AiPlatformOperations['GET /quotas/usage']['response'];

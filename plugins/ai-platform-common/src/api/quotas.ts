/*
 * The quota API's shapes, as openapi.yaml describes them (the generated
 * types); the names are the ones the plugins import.
 */
import type {
  AiPlatformApiComponents,
  AiPlatformOperations,
} from '../schema/openapi/generated';

type Schemas = AiPlatformApiComponents['schemas'];

/** The numbers behind a quota answer (`GET /quotas/check`). */
export type QuotaCheck = Schemas['QuotaCheck'];

/** A pool with its capacity and each team's quota and usage. */
export type PoolQuotas = Schemas['PoolQuotas'];

/** One team's quota on one pool (`baseline` from the pool's spec.quotas; an admin's `override` until cleared). */
export type TeamQuota = PoolQuotas['teams'][number];

/** Answer of `GET /quotas`. */
export type QuotasResponse = AiPlatformOperations['GET /quotas']['response'];

/** A request for more GPUs (`gpus`: the total quota asked for). */
export type QuotaRequest = Schemas['QuotaRequest'];

/** The state of a quota request. */
export type QuotaRequestState = QuotaRequest['state'];

/** Answer of `GET /quota-requests`, newest first. */
export type QuotaRequestsResponse =
  AiPlatformOperations['GET /quota-requests']['response'];

/** Answer of `POST /quota-requests/{id}/decision` (`quota`: before and after, when approved). */
export type QuotaRequestDecision =
  AiPlatformOperations['POST /quota-requests/{id}/decision']['response'];

/** Answer of `GET /quotas/kueue`: Kueue's view of a pool, or why it cannot be shown. */
export type PoolKueueStatus =
  AiPlatformOperations['GET /quotas/kueue']['response'];

/**
 * A Kueue ClusterQueue's quota and usage of a pool's GPU resource and
 * flavor, in the API version the cluster answered in
 * (`kueue.x-k8s.io/v1beta2`, or `v1beta1` on older installs).
 */
export type KueueQueueStatus = NonNullable<PoolKueueStatus['queue']>;

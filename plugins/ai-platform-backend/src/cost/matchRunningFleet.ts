import type {
  EndpointInfo,
  FleetSnapshot,
  PoolInfo,
} from '../fleet/FleetSource';
import {
  holdsGpus,
  type ClusterObservation,
  type ObservedPod,
  type ObservedWorkload,
} from './clusterObservation';

/** What a cluster's numbers rest on now. */
export type ClusterView =
  | {
      cluster: string;
      /** Listed in this collection (`cluster-state`), or the last listing of a cluster that did not answer. */
      basis: 'cluster-state' | 'last-known-state';
      observation: ClusterObservation;
      /** The listing before this one, for pods that went since (cluster-state only). */
      previous?: ClusterObservation;
      /** Why the cluster did not answer (last-known-state). */
      failure?: string;
    }
  | {
      cluster: string;
      basis: 'none';
      /** Not configured, or never answered. */
      failure: string;
    };

/** What runs of one catalog endpoint. */
export type EndpointRun = {
  endpoint: EndpointInfo;
  pool?: PoolInfo;
  cluster?: string;
  /**
   * `running`: a pod holds GPUs; `pending`: pods exist, none bound;
   * `declared-not-running`: in the catalog, nothing in its cluster;
   * `unknown`: its cluster was never read (not configured, or no answer).
   */
  state: 'running' | 'pending' | 'declared-not-running' | 'unknown';
  /** How its workloads came: deployed by the portal, or found by kubernetes-id alone. */
  origin?: 'portal' | 'outside-portal';
  basis: 'cluster-state' | 'last-known-state' | 'none';
  observedAt?: number;
  reason?: string;
  /** GPUs held now by its bound, non-terminated pods. */
  gpus: number;
  /** Its pods now (bound or not). */
  pods: ObservedPod[];
  /** Its pods in the previous listing that are gone now: they held GPUs until last seen. */
  vanished: ObservedPod[];
  /** When those were last seen. */
  vanishedSeenAt?: number;
  workloads: ObservedWorkload[];
};

/** A workload that names an endpoint but says another owner: reported, never billed to it. */
export type ForeignClaim = {
  cluster: string;
  namespace: string;
  workload: string;
  kubernetesId: string;
  endpointRef: string;
  endpointOwner: string;
  /** The owner (and endpoint) its annotations name. */
  claimedOwner: string;
  claimedEndpoint?: string;
  gpus: number;
};

/** A workload with `backstage.io/kubernetes-id` that no catalog endpoint of its cluster and namespace has. */
export type UnmatchedWorkload = {
  cluster: string;
  namespace: string;
  workload: string;
  kubernetesId: string;
  owner?: string;
  endpoint?: string;
  gpus: number;
};

/** The endpoints' runs, foreign claims and unmatched workloads of a fleet. */
export type RunningFleet = {
  endpoints: EndpointRun[];
  foreign: ForeignClaim[];
  unmatched: UnmatchedWorkload[];
};

/** GPUs a pod requests: the pool's resource, else every `nvidia.com/*` resource. */
export function podGpus(pod: ObservedPod, resourceName?: string): number {
  if (resourceName) return pod.requests[resourceName] ?? 0;
  return Object.entries(pod.requests)
    .filter(([name]) => name.startsWith('nvidia.com/'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Portal-deployed wins: an endpoint with any portal workload is marked as the portal's. */
function markOrigin(run: EndpointRun, origin: 'portal' | 'outside-portal') {
  if (origin === 'portal' || !run.origin) run.origin = origin;
}

const keyOf = (namespace: string, kubernetesId: string) =>
  `${namespace}\u0000${kubernetesId}`;

type Claim =
  | { kind: 'endpoint'; run: EndpointRun; origin: 'portal' | 'outside-portal' }
  | { kind: 'foreign'; claim: ForeignClaim }
  | { kind: 'unmatched'; entry: UnmatchedWorkload };

/**
 * Matches what runs in the clusters to the catalog's endpoints. A workload
 * belongs to an endpoint when its cluster (the pool's), namespace
 * (spec.namespace) and `backstage.io/kubernetes-id` match the endpoint's
 * AND, when it carries the portal's owner annotation, that annotation names
 * the endpoint's owner (and its endpoint annotation, if any, the endpoint).
 * A workload without the portal's annotations was deployed outside the
 * portal: matched by cluster, namespace and kubernetes-id, and marked so.
 * A workload whose annotations name another owner or endpoint is a foreign
 * claim: reported, never billed to the endpoint. Pods follow their
 * Deployment (through their ReplicaSet); pods without one follow the
 * kubernetes-id match.
 */
export function matchRunningFleet(options: {
  fleet: FleetSnapshot;
  clusters: Map<string, ClusterView>;
}): RunningFleet {
  const pools = new Map(options.fleet.pools.map(p => [p.ref, p]));
  const runs: EndpointRun[] = [];
  const byCluster = new Map<string, Map<string, EndpointRun>>();
  for (const endpoint of options.fleet.endpoints) {
    const pool = pools.get(endpoint.poolRef);
    const view = pool ? options.clusters.get(pool.cluster) : undefined;
    const run: EndpointRun = {
      endpoint,
      ...(pool ? { pool, cluster: pool.cluster } : {}),
      state: 'unknown',
      basis: 'none',
      gpus: 0,
      pods: [],
      vanished: [],
      workloads: [],
    };
    runs.push(run);
    if (!pool) {
      run.reason = `its pool ${endpoint.poolRef} is not in the catalog`;
      continue;
    }
    if (!view || view.basis === 'none') {
      run.reason = view?.failure ?? `cluster ${pool.cluster} was not read yet`;
      continue;
    }
    run.basis = view.basis;
    run.observedAt = view.observation.observedAt;
    if (view.basis === 'last-known-state') run.reason = view.failure;
    if (!endpoint.namespace || !endpoint.kubernetesId) {
      run.state = 'declared-not-running';
      run.reason = 'it has no spec.namespace: nothing of it can run';
      continue;
    }
    let index = byCluster.get(pool.cluster);
    if (!index) {
      index = new Map();
      byCluster.set(pool.cluster, index);
    }
    index.set(keyOf(endpoint.namespace, endpoint.kubernetesId), run);
  }

  const foreign: ForeignClaim[] = [];
  const unmatched: UnmatchedWorkload[] = [];
  for (const view of options.clusters.values()) {
    if (view.basis === 'none') continue;
    const index = byCluster.get(view.cluster) ?? new Map<string, EndpointRun>();
    const claims = new Map<string, Claim>();
    const classify = (w: ObservedWorkload): Claim => {
      const run = index.get(keyOf(w.namespace, w.kubernetesId));
      if (!run) {
        const entry: UnmatchedWorkload = {
          cluster: view.cluster,
          namespace: w.namespace,
          workload: w.name,
          kubernetesId: w.kubernetesId,
          ...(w.owner ? { owner: w.owner } : {}),
          ...(w.endpoint ? { endpoint: w.endpoint } : {}),
          gpus: 0,
        };
        unmatched.push(entry);
        return { kind: 'unmatched', entry };
      }
      const portal = Boolean(w.owner || w.endpoint);
      // A claim names another owner or endpoint. An annotation left out is
      // no claim: the pods of an Argo Rollout (no Deployment above them)
      // carry only their template's endpoint annotation, this endpoint's.
      if (
        (w.owner !== undefined && w.owner !== run.endpoint.teamRef) ||
        (w.endpoint !== undefined && w.endpoint !== run.endpoint.ref)
      ) {
        const claim: ForeignClaim = {
          cluster: view.cluster,
          namespace: w.namespace,
          workload: w.name,
          kubernetesId: w.kubernetesId,
          endpointRef: run.endpoint.ref,
          endpointOwner: run.endpoint.teamRef,
          claimedOwner: w.owner ?? '(none)',
          ...(w.endpoint ? { claimedEndpoint: w.endpoint } : {}),
          gpus: 0,
        };
        foreign.push(claim);
        return { kind: 'foreign', claim };
      }
      run.workloads.push(w);
      markOrigin(run, portal ? 'portal' : 'outside-portal');
      return {
        kind: 'endpoint',
        run,
        origin: portal ? 'portal' : 'outside-portal',
      };
    };
    for (const w of view.observation.workloads) {
      claims.set(`${w.namespace}/${w.name}`, classify(w));
    }
    const claimOf = (pod: ObservedPod, listedNow = true): Claim | undefined => {
      const viaWorkload = pod.workload
        ? claims.get(`${pod.namespace}/${pod.workload}`)
        : undefined;
      if (viaWorkload) return viaWorkload;
      // A pod with the portal's annotations whose workload has no label of
      // ours (an LLMInferenceService's pods: KServe makes their
      // Deployment): its own annotations decide, as a workload's would.
      if (pod.owner || pod.endpoint) {
        const key = `${pod.namespace}/${pod.workload ?? pod.name}`;
        const known = claims.get(key);
        if (known || !listedNow) return known;
        const claim = classify({
          namespace: pod.namespace,
          name: pod.workload ?? pod.name,
          kubernetesId: pod.kubernetesId,
          ...(pod.endpoint ? { endpoint: pod.endpoint } : {}),
          ...(pod.owner ? { owner: pod.owner } : {}),
        });
        claims.set(key, claim);
        return claim;
      }
      const run = index.get(keyOf(pod.namespace, pod.kubernetesId));
      return run
        ? { kind: 'endpoint', run, origin: 'outside-portal' }
        : undefined;
    };
    const current = new Set<string>();
    for (const pod of view.observation.pods) {
      current.add(`${pod.namespace}/${pod.name}`);
      const claim = claimOf(pod);
      if (!claim) continue;
      if (claim.kind === 'endpoint') {
        claim.run.pods.push(pod);
        markOrigin(claim.run, claim.origin);
      } else if (holdsGpus(pod)) {
        const target = claim.kind === 'foreign' ? claim.claim : claim.entry;
        target.gpus += podGpus(pod);
      }
    }
    if (view.basis === 'cluster-state' && view.previous) {
      for (const pod of view.previous.pods) {
        if (current.has(`${pod.namespace}/${pod.name}`)) continue;
        const claim = claimOf(pod, false);
        if (claim?.kind !== 'endpoint') continue;
        claim.run.vanished.push(pod);
        claim.run.vanishedSeenAt = view.previous.observedAt;
      }
    }
  }

  for (const run of runs) {
    if (run.basis === 'none' || run.state !== 'unknown') continue;
    const resource = run.pool?.resourceName;
    const held = run.pods.filter(holdsGpus);
    run.gpus = held.reduce((sum, p) => sum + podGpus(p, resource), 0);
    if (held.length) run.state = 'running';
    else if (run.pods.some(p => p.until === undefined)) run.state = 'pending';
    else run.state = 'declared-not-running';
  }
  return { endpoints: runs, foreign, unmatched };
}

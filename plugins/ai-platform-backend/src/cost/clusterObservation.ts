import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_OBJECT_ENDPOINT,
  ANNOTATION_OBJECT_OWNER,
} from '@internal/plugin-ai-platform-common';
import type { LiveObject } from '../deploy/kube/KubernetesClusterClient';

/** A Deployment carrying `backstage.io/kubernetes-id`, as the collector keeps it. */
export type ObservedWorkload = {
  namespace: string;
  name: string;
  /** Its `backstage.io/kubernetes-id` label. */
  kubernetesId: string;
  /** `ai-platform.io/endpoint`: the endpoint the portal deployed it for. */
  endpoint?: string;
  /** `ai-platform.io/owner`: the owner of that endpoint when the portal deployed it. */
  owner?: string;
};

/** A Pod carrying `backstage.io/kubernetes-id`, as the collector keeps it. */
export type ObservedPod = {
  namespace: string;
  name: string;
  kubernetesId: string;
  /** The Deployment it belongs to (its ReplicaSet's owner), when it has one. */
  workload?: string;
  /** spec.nodeName: set once the scheduler bound it. */
  nodeName?: string;
  phase: string;
  /** Extended resources it requests (e.g. `nvidia.com/gpu`), summed over its containers. */
  requests: Record<string, number>;
  /** When it began holding them (bound to its node), epoch seconds. */
  since?: number;
  /** When its containers finished, for a terminated pod, epoch seconds. */
  until?: number;
  /** Set while it is being deleted. */
  deleting?: boolean;
  /**
   * Its own `ai-platform.io/endpoint` and `ai-platform.io/owner`, for pods
   * whose workload does not carry them (KServe makes an
   * LLMInferenceService's Deployment; its pods carry them).
   */
  endpoint?: string;
  owner?: string;
};

/** What the collector listed in one cluster, and when. */
export type ClusterObservation = {
  cluster: string;
  /** When the lists were read, epoch seconds. */
  observedAt: number;
  workloads: ObservedWorkload[];
  pods: ObservedPod[];
};

/** The label every workload of a catalog endpoint carries (Backstage's Kubernetes plugin finds it by it). */
export const KUBERNETES_ID_SELECTOR = ANNOTATION_KUBERNETES_ID;

const seconds = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const ms =
    value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/** A Deployment as the collector keeps it. */
export function observeWorkload(object: LiveObject): ObservedWorkload {
  const { metadata } = object;
  const annotations = metadata.annotations ?? {};
  return {
    namespace: metadata.namespace ?? 'default',
    name: metadata.name,
    kubernetesId: metadata.labels?.[ANNOTATION_KUBERNETES_ID] ?? '',
    ...(annotations[ANNOTATION_OBJECT_ENDPOINT]
      ? { endpoint: annotations[ANNOTATION_OBJECT_ENDPOINT] }
      : {}),
    ...(annotations[ANNOTATION_OBJECT_OWNER]
      ? { owner: annotations[ANNOTATION_OBJECT_OWNER] }
      : {}),
  };
}

/** Kubernetes quantities of extended resources are whole numbers ("1", "2"). */
const quantity = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

type PodShape = {
  metadata: LiveObject['metadata'] & {
    ownerReferences?: Array<{ kind: string; name: string }>;
    deletionTimestamp?: string | Date;
  };
  spec?: {
    nodeName?: string;
    containers?: Array<{
      resources?: {
        requests?: Record<string, unknown>;
        limits?: Record<string, unknown>;
      };
    }>;
  };
  status?: {
    phase?: string;
    startTime?: string | Date;
    conditions?: Array<{
      type: string;
      status: string;
      lastTransitionTime?: string | Date;
    }>;
    containerStatuses?: Array<{
      state?: { terminated?: { finishedAt?: string | Date } };
    }>;
  };
};

/**
 * A Pod as the collector keeps it: its extended-resource requests (a
 * request defaults to its limit, as Kubernetes defaults it), its node, when
 * it was bound (the PodScheduled condition; else its start time, else its
 * creation) and, once terminated, when its containers finished.
 */
export function observePod(object: LiveObject): ObservedPod {
  const pod = object as unknown as PodShape;
  const requests: Record<string, number> = {};
  for (const c of pod.spec?.containers ?? []) {
    const merged = { ...c.resources?.limits, ...c.resources?.requests };
    for (const [name, value] of Object.entries(merged)) {
      // Extended resources have a domain; cpu, memory, ephemeral-storage do not.
      if (!name.includes('/') || name.startsWith('hugepages-')) continue;
      requests[name] = (requests[name] ?? 0) + quantity(value);
    }
  }
  const status = pod.status ?? {};
  const scheduled = status.conditions?.find(
    c => c.type === 'PodScheduled' && c.status === 'True',
  );
  const phase = status.phase ?? 'Pending';
  const finished = (status.containerStatuses ?? [])
    .map(s => seconds(s.state?.terminated?.finishedAt))
    .filter((t): t is number => t !== undefined);
  const rs = pod.metadata.ownerReferences?.find(r => r.kind === 'ReplicaSet');
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const since =
    seconds(scheduled?.lastTransitionTime) ??
    seconds(status.startTime) ??
    seconds(pod.metadata.creationTimestamp);
  const terminated = phase === 'Succeeded' || phase === 'Failed';
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    kubernetesId: pod.metadata.labels?.[ANNOTATION_KUBERNETES_ID] ?? '',
    // A Deployment names its ReplicaSets <deployment>-<pod-template-hash>.
    ...(rs && hash && rs.name.endsWith(`-${hash}`)
      ? { workload: rs.name.slice(0, -(hash.length + 1)) }
      : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    phase,
    requests,
    ...(since !== undefined ? { since } : {}),
    ...(terminated
      ? { until: finished.length ? Math.max(...finished) : since ?? 0 }
      : {}),
    ...(pod.metadata.deletionTimestamp ? { deleting: true } : {}),
    ...(pod.metadata.annotations?.[ANNOTATION_OBJECT_ENDPOINT]
      ? { endpoint: pod.metadata.annotations[ANNOTATION_OBJECT_ENDPOINT] }
      : {}),
    ...(pod.metadata.annotations?.[ANNOTATION_OBJECT_OWNER]
      ? { owner: pod.metadata.annotations[ANNOTATION_OBJECT_OWNER] }
      : {}),
  };
}

/**
 * Whether a pod holds its GPUs: bound to a node and not terminated.
 * Pending, unscheduled pods hold nothing.
 */
export function holdsGpus(pod: ObservedPod): boolean {
  return Boolean(pod.nodeName) && pod.until === undefined;
}

/**
 * Seconds of [from, to) during which a pod held its GPUs: from when it was
 * bound to when it terminated, or to `end` (the last time it was seen, or
 * `to` when it is still there).
 */
export function heldSeconds(
  pod: ObservedPod,
  from: number,
  to: number,
  end: number = to,
): number {
  if (!pod.nodeName || pod.since === undefined) return 0;
  const start = Math.max(from, pod.since);
  const stop = Math.min(to, pod.until ?? end, end);
  return Math.max(0, stop - start);
}

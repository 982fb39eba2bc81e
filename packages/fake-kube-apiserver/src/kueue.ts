import type { KubeObject, OptionalGroup } from './types';

/**
 * A version of Kueue's API the fake serves:
 *
 * - `v1beta2`: Kueue v0.15 on (the storage version from v0.16; the only
 *   version served from v0.20, CHANGELOG-0.20.md: "Kueue no longer serves
 *   kueue.x-k8s.io/v1beta1").
 * - `v1beta1`: Kueue up to v0.19 (the only version up to v0.14).
 */
export type KueueVersion = 'v1beta2' | 'v1beta1';

/**
 * The optional group that serves one Kueue version alone:
 * `startFakeKubeApiServer({ groups: [kueueGroup('v1beta1')] })` is a
 * cluster with an older Kueue, `kueueGroup('v1beta2')` (`'kueue'`) a
 * current one.
 */
export function kueueGroup(version: KueueVersion): OptionalGroup {
  return version === 'v1beta2' ? 'kueue' : 'kueue-v1beta1';
}

/** Resource usage of one flavor, as a ClusterQueue or LocalQueue status has it. */
export type FakeKueueFlavorUsage = {
  name: string;
  resources: Array<{
    name: string;
    total: string | number;
    borrowed?: string | number;
  }>;
};

/**
 * A ClusterQueue in version-neutral terms; {@link kueueClusterQueue} writes
 * it in the field names of one API version.
 */
export type FakeClusterQueue = {
  name: string;
  /** v1beta2 `spec.cohortName`, v1beta1 `spec.cohort`. */
  cohort?: string;
  resourceGroups: Array<{
    coveredResources: string[];
    flavors: Array<{
      name: string;
      resources: Array<{
        name: string;
        nominalQuota: string | number;
        borrowingLimit?: string | number;
        lendingLimit?: string | number;
      }>;
    }>;
  }>;
  /** Kueue's controller writes the status; the fake stores what is given. */
  status?: {
    admittedWorkloads?: number;
    pendingWorkloads?: number;
    reservingWorkloads?: number;
    flavorsUsage?: FakeKueueFlavorUsage[];
    flavorsReservation?: FakeKueueFlavorUsage[];
    /** Sets the `Active` condition. */
    active?: boolean;
  };
};

/** A LocalQueue in version-neutral terms. */
export type FakeLocalQueue = {
  namespace: string;
  name: string;
  clusterQueue: string;
  status?: {
    admittedWorkloads?: number;
    pendingWorkloads?: number;
    /** v1beta2 `status.flavorsUsage`, v1beta1 `status.flavorUsage`. */
    flavorsUsage?: FakeKueueFlavorUsage[];
  };
};

/** A ResourceFlavor (the same field names in both versions). */
export type FakeResourceFlavor = {
  name: string;
  nodeLabels?: Record<string, string>;
};

const apiVersionOf = (version: KueueVersion) => `kueue.x-k8s.io/${version}`;

/**
 * A ClusterQueue object as Kueue serves it in `version`, with that
 * version's own field names (`spec.cohortName` in v1beta2, `spec.cohort` in
 * v1beta1, from apis/kueue/v1beta2/clusterqueue_types.go and
 * apis/kueue/v1beta1/clusterqueue_conversion.go), ready for `seed`.
 */
export function kueueClusterQueue(
  version: KueueVersion,
  queue: FakeClusterQueue,
): KubeObject {
  const { active, ...status } = queue.status ?? {};
  return {
    apiVersion: apiVersionOf(version),
    kind: 'ClusterQueue',
    metadata: { name: queue.name },
    spec: {
      ...(queue.cohort !== undefined
        ? { [version === 'v1beta2' ? 'cohortName' : 'cohort']: queue.cohort }
        : {}),
      namespaceSelector: {},
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: queue.resourceGroups,
    },
    ...(queue.status
      ? {
          status: {
            ...status,
            ...(active !== undefined
              ? {
                  conditions: [
                    {
                      type: 'Active',
                      status: active ? 'True' : 'False',
                      reason: active ? 'Ready' : 'Stopped',
                      message: active
                        ? 'Can admit new workloads'
                        : 'Cannot admit new workloads',
                      lastTransitionTime: '2026-06-02T09:14:56Z',
                    },
                  ],
                }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * A LocalQueue object as Kueue serves it in `version` (`status.flavorsUsage`
 * in v1beta2, `status.flavorUsage` in v1beta1, from
 * apis/kueue/v1beta1/localqueue_conversion.go).
 */
export function kueueLocalQueue(
  version: KueueVersion,
  queue: FakeLocalQueue,
): KubeObject {
  const { flavorsUsage, ...status } = queue.status ?? {};
  return {
    apiVersion: apiVersionOf(version),
    kind: 'LocalQueue',
    metadata: { name: queue.name, namespace: queue.namespace },
    spec: { clusterQueue: queue.clusterQueue },
    ...(queue.status
      ? {
          status: {
            ...status,
            ...(flavorsUsage
              ? {
                  [version === 'v1beta2' ? 'flavorsUsage' : 'flavorUsage']:
                    flavorsUsage,
                }
              : {}),
          },
        }
      : {}),
  };
}

/** A ResourceFlavor object as Kueue serves it in `version`. */
export function kueueResourceFlavor(
  version: KueueVersion,
  flavor: FakeResourceFlavor,
): KubeObject {
  return {
    apiVersion: apiVersionOf(version),
    kind: 'ResourceFlavor',
    metadata: { name: flavor.name },
    spec: flavor.nodeLabels ? { nodeLabels: flavor.nodeLabels } : {},
  };
}

/**
 * Kueue's API as the portal reads it, whichever version a cluster serves.
 *
 * - `kueue.x-k8s.io/v1beta2`: served since Kueue v0.15, the storage version
 *   since v0.16, and the only version from v0.20 on ("Kueue no longer serves
 *   kueue.x-k8s.io/v1beta1", CHANGELOG-0.20.md).
 * - `kueue.x-k8s.io/v1beta1`: Kueue up to v0.19 (the only version up to
 *   v0.14).
 *
 * The readers ask the cluster's discovery which one it serves (v1beta2 first)
 * and map that version's own field names into one shape, so the rest of the
 * code never sees the difference. The names that differ among the fields we
 * read (`apis/kueue/v1beta1/clusterqueue_conversion.go`,
 * `localqueue_conversion.go`):
 *
 * | Object       | v1beta1              | v1beta2               |
 * | ------------ | -------------------- | --------------------- |
 * | ClusterQueue | `spec.cohort`        | `spec.cohortName`     |
 * | LocalQueue   | `status.flavorUsage` | `status.flavorsUsage` |
 *
 * ResourceFlavor `spec.nodeLabels`, ClusterQueue `spec.resourceGroups` and
 * the ClusterQueue status fields we read keep their names.
 */

/** The API group of Kueue. */
export const KUEUE_GROUP = 'kueue.x-k8s.io';

/** A version of Kueue's API that the portal reads. */
export type KueueApiVersion = 'v1beta2' | 'v1beta1';

/** The versions the portal reads, in order of preference. */
export const KUEUE_API_VERSIONS: readonly KueueApiVersion[] = [
  'v1beta2',
  'v1beta1',
];

/**
 * Finds the Kueue API version a cluster serves, through discovery: the
 * first of {@link KUEUE_API_VERSIONS} whose APIResourceList
 * (`GET /apis/kueue.x-k8s.io/<version>`) the cluster answers. Undefined when
 * it serves neither (Kueue is not installed). `getApiResources` is
 * `CustomObjectsApi.getAPIResources` of `@kubernetes/client-node`, or
 * anything that rejects with `code: 404` for a version not served.
 */
export async function discoverKueueApiVersion(
  getApiResources: (groupVersion: {
    group: string;
    version: string;
  }) => Promise<unknown>,
): Promise<KueueApiVersion | undefined> {
  for (const version of KUEUE_API_VERSIONS) {
    try {
      await getApiResources({ group: KUEUE_GROUP, version });
      return version;
    } catch (error) {
      if ((error as { code?: unknown })?.code !== 404) throw error;
    }
  }
  return undefined;
}

/** The quotas of one flavor in a ClusterQueue's resource groups. */
export type KueueFlavorQuotas = {
  flavor: string;
  resources: Array<{
    name: string;
    /** A Kubernetes quantity, e.g. "32" or "6Ti". */
    nominalQuota?: string;
    borrowingLimit?: string;
    lendingLimit?: string;
  }>;
};

/** The usage (or reservation) of one flavor. */
export type KueueFlavorUsage = {
  flavor: string;
  resources: Array<{ name: string; total?: string; borrowed?: string }>;
};

/** A ClusterQueue, the same whichever API version it was read through. */
export type KueueClusterQueue = {
  /** The API version it was read through, e.g. `kueue.x-k8s.io/v1beta2`. */
  apiVersion: string;
  name: string;
  /** v1beta2 `spec.cohortName`, v1beta1 `spec.cohort`. */
  cohort?: string;
  /** The flavors of all resource groups. */
  flavors: KueueFlavorQuotas[];
  usage: KueueFlavorUsage[];
  reservation: KueueFlavorUsage[];
  admittedWorkloads?: number;
  pendingWorkloads?: number;
  reservingWorkloads?: number;
  /** The `Active` condition; undefined when the queue has none yet. */
  active?: boolean;
};

/** A LocalQueue, the same whichever API version it was read through. */
export type KueueLocalQueue = {
  apiVersion: string;
  namespace: string;
  name: string;
  clusterQueue: string;
  /** v1beta2 `status.flavorsUsage`, v1beta1 `status.flavorUsage`. */
  usage: KueueFlavorUsage[];
  admittedWorkloads?: number;
  pendingWorkloads?: number;
};

/** A ResourceFlavor, the same whichever API version it was read through. */
export type KueueResourceFlavor = {
  apiVersion: string;
  name: string;
  nodeLabels: Record<string, string>;
};

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Obj)
    : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** `{ nominalQuota: "32" }` only for the keys that are set. */
function quantities<K extends string>(
  source: Obj,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = text(source[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function flavorUsage(value: unknown): KueueFlavorUsage[] {
  return list(value).map(f => ({
    flavor: String(obj(f).name ?? ''),
    resources: list(obj(f).resources).map(r => ({
      name: String(obj(r).name ?? ''),
      ...quantities(obj(r), ['total', 'borrowed'] as const),
    })),
  }));
}

function metadataOf(object: unknown) {
  const metadata = obj(obj(object).metadata);
  return {
    name: String(metadata.name ?? ''),
    namespace: text(metadata.namespace),
  };
}

const apiVersionOf = (version: KueueApiVersion) => `${KUEUE_GROUP}/${version}`;

/** Reads a ClusterQueue in the field names of the API version it came from. */
export function toKueueClusterQueue(
  version: KueueApiVersion,
  object: unknown,
): KueueClusterQueue {
  const spec = obj(obj(object).spec);
  const status = obj(obj(object).status);
  const cohort = text(version === 'v1beta2' ? spec.cohortName : spec.cohort);
  const active = list(status.conditions)
    .map(obj)
    .find(c => c.type === 'Active');
  return {
    apiVersion: apiVersionOf(version),
    name: metadataOf(object).name,
    ...(cohort ? { cohort } : {}),
    flavors: list(spec.resourceGroups).flatMap(group =>
      list(obj(group).flavors).map(f => ({
        flavor: String(obj(f).name ?? ''),
        resources: list(obj(f).resources).map(r => ({
          name: String(obj(r).name ?? ''),
          ...quantities(obj(r), [
            'nominalQuota',
            'borrowingLimit',
            'lendingLimit',
          ] as const),
        })),
      })),
    ),
    usage: flavorUsage(status.flavorsUsage),
    reservation: flavorUsage(status.flavorsReservation),
    admittedWorkloads: int(status.admittedWorkloads),
    pendingWorkloads: int(status.pendingWorkloads),
    reservingWorkloads: int(status.reservingWorkloads),
    active: active ? active.status === 'True' : undefined,
  };
}

/** Reads a LocalQueue in the field names of the API version it came from. */
export function toKueueLocalQueue(
  version: KueueApiVersion,
  object: unknown,
): KueueLocalQueue {
  const { name, namespace } = metadataOf(object);
  const status = obj(obj(object).status);
  return {
    apiVersion: apiVersionOf(version),
    namespace: namespace ?? '',
    name,
    clusterQueue: text(obj(obj(object).spec).clusterQueue) ?? '',
    usage: flavorUsage(
      version === 'v1beta2' ? status.flavorsUsage : status.flavorUsage,
    ),
    admittedWorkloads: int(status.admittedWorkloads),
    pendingWorkloads: int(status.pendingWorkloads),
  };
}

/** Reads a ResourceFlavor (the same field names in both versions). */
export function toKueueResourceFlavor(
  version: KueueApiVersion,
  object: unknown,
): KueueResourceFlavor {
  const labels = obj(obj(obj(object).spec).nodeLabels);
  return {
    apiVersion: apiVersionOf(version),
    name: metadataOf(object).name,
    nodeLabels: Object.fromEntries(
      Object.entries(labels).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    ),
  };
}

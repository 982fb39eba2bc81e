import crypto from 'crypto';
import type { ApiOperations } from '../ApiOperations';
import { writeAs } from '../ControllerBase';
import type { ObjectStore } from '../ObjectStore';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';
import { clone, randomSuffix, timestamp } from '../util';

/*
 * The ReplicaSet machinery a workload controller builds on (the Deployment
 * controller, the Argo Rollouts controller): ReplicaSets owned by a
 * workload, their pods brought to each set's count as the ReplicaSet
 * controller does, and Events as the real components write them.
 */

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
export const DEPLOYMENT = typeOf('Deployment');
export const REPLICASET = typeOf('ReplicaSet');
export const POD = typeOf('Pod');
export const NODE = typeOf('Node');
export const EVENT = typeOf('Event');
export const SERVICE_ACCOUNT = typeOf('ServiceAccount');

export type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
};

/** A pod template as Deployments, ReplicaSets and Rollouts carry it. */
export type PodTemplate = {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { containers?: Array<{ name: string; image?: string }> };
};

export type PodStatus = {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: unknown[];
  [key: string]: unknown;
};

export const isReady = (pod: KubeObject) =>
  ((pod.status as PodStatus | undefined)?.conditions ?? []).some(
    c => c.type === 'Ready' && c.status === 'True',
  );

export const isUnscheduled = (pod: KubeObject) =>
  ((pod.status as PodStatus | undefined)?.conditions ?? []).some(
    c => c.type === 'PodScheduled' && c.status === 'False',
  );

export const ownedBy = (object: KubeObject, uid: string) =>
  object.metadata.ownerReferences?.some(r => r.uid === uid) ?? false;

/** The ReplicaSets `owner` (a Deployment or a Rollout) controls. */
export function replicaSetsOf(store: ObjectStore, owner: KubeObject) {
  return store
    .list(REPLICASET, owner.metadata.namespace)
    .filter(rs => ownedBy(rs, owner.metadata.uid!));
}

/** The pods of a ReplicaSet. */
export function podsOf(store: ObjectStore, rs: KubeObject) {
  return store
    .list(POD, rs.metadata.namespace)
    .filter(p => ownedBy(p, rs.metadata.uid!));
}

export const readyOf = (store: ObjectStore, rs: KubeObject) =>
  podsOf(store, rs).filter(isReady).length;

export function replicasOfSet(rs: KubeObject): number {
  return (rs.spec as { replicas?: number }).replicas ?? 0;
}

/** The workload (kind and name) that owns the ReplicaSet that owns `pod`. */
export function workloadOfPod(
  store: ObjectStore,
  pod: KubeObject,
): { kind: string; name: string } | undefined {
  const rsRef = pod.metadata.ownerReferences?.find(
    r => r.kind === 'ReplicaSet',
  );
  const rs = rsRef && store.get(REPLICASET, pod.metadata.namespace, rsRef.name);
  const owner = rs?.metadata.ownerReferences?.find(r => r.controller);
  return owner ? { kind: owner.kind, name: owner.name } : undefined;
}

/** An Event about `involved`, written as `component` writes it. */
export function recordEvent(
  store: ObjectStore,
  involved: KubeObject,
  e: {
    reason: string;
    message: string;
    type: 'Normal' | 'Warning';
    component: string;
    host?: string;
  },
) {
  const now = timestamp();
  const namespace = involved.metadata.namespace ?? 'default';
  writeAs(
    store,
    EVENT,
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${involved.metadata.name}.${crypto
          .randomBytes(8)
          .toString('hex')}`,
        namespace,
      },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: e.component,
      reportingInstance: e.host ?? '',
    },
    e.component,
  );
}

/**
 * The ReplicaSet `name` of `owner`, created with 0 replicas (the workload
 * controller scales it) when missing: its pods carry the template's labels
 * plus `hashLabel: hash`, as does its selector.
 */
export function ensureReplicaSet(
  store: ObjectStore,
  options: {
    owner: KubeObject;
    name: string;
    template: PodTemplate;
    selector?: { matchLabels?: Record<string, string> };
    hashLabel: string;
    hash: string;
    annotations: Record<string, string>;
    manager: string;
  },
): KubeObject {
  const { owner, name, template, hashLabel, hash } = options;
  const namespace = owner.metadata.namespace!;
  const existing = store.get(REPLICASET, namespace, name);
  if (existing) return existing;
  const podLabels = { ...template.metadata?.labels, [hashLabel]: hash };
  return writeAs(
    store,
    REPLICASET,
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace,
        labels: podLabels,
        annotations: options.annotations,
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.metadata.name!,
            uid: owner.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        // Scaled up by the workload controller.
        replicas: 0,
        selector: {
          matchLabels: { ...options.selector?.matchLabels, [hashLabel]: hash },
        },
        template: {
          ...template,
          metadata: { ...template.metadata, labels: podLabels },
        },
      },
    },
    options.manager,
  );
}

/**
 * The ReplicaSet controller: pods to the set's count, removing not-ready
 * pods first. Returns the pods it created (not scheduled yet).
 */
export function syncPods(
  store: ObjectStore,
  api: ApiOperations,
  rs: KubeObject,
): KubeObject[] {
  const namespace = rs.metadata.namespace!;
  const rsName = rs.metadata.name!;
  const target = replicasOfSet(rs);
  const pods = podsOf(store, rs);
  if (pods.length > target) {
    const byReadiness = [...pods].sort(
      (a, b) => Number(isReady(a)) - Number(isReady(b)),
    );
    for (const extra of byReadiness.slice(0, pods.length - target)) {
      api.delete(POD, namespace, extra.metadata.name!, {});
    }
    return [];
  }
  if (pods.length === target) return [];
  const template = (rs.spec as { template?: PodTemplate }).template ?? {};
  const podLabels = template.metadata?.labels ?? {};
  // As the ServiceAccount admission plugin: pods naming an account that
  // does not exist are refused ("default" is created with every
  // namespace by the real server; the fake does not list it).
  const account = (template.spec as { serviceAccountName?: string })
    ?.serviceAccountName;
  if (
    account !== undefined &&
    account !== 'default' &&
    !store.get(SERVICE_ACCOUNT, namespace, account)
  ) {
    recordEvent(store, rs, {
      reason: 'FailedCreate',
      type: 'Warning',
      component: 'replicaset-controller',
      message: `Error creating: pods "${rsName}-" is forbidden: error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`,
    });
    return [];
  }
  const created: KubeObject[] = [];
  for (let i = pods.length; i < target; i++) {
    created.push(
      writeAs(
        store,
        POD,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${rsName}-${randomSuffix()}`,
            generateName: `${rsName}-`,
            namespace,
            labels: podLabels,
            ...(template.metadata?.annotations
              ? { annotations: template.metadata.annotations }
              : {}),
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: rsName,
                uid: rs.metadata.uid!,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            restartPolicy: 'Always',
            schedulerName: 'default-scheduler',
            ...clone(template.spec ?? {}),
          },
          status: { phase: 'Pending', qosClass: 'BestEffort' },
        },
        'kube-controller-manager',
      ),
    );
  }
  return created;
}

import { ControllerBase } from './ControllerBase';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import { RESOURCE_TYPES } from './resources';
import type { KubeObject } from './types';
import { clone, deepEqual, isPlainObject, timestamp } from './util';

/*
 * A simulated KServe LLMInferenceService controller (serving.kserve.io,
 * modelled on KServe v0.20.0's pkg/controller/v1alpha2/llmisvc), single-node
 * mode only: for each LLMInferenceService it keeps a Deployment
 * `<name>-kserve` whose pods carry KServe's workload labels plus
 * `spec.labels` (and the Kueue labels of the object's own metadata), and a
 * Service `<name>-kserve-workload-svc`, both owned by it. The simulated
 * Deployment controller makes the pods and schedules them on the fake GPU
 * nodes; this controller copies the Deployment's state into the
 * conditions as KServe does (MainWorkloadReady from the Deployment's
 * Available and Progressing conditions, rolled up into WorkloadsReady and
 * Ready) and sets `status.url`. What it leaves out: prefill/decode and
 * multi-node workloads, the scheduler's own Deployment, real Gateway API
 * objects (a gateway named in `spec.router.gateway.refs` is taken as
 * ready), the WVA autoscaler (a `spec.scaling` workload runs
 * `minReplicas`).
 */

const LLMISVC_TYPES = RESOURCE_TYPES.filter(
  t => t.group === 'serving.kserve.io' && t.kind === 'LLMInferenceService',
);
const LLMISVC = LLMISVC_TYPES[0];
const DEPLOYMENT = RESOURCE_TYPES.find(t => t.kind === 'Deployment')!;
const SERVICE = RESOURCE_TYPES.find(t => t.kind === 'Service')!;

/** The manager KServe's controller writes as. */
const MANAGER = 'llmisvc-controller';
/** The image of KServe v0.20's `kserve-config-llm-template` preset. */
export const KSERVE_PRESET_IMAGE = 'ghcr.io/llm-d/llm-d-cuda:v0.8.0';

/**
 * A fault of the simulated controller: the condition it sets False with
 * this reason and message, on the LLMInferenceServices it matches (all
 * when no namespace or name is given). `PresetsCombined` blocks the
 * reconciliation (no Deployment is made), as a missing
 * LLMInferenceServiceConfig does; `RouterReady` leaves the workload
 * running but the service not Ready, as a gateway that is not ready does.
 */
export type LLMInferenceServiceFault = {
  namespace?: string;
  name?: string;
  condition: 'PresetsCombined' | 'RouterReady';
  reason: string;
  message: string;
};

type Condition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  severity?: string;
};

type Spec = {
  model?: { uri?: string; name?: string };
  replicas?: number;
  scaling?: { minReplicas?: number; maxReplicas?: number };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  template?: { containers?: Array<Record<string, unknown>> } & Record<
    string,
    unknown
  >;
  router?: {
    gateway?: { refs?: Array<{ name?: string; namespace?: string }> };
    route?: unknown;
    scheduler?: unknown;
  };
};

const mainDeploymentName = (name: string) => `${name}-kserve`;
const workloadServiceName = (name: string) => `${name}-kserve-workload-svc`;

/** The labels KServe's workload selector matches (GetWorkloadLabelSelector, plus singleNodeLabels). */
export function llmWorkloadLabels(name: string): Record<string, string> {
  return {
    'app.kubernetes.io/component': 'llminferenceservice-workload',
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'llminferenceservice',
    'kserve.io/component': 'workload',
    'llm-d.ai/role': 'both',
  };
}

function withPrefix(
  map: Record<string, string> | undefined,
  prefix: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map ?? {}).filter(([k]) => k.startsWith(prefix)),
  );
}

/** See the comment at the top of this file. */
export class LLMInferenceServiceController extends ControllerBase {
  private faults: LLMInferenceServiceFault[] = [];

  constructor(
    store: ObjectStore,
    private readonly options: { syncDelayMs: number },
  ) {
    super(store, MANAGER);
  }

  protected onStart() {
    for (const o of this.store.list(LLMISVC)) {
      this.syncLater(o.metadata.namespace!, o.metadata.name!);
    }
  }

  /** Sets a fault (see LLMInferenceServiceFault); `undefined` clears them all. */
  setFault(fault: LLMInferenceServiceFault | undefined) {
    this.faults = fault ? [...this.faults, fault] : [];
    for (const o of this.store.list(LLMISVC)) {
      this.syncLater(o.metadata.namespace!, o.metadata.name!);
    }
  }

  private faultFor(namespace: string, name: string) {
    return this.faults.filter(
      f =>
        (f.namespace === undefined || f.namespace === namespace) &&
        (f.name === undefined || f.name === name),
    );
  }

  protected onEvent(event: StoreEvent) {
    const { object } = event;
    const namespace = object.metadata.namespace!;
    if (LLMISVC_TYPES.includes(event.resource)) {
      if (event.type !== 'DELETED')
        this.syncLater(namespace, object.metadata.name!);
      return;
    }
    if (event.resource.kind === 'Deployment' && event.type !== 'DELETED') {
      const owner = object.metadata.ownerReferences?.find(
        r => r.kind === 'LLMInferenceService' && r.controller,
      );
      if (owner) this.syncLater(namespace, owner.name);
    }
  }

  /** One pending sync per LLMInferenceService. */
  private syncLater(namespace: string, name: string) {
    this.laterOnce(`${namespace}/${name}`, this.options.syncDelayMs, () =>
      this.reconcile(namespace, name),
    );
  }

  private reconcile(namespace: string, name: string) {
    const svc = this.store.get(LLMISVC, namespace, name);
    if (!svc || svc.metadata.deletionTimestamp) return;
    const spec = (svc.spec ?? {}) as Spec;
    const faults = this.faultFor(namespace, name);
    const presets = faults.find(f => f.condition === 'PresetsCombined');
    const conditions: Condition[] = [];
    if (presets) {
      // As KServe: a config that cannot be merged stops the reconciliation.
      conditions.push(
        {
          type: 'PresetsCombined',
          status: 'False',
          reason: presets.reason,
          message: presets.message,
        },
        {
          type: 'Ready',
          status: 'False',
          reason: presets.reason,
          message: presets.message,
        },
      );
      this.writeStatus(svc, conditions, undefined);
      return;
    }
    conditions.push({ type: 'PresetsCombined', status: 'True' });
    const deployment = this.reconcileWorkload(svc, spec);
    this.reconcileService(svc);

    const main = mainWorkloadCondition(deployment);
    conditions.push(main);
    if (spec.scaling) {
      conditions.push({ type: 'ScalingReady', status: 'True' });
    }
    conditions.push({
      ...main,
      type: 'WorkloadsReady',
    });
    const router = faults.find(f => f.condition === 'RouterReady');
    const routerReady: Condition = router
      ? {
          type: 'RouterReady',
          status: 'False',
          reason: router.reason,
          message: router.message,
        }
      : { type: 'RouterReady', status: 'True' };
    conditions.push(routerReady);
    const unready = [main, routerReady].find(c => c.status !== 'True');
    conditions.push(
      unready
        ? {
            type: 'Ready',
            status: unready.status,
            reason: unready.reason,
            message: unready.message,
          }
        : { type: 'Ready', status: 'True' },
    );
    this.writeStatus(svc, conditions, deployment);
  }

  private reconcileWorkload(svc: KubeObject, spec: Spec): KubeObject {
    const name = svc.metadata.name!;
    const namespace = svc.metadata.namespace!;
    const labels = llmWorkloadLabels(name);
    const template = clone(spec.template ?? {});
    const containers = (template.containers ?? []).map(c =>
      c.name === 'main' ? { image: KSERVE_PRESET_IMAGE, ...c } : c,
    );
    if (!containers.some(c => c.name === 'main')) {
      containers.unshift({ name: 'main', image: KSERVE_PRESET_IMAGE });
    }
    // propagateDeploymentMetadata: Kueue labels of the object itself go
    // down to the Deployment and its pods; spec.labels and spec.annotations
    // to the pods.
    const kueue = withPrefix(svc.metadata.labels, 'kueue.x-k8s.io');
    const replicas = spec.replicas ?? spec.scaling?.minReplicas ?? 1;
    const existing = this.store.get(
      DEPLOYMENT,
      namespace,
      mainDeploymentName(name),
    );
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        ...(existing ? clone(existing.metadata) : {}),
        name: mainDeploymentName(name),
        namespace,
        labels: { ...labels, ...kueue },
        ownerReferences: [
          {
            apiVersion: svc.apiVersion,
            kind: 'LLMInferenceService',
            name,
            uid: svc.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels: { ...labels, ...kueue, ...spec.labels },
            ...(spec.annotations ? { annotations: spec.annotations } : {}),
          },
          spec: { ...template, containers },
        },
      },
      ...(existing?.status ? { status: existing.status } : {}),
    };
    const unchanged =
      existing &&
      deepEqual(existing.spec, deployment.spec) &&
      deepEqual(existing.metadata.labels, deployment.metadata.labels);
    return unchanged ? existing : this.write(DEPLOYMENT, deployment);
  }

  private reconcileService(svc: KubeObject) {
    const name = svc.metadata.name!;
    const namespace = svc.metadata.namespace!;
    if (this.store.get(SERVICE, namespace, workloadServiceName(name))) return;
    this.write(SERVICE, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: workloadServiceName(name),
        namespace,
        labels: llmWorkloadLabels(name),
        ownerReferences: [
          {
            apiVersion: svc.apiVersion,
            kind: 'LLMInferenceService',
            name,
            uid: svc.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        type: 'ClusterIP',
        selector: {
          'app.kubernetes.io/name': name,
          'app.kubernetes.io/part-of': 'llminferenceservice',
          'kserve.io/component': 'workload',
        },
        ports: [
          { name: 'https', port: 8000, targetPort: 8000, protocol: 'TCP' },
        ],
      },
    });
  }

  private writeStatus(
    svc: KubeObject,
    conditions: Condition[],
    deployment: KubeObject | undefined,
  ) {
    const name = svc.metadata.name!;
    const previous = (isPlainObject(svc.status) ? svc.status : {}) as Record<
      string,
      unknown
    >;
    const previousConditions = (previous.conditions ?? []) as Condition[];
    const url = deployment ? urlOf(svc) : undefined;
    const readyReplicas = (
      deployment?.status as { readyReplicas?: number } | undefined
    )?.readyReplicas;
    const next: Record<string, unknown> = {
      observedGeneration: svc.metadata.generation,
      ...(url ? { url, addresses: [{ url }] } : {}),
      conditions: conditions
        .map(c => {
          const old = previousConditions.find(p => p.type === c.type);
          return {
            ...c,
            lastTransitionTime:
              old && old.status === c.status && old.lastTransitionTime
                ? old.lastTransitionTime
                : timestamp(),
          };
        })
        .sort((a, b) => a.type.localeCompare(b.type)),
      ...(deployment
        ? {
            workloads: {
              primary: {
                apiGroup: 'apps',
                kind: 'Deployment',
                name: deployment.metadata.name,
                ...(readyReplicas !== undefined ? { readyReplicas } : {}),
              },
              service: { kind: 'Service', name: workloadServiceName(name) },
            },
          }
        : {}),
    };
    const strip = (s: Record<string, unknown>) => ({
      ...s,
      conditions: ((s.conditions ?? []) as Condition[]).map(
        ({ lastTransitionTime: _, ...rest }) => rest,
      ),
    });
    if (deepEqual(strip(next), strip(previous))) return;
    this.write(LLMISVC, { ...svc, status: next }, 'status');
  }
}

/**
 * `status.url`: the route through the first Gateway the router names (as
 * KServe's HTTPRoute preset matches `/<namespace>/<name>/v1/...`), else the
 * workload Service, which KServe serves with TLS.
 */
function urlOf(svc: KubeObject): string {
  const name = svc.metadata.name!;
  const namespace = svc.metadata.namespace!;
  const gateway = (svc.spec as Spec | undefined)?.router?.gateway?.refs?.[0];
  if (gateway?.name) {
    return `http://${gateway.name}.${
      gateway.namespace ?? namespace
    }.svc.cluster.local/${namespace}/${name}`;
  }
  return `https://${workloadServiceName(
    name,
  )}.${namespace}.svc.cluster.local:8000`;
}

/**
 * MainWorkloadReady from the Deployment, as KServe's
 * propagateDeploymentStatus reads its conditions in order: Progressing
 * False marks it not ready with its reason, Available decides (True: ready,
 * else not ready with its reason) and ends the loop. So while old pods stay
 * available a rollout that fails leaves it ready, as on a real cluster.
 */
function mainWorkloadCondition(deployment: KubeObject): Condition {
  const conditions = ((
    deployment.status as { conditions?: Condition[] } | undefined
  )?.conditions ?? []) as Condition[];
  let result: Condition | undefined;
  for (const c of conditions) {
    if (c.type === 'Progressing' && c.status === 'False') {
      result = notReady(c.reason, c.message);
    }
    if (c.type === 'Available') {
      return c.status === 'True'
        ? { type: 'MainWorkloadReady', status: 'True' }
        : notReady(c.reason, c.message);
    }
  }
  return result ?? notReady('Progressing', '');
}

function notReady(reason?: string, message?: string): Condition {
  return {
    type: 'MainWorkloadReady',
    status: 'False',
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

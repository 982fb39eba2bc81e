import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { EndpointLiveStatus } from '@internal/plugin-ai-platform-common';
import type { ClusterClients } from './ClusterClients';
import type { StoredDeployment } from './DatabaseDeploymentStore';
import type {
  KubernetesClusterClient,
  LiveObject,
} from './kube/KubernetesClusterClient';
import type { KubernetesManifest } from './render/types';
import type { ResolvedEndpoint } from './resolveEndpoint';
import { readLLMInferenceServiceStatus } from './readLLMInferenceServiceStatus';
import {
  type DeployTargetName,
  LLM_INFERENCE_SERVICE,
} from './targets/clusterTargets';

type LiveDeployment = NonNullable<EndpointLiveStatus['deployment']>;
type Autoscaler = NonNullable<LiveDeployment['autoscaler']>;

type HpaSpec = {
  scaleTargetRef?: { kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
};

type HpaStatus = {
  currentReplicas?: number;
  desiredReplicas?: number;
  observedGeneration?: number;
  lastScaleTime?: unknown;
  conditions?: unknown[];
};

/**
 * The name of the HorizontalPodAutoscaler that scales the endpoint's
 * Deployment: the one the running revision applied (for a KEDA
 * ScaledObject, the HPA that KEDA makes for it); for an endpoint the portal
 * never deployed, one named like the Deployment, as the renderer names it.
 * Undefined when the running revision has no autoscaler.
 */
export function autoscalerName(options: {
  manifests: KubernetesManifest[] | undefined;
  deploymentName: string;
}): string | undefined {
  const { manifests } = options;
  if (!manifests) return options.deploymentName;
  const hpa = manifests.find(m => m.kind === 'HorizontalPodAutoscaler');
  if (hpa) return hpa.metadata.name;
  const scaledObject = manifests.find(m => m.kind === 'ScaledObject');
  if (scaledObject) {
    const spec = scaledObject.spec as
      | {
          advanced?: { horizontalPodAutoscalerConfig?: { name?: string } };
        }
      | undefined;
    return (
      spec?.advanced?.horizontalPodAutoscalerConfig?.name ??
      `keda-hpa-${scaledObject.metadata.name}`
    );
  }
  return undefined;
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * An HPA as the live status reports it, when it scales Deployment
 * `deploymentName`. An HPA the controller has not synced yet has no status,
 * or (from a real API server) `desiredReplicas: 0` with nothing else set:
 * its counts are then unknown, not 0.
 */
export function describeAutoscaler(
  hpa: LiveObject,
  deploymentName: string,
): Autoscaler | undefined {
  const spec = (hpa.spec ?? {}) as HpaSpec;
  const target = spec.scaleTargetRef;
  if (target?.kind !== 'Deployment' || target.name !== deploymentName) {
    return undefined;
  }
  if (!isCount(spec.maxReplicas)) return undefined;
  const status = (hpa.status ?? {}) as HpaStatus;
  const synced =
    (status.conditions?.length ?? 0) > 0 ||
    status.observedGeneration !== undefined ||
    status.lastScaleTime !== undefined ||
    isCount(status.currentReplicas) ||
    (isCount(status.desiredReplicas) && status.desiredReplicas > 0);
  return {
    name: hpa.metadata.name,
    ...(isCount(spec.minReplicas) ? { minReplicas: spec.minReplicas } : {}),
    maxReplicas: spec.maxReplicas,
    ...(isCount(status.currentReplicas)
      ? { currentReplicas: status.currentReplicas }
      : {}),
    ...(synced && isCount(status.desiredReplicas)
      ? { desiredReplicas: status.desiredReplicas }
      : {}),
  };
}

/**
 * The Deployment as the live status reports it. The replicas wanted now
 * are the autoscaler's when it has decided, else `spec.replicas` (which
 * the autoscaler sets when it scales), else `status.replicas`.
 */
export function describeDeployment(
  live: LiveObject,
  autoscaler: Autoscaler | undefined,
): LiveDeployment {
  const status = live.status ?? {};
  const replicas = (live.spec as { replicas?: number } | undefined)?.replicas;
  const desiredReplicas =
    autoscaler?.desiredReplicas ??
    (isCount(replicas) ? replicas : undefined) ??
    (isCount(status.replicas) ? status.replicas : undefined);
  return {
    name: live.metadata.name,
    replicas,
    ...(desiredReplicas !== undefined ? { desiredReplicas } : {}),
    ...(autoscaler ? { autoscaler } : {}),
    readyReplicas: status.readyReplicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    conditions: (status.conditions ?? []).map((c: any) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
  };
}

/** Reads an HPA; undefined when it is missing or cannot be read (which is logged). */
async function readAutoscaler(options: {
  client: KubernetesClusterClient;
  name: string | undefined;
  namespace: string;
  logger: LoggerService;
}): Promise<LiveObject | undefined> {
  const { name, namespace } = options;
  if (!name) return undefined;
  try {
    return await options.client.read({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace },
    });
  } catch (error) {
    // The page still shows the Deployment; its desired count falls back to
    // spec.replicas.
    options.logger.warn('Could not read the HorizontalPodAutoscaler', {
      name,
      namespace,
      error: String(error),
    });
    return undefined;
  }
}

/**
 * What runs now: the records' running version and, where the pool's
 * cluster is configured, the workload's state: its Deployment (with its
 * autoscaler), pods and recent events.
 */
export async function readLiveStatus(options: {
  resolved: ResolvedEndpoint;
  /** The running revision, per the records; undefined when the portal never applied one. */
  running: StoredDeployment | undefined;
  clients: Pick<ClusterClients, 'target' | 'client'>;
  logger: LoggerService;
  /** The cluster's configured deploy target: what to read when no revision runs yet. */
  target?: DeployTargetName;
}): Promise<EndpointLiveStatus> {
  const { resolved, running } = options;
  const deploymentManifest = running?.manifests.find(
    m => m.kind === 'Deployment',
  );
  const name =
    deploymentManifest?.metadata.name ??
    resolved.endpoint.metadata.annotations?.['backstage.io/kubernetes-id'] ??
    resolved.endpoint.metadata.name;
  const namespace =
    deploymentManifest?.metadata.namespace ??
    resolved.endpoint.spec.namespace ??
    'default';
  const base: EndpointLiveStatus = {
    endpointRef: resolved.endpointRef,
    cluster: resolved.pool.spec.cluster,
    namespace,
    clusterConfigured: false,
    catalogModelVersion: resolved.endpoint.spec.modelVersion,
    ...(running
      ? {
          runningModelVersion: running.modelVersion,
          runningRevision: running.revision,
        }
      : {}),
    pods: [],
    events: [],
  };
  const target = options.clients.target(
    resolved.pool.spec.cluster,
    stringifyEntityRef(resolved.pool),
  );
  if ('notConfigured' in target) {
    return { ...base, error: target.notConfigured };
  }
  const client = options.clients.client(target.cluster);
  const llmisvc =
    running?.manifests.find(m => m.kind === 'LLMInferenceService') ??
    (!running && options.target === 'llm-inference-service'
      ? {
          apiVersion: LLM_INFERENCE_SERVICE.apiVersion,
          kind: LLM_INFERENCE_SERVICE.kind,
          metadata: { name, namespace },
        }
      : undefined);
  try {
    if (llmisvc) {
      return {
        ...base,
        clusterConfigured: true,
        ...(await readLLMInferenceServiceStatus({ client, manifest: llmisvc })),
      };
    }
    const [live, hpa, pods, events] = await Promise.all([
      client.read({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
      }),
      readAutoscaler({
        client,
        name: autoscalerName({
          manifests: running?.manifests,
          deploymentName: name,
        }),
        namespace,
        logger: options.logger,
      }),
      client.pods(
        namespace,
        `app.kubernetes.io/name=vllm,app.kubernetes.io/instance=${name}`,
      ),
      client.events(namespace, name),
    ]);
    return {
      ...base,
      clusterConfigured: true,
      target: 'deployment',
      ...(live
        ? {
            deployment: describeDeployment(
              live,
              hpa && describeAutoscaler(hpa, name),
            ),
          }
        : {
            error: `There is no Deployment ${name} in namespace ${namespace}`,
          }),
      pods: pods.map(p => ({
        name: p.name,
        phase: p.phase,
        ready: p.ready,
        restarts: p.restarts,
        ...(p.reason ? { reason: p.reason } : {}),
      })),
      events: events.slice(-20),
    };
  } catch (error) {
    return {
      ...base,
      clusterConfigured: true,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

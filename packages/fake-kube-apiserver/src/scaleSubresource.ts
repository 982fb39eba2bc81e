import {
  type ApiOperations,
  applyMergePatch,
  type WriteContext,
} from './ApiOperations';
import type { ResourceType } from './resources';
import { badRequest, invalid, methodNotAllowed } from './status';
import type { KubeObject } from './types';
import { isPlainObject } from './util';

/*
 * The `scale` subresource of a custom resource, as the API server serves it
 * from the CRD's `subresources.scale` (autoscaling/v1 Scale): Argo Rollouts
 * v1.8's rollout CRD (manifests/crds/rollout-crd.yaml) declares
 * `specReplicasPath: .spec.replicas`, `statusReplicasPath:
 * .status.HPAReplicas`, `labelSelectorPath: .status.selector`. A write
 * changes only `spec.replicas`, recorded for the writer's field manager with
 * subresource `scale`.
 */

/** The Scale of `object`. */
export function scaleOf(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number };
  const status = (object.status ?? {}) as {
    HPAReplicas?: number;
    selector?: string;
  };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: {
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
    },
    status: {
      replicas: status.HPAReplicas ?? 0,
      ...(status.selector ? { selector: status.selector } : {}),
    },
  };
}

/** GET, PUT or merge PATCH of `<object>/scale`; answers the Scale after the change. */
export function handleScale(options: {
  api: ApiOperations;
  type: ResourceType;
  namespace: string | undefined;
  name: string;
  method: string;
  contentType: string | undefined;
  body: unknown;
  ctx: WriteContext;
}): KubeObject {
  const { api, type, namespace, name, method } = options;
  const current = api.get(type, namespace, name);
  if (method === 'GET') return scaleOf(current);
  let next: unknown;
  if (method === 'PUT') {
    next = options.body;
  } else if (method === 'PATCH') {
    if (
      options.contentType !== 'application/merge-patch+json' &&
      options.contentType !== 'application/strategic-merge-patch+json'
    ) {
      throw badRequest(
        `the fake Kubernetes API server patches a scale subresource with a merge patch only, not ${options.contentType}`,
      );
    }
    if (!isPlainObject(options.body)) {
      throw badRequest('a merge patch must be a JSON object');
    }
    next = applyMergePatch(scaleOf(current), options.body);
  } else {
    throw methodNotAllowed(method);
  }
  const replicas = isPlainObject(next)
    ? (next.spec as { replicas?: unknown } | undefined)?.replicas
    : undefined;
  if (
    typeof replicas !== 'number' ||
    !Number.isInteger(replicas) ||
    replicas < 0
  ) {
    throw invalid({ ...type, kind: 'Scale' }, name, [
      {
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(
          replicas,
        )}: must be greater than or equal to 0`,
      },
    ]);
  }
  const updated = api.mergePatch(
    type,
    namespace,
    name,
    { spec: { replicas } },
    { ...options.ctx, subresource: 'scale' },
  );
  return scaleOf(updated);
}

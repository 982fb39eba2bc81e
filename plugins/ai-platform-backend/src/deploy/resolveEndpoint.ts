import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AI_PLATFORM_API_VERSION,
  canonicalEntityRef,
  type GpuPoolEntityV1alpha1,
  type InferenceEndpointEntityV1alpha1,
  inferenceEndpointEntityV1alpha1Validator,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  isModelEntity,
  type ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';

/** An endpoint with the catalog entities a deployment of it needs. */
export type ResolvedEndpoint = {
  endpoint: InferenceEndpointEntityV1alpha1;
  endpointRef: string;
  /** False for an entity posted in the request that the catalog does not have yet. */
  inCatalog: boolean;
  model: ModelEntityV1alpha1;
  pool: GpuPoolEntityV1alpha1;
  /** The owner group (its spec.owner), whose quota the endpoint uses. */
  team: string;
};

/** An endpoint ref in its full form (`inferenceendpoint:default/name`); InputError when it cannot be read. */
export function canonicalEndpointRef(ref: string): string {
  try {
    return canonicalEntityRef(ref, { defaultKind: 'InferenceEndpoint' });
  } catch (error) {
    throw new InputError(`endpoint: ${(error as Error).message}`);
  }
}

/** The endpoint a call names, as best it can be read (for the audit record of a refused call). */
export function endpointRefOf(
  endpoint: string | Record<string, unknown>,
): string | undefined {
  try {
    if (typeof endpoint === 'string') {
      return canonicalEndpointRef(endpoint);
    }
    const metadata = (endpoint as Partial<Entity>).metadata;
    return typeof metadata?.name === 'string'
      ? stringifyEntityRef({
          kind: 'InferenceEndpoint',
          namespace: metadata.namespace ?? 'default',
          name: metadata.name,
        })
      : undefined;
  } catch {
    return undefined;
  }
}

/** A posted InferenceEndpoint entity, validated; InputError naming the field otherwise. */
function validEndpointEntity(
  endpoint: Record<string, unknown>,
): InferenceEndpointEntityV1alpha1 {
  const candidate = endpoint as unknown as Entity;
  if (
    candidate.apiVersion !== AI_PLATFORM_API_VERSION ||
    candidate.kind !== 'InferenceEndpoint' ||
    typeof candidate.metadata?.name !== 'string'
  ) {
    throw new InputError(
      `endpoint must be an entity ref or an InferenceEndpoint entity (apiVersion ${AI_PLATFORM_API_VERSION}, kind InferenceEndpoint, metadata.name)`,
    );
  }
  const problems = inferenceEndpointEntityV1alpha1Validator.validate(candidate);
  if (problems.length) {
    throw new InputError(
      `endpoint is invalid: ${problems
        .map(p => `${p.path} ${p.message}`)
        .join('; ')}`,
    );
  }
  return candidate as InferenceEndpointEntityV1alpha1;
}

/**
 * Finds an endpoint (an entity ref, or an entity posted for one not in the
 * catalog yet), its model, its pool and its owner team. The catalog's
 * entity, when there is one, is the truth: a request cannot change an
 * endpoint's owner by posting its own copy.
 */
export async function resolveEndpoint(options: {
  catalog: CatalogService;
  endpoint: string | Record<string, unknown>;
  credentials: BackstageCredentials;
}): Promise<ResolvedEndpoint> {
  const { catalog, credentials } = options;
  const byRef = (ref: string) => catalog.getEntityByRef(ref, { credentials });
  let entity: InferenceEndpointEntityV1alpha1;
  let inCatalog = true;
  if (typeof options.endpoint === 'string') {
    const ref = canonicalEndpointRef(options.endpoint);
    const found = await byRef(ref);
    if (!found || !isInferenceEndpointEntity(found)) {
      throw new NotFoundError(`${ref} is not in the catalog`);
    }
    entity = found;
  } else {
    entity = validEndpointEntity(options.endpoint);
    const found = await byRef(stringifyEntityRef(entity));
    if (found && isInferenceEndpointEntity(found)) {
      entity = found;
    } else {
      inCatalog = false;
    }
  }
  const namespace = entity.metadata.namespace ?? 'default';
  const endpointRef = stringifyEntityRef(entity);
  const refOf = (value: string, kind: string) =>
    canonicalEntityRef(value, {
      defaultKind: kind,
      defaultNamespace: namespace,
    });
  const modelRef = refOf(entity.spec.model, 'Model');
  if (!entity.spec.gpuPool) {
    throw new InputError(
      `${endpointRef} has no spec.gpuPool: the portal deploys endpoints onto a GpuPool`,
    );
  }
  const poolRef = refOf(entity.spec.gpuPool, 'GpuPool');
  const [model, pool] = await Promise.all([byRef(modelRef), byRef(poolRef)]);
  if (!model || !isModelEntity(model)) {
    throw new NotFoundError(
      `${modelRef}, named by spec.model of ${endpointRef}, is not in the catalog`,
    );
  }
  if (!pool || !isGpuPoolEntity(pool)) {
    throw new NotFoundError(
      `${poolRef}, named by spec.gpuPool of ${endpointRef}, is not in the catalog`,
    );
  }
  return {
    endpoint: entity,
    endpointRef,
    inCatalog,
    model,
    pool,
    team: refOf(entity.spec.owner, 'Group'),
  };
}

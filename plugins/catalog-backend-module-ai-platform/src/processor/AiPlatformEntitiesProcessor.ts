import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  type Entity,
  type CompoundEntityRef,
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
  RELATION_HAS_PART,
  RELATION_PROVIDES_API,
  RELATION_API_PROVIDED_BY,
} from '@backstage/catalog-model';
import type { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  type CatalogProcessor,
  type CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  type AiPlatformKindValidator,
  type InferenceEndpointEntityV1alpha1,
  RELATION_BASE_OF,
  RELATION_DERIVED_FROM,
  RELATION_HOSTS,
  RELATION_RUNS_ON,
  RELATION_SERVED_BY,
  RELATION_SERVES,
  gpuPoolEntityV1alpha1Validator,
  gpusNeeded,
  gpusPerNode,
  inferenceEndpointEntityV1alpha1Validator,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  isModelEntity,
  modelEntityV1alpha1Validator,
} from '@internal/plugin-ai-platform-common';
import type { RelatedEntityLookup } from './RelatedEntityLookup';

const validators: AiPlatformKindValidator[] = [
  modelEntityV1alpha1Validator,
  inferenceEndpointEntityV1alpha1Validator,
  gpuPoolEntityV1alpha1Validator,
];

/** One reference field of a kind and the relation pair it yields. */
type RefField = {
  path: string;
  values: (entity: Entity) => string[];
  defaultKind: string;
  allowedKinds: string[];
  outgoing: string;
  incoming: string;
};

const ownerField: RefField = {
  path: 'spec.owner',
  values: e => [e.spec?.owner as string],
  defaultKind: 'Group',
  allowedKinds: ['Group', 'User'],
  outgoing: RELATION_OWNED_BY,
  incoming: RELATION_OWNER_OF,
};

const systemField: RefField = {
  path: 'spec.system',
  values: e => (e.spec?.system ? [e.spec.system as string] : []),
  defaultKind: 'System',
  allowedKinds: ['System'],
  outgoing: RELATION_PART_OF,
  incoming: RELATION_HAS_PART,
};

const refFields: Record<string, RefField[]> = {
  Model: [
    ownerField,
    systemField,
    {
      path: 'spec.baseModel',
      values: e => (e.spec?.baseModel ? [e.spec.baseModel as string] : []),
      defaultKind: 'Model',
      allowedKinds: ['Model'],
      outgoing: RELATION_DERIVED_FROM,
      incoming: RELATION_BASE_OF,
    },
  ],
  InferenceEndpoint: [
    ownerField,
    systemField,
    {
      path: 'spec.model',
      values: e => [e.spec?.model as string],
      defaultKind: 'Model',
      allowedKinds: ['Model'],
      outgoing: RELATION_SERVES,
      incoming: RELATION_SERVED_BY,
    },
    {
      path: 'spec.gpuPool',
      values: e => (e.spec?.gpuPool ? [e.spec.gpuPool as string] : []),
      defaultKind: 'GpuPool',
      allowedKinds: ['GpuPool'],
      outgoing: RELATION_RUNS_ON,
      incoming: RELATION_HOSTS,
    },
    {
      path: 'spec.providesApis',
      values: e => (e.spec?.providesApis as string[] | undefined) ?? [],
      defaultKind: 'API',
      allowedKinds: ['API'],
      outgoing: RELATION_PROVIDES_API,
      incoming: RELATION_API_PROVIDED_BY,
    },
  ],
  GpuPool: [ownerField, systemField],
};

/**
 * Validates the Model, InferenceEndpoint and GpuPool kinds and emits their
 * relations in both directions. With a {@link RelatedEntityLookup}, it also
 * checks the rules that span entities (an endpoint against its model and pool)
 * and reports a broken one as a processing error of the endpoint.
 */
export class AiPlatformEntitiesProcessor implements CatalogProcessor {
  private readonly lookup?: RelatedEntityLookup;
  private readonly logger?: LoggerService;

  constructor(
    options: { lookup?: RelatedEntityLookup; logger?: LoggerService } = {},
  ) {
    this.lookup = options.lookup;
    this.logger = options.logger;
  }

  getProcessorName(): string {
    return 'AiPlatformEntitiesProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    for (const validator of validators) {
      if (await validator.check(entity)) {
        return true;
      }
    }
    return false;
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (
      !isModelEntity(entity) &&
      !isInferenceEndpointEntity(entity) &&
      !isGpuPoolEntity(entity)
    ) {
      return entity;
    }
    const self = getCompoundEntityRef(entity);
    const refs = new Map<string, CompoundEntityRef>();
    for (const field of refFields[entity.kind]) {
      for (const [i, value] of field.values(entity).entries()) {
        const fieldPath =
          field.path === 'spec.providesApis'
            ? `${field.path}[${i}]`
            : field.path;
        const target = this.parseRef(
          entity,
          fieldPath,
          value,
          field,
          location,
          emit,
        );
        if (!target) continue;
        refs.set(fieldPath, target);
        emit(
          processingResult.relation({
            source: self,
            type: field.outgoing,
            target,
          }),
        );
        emit(
          processingResult.relation({
            source: target,
            type: field.incoming,
            target: self,
          }),
        );
      }
    }
    if (isInferenceEndpointEntity(entity) && this.lookup) {
      for (const message of await this.crossEntityProblems(entity, refs)) {
        emit(
          processingResult.inputError(
            location,
            `InferenceEndpoint "${self.namespace}/${self.name}" is inconsistent with related entities: ${message}`,
          ),
        );
      }
    }
    return entity;
  }

  private parseRef(
    entity: Entity,
    path: string,
    value: string,
    field: RefField,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): CompoundEntityRef | undefined {
    const what = `${entity.kind} "${entity.metadata.namespace ?? 'default'}/${
      entity.metadata.name
    }"`;
    let target: CompoundEntityRef;
    try {
      target = parseEntityRef(value, {
        defaultKind: field.defaultKind,
        defaultNamespace: entity.metadata.namespace ?? 'default',
      });
    } catch (e) {
      emit(
        processingResult.inputError(
          location,
          `${what} is invalid: ${path} must be an entity reference such as ${field.defaultKind.toLocaleLowerCase(
            'en-US',
          )}:default/name (got ${JSON.stringify(value)})`,
        ),
      );
      return undefined;
    }
    const kind = field.allowedKinds.find(
      k =>
        k.toLocaleLowerCase('en-US') === target.kind.toLocaleLowerCase('en-US'),
    );
    if (!kind) {
      emit(
        processingResult.inputError(
          location,
          `${what} is invalid: ${path} must refer to a ${field.allowedKinds.join(
            ' or ',
          )} (got ${JSON.stringify(value)})`,
        ),
      );
      return undefined;
    }
    return { ...target, kind };
  }

  private async crossEntityProblems(
    entity: InferenceEndpointEntityV1alpha1,
    refs: Map<string, CompoundEntityRef>,
  ): Promise<string[]> {
    const problems: string[] = [];
    const { spec } = entity;
    const modelRef = refs.get('spec.model');
    const poolRef = refs.get('spec.gpuPool');
    const [model, pool] = await Promise.all([
      modelRef && this.find(modelRef),
      poolRef && this.find(poolRef),
    ]);
    if (model && isModelEntity(model)) {
      const names = model.spec.versions.map(v => v.name);
      if (!names.includes(spec.modelVersion)) {
        problems.push(
          `spec.modelVersion "${
            spec.modelVersion
          }" is not a version of ${stringifyEntityRef(
            model,
          )} (its versions: ${names.join(', ')})`,
        );
      }
    }
    if (pool && isGpuPoolEntity(pool) && spec.resources) {
      const poolName = stringifyEntityRef(pool);
      const { gpu } = pool.spec;
      const needed = gpusNeeded(spec.resources);
      const { gpusPerReplica, replicas, maxReplicas } = spec.resources;
      const replicaText =
        maxReplicas !== undefined && maxReplicas > replicas
          ? `maxReplicas ${maxReplicas}`
          : `replicas ${replicas}`;
      if (needed > gpu.count) {
        problems.push(
          `spec.resources needs ${needed} GPUs (gpusPerReplica ${gpusPerReplica} x ${replicaText}) but ${poolName} has ${gpu.count} in all (spec.gpu.count)`,
        );
      }
      if (gpusPerReplica > gpusPerNode(gpu)) {
        problems.push(
          `spec.resources.gpusPerReplica (${gpusPerReplica}) exceeds the ${gpusPerNode(
            gpu,
          )} GPUs per node of ${poolName} (spec.gpu.perNode); a replica cannot span nodes`,
        );
      }
      if (spec.cluster && spec.cluster !== pool.spec.cluster) {
        problems.push(
          `spec.cluster "${spec.cluster}" differs from the cluster of ${poolName} ("${pool.spec.cluster}"), which is where the endpoint runs`,
        );
      }
    }
    return problems;
  }

  private async find(ref: CompoundEntityRef): Promise<Entity | undefined> {
    try {
      return await this.lookup!.getEntity(stringifyEntityRef(ref));
    } catch (error) {
      // The checks are best effort: they run again on the next processing.
      this.logger?.warn(
        'Could not look up a related entity; skipping its checks',
        {
          entityRef: stringifyEntityRef(ref),
          error: String(error),
        },
      );
      return undefined;
    }
  }
}

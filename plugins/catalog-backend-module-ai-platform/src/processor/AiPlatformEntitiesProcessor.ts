import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  type Entity,
  type CompoundEntityRef,
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  type CatalogProcessor,
  type CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  AI_PLATFORM_RELATION_FIELDS,
  type AiPlatformKind,
  type AiPlatformKindValidator,
  type AiPlatformRelationField,
  gpuPoolEntityV1alpha1Validator,
  inferenceEndpointEntityV1alpha1Validator,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  isModelEntity,
  modelEntityV1alpha1Validator,
  referencesAt,
} from '@internal/plugin-ai-platform-common';
import { crossEntityRules, type RelatedEntities } from './crossEntityRules';
import type { RelatedEntityLookup } from './RelatedEntityLookup';

const validators: AiPlatformKindValidator[] = [
  modelEntityV1alpha1Validator,
  inferenceEndpointEntityV1alpha1Validator,
  gpuPoolEntityV1alpha1Validator,
];

/** A reference of an entity, read from one of its relation fields. */
type Reference = {
  field: AiPlatformRelationField;
  /** `spec.model`, or `spec.providesApis[1]` for an item of a list. */
  path: string;
  target?: CompoundEntityRef;
  /** Why the reference is unusable, when it is. */
  problem?: string;
};

function entityLabel(entity: Entity) {
  return `${entity.kind} "${entity.metadata.namespace ?? 'default'}/${
    entity.metadata.name
  }"`;
}

/**
 * The references of an entity of our kinds, each parsed as the catalog
 * parses it (the field's default kind, the entity's namespace), and checked
 * against the kinds the field allows (rule `referenceKinds`).
 */
export function readReferences(entity: Entity): Reference[] {
  const fields = AI_PLATFORM_RELATION_FIELDS[entity.kind as AiPlatformKind];
  return (fields ?? []).flatMap(field => {
    const values = referencesAt(entity, field.path);
    const isList = Array.isArray(
      field.path
        .split('.')
        .reduce<unknown>(
          (o, k) => (o as Record<string, unknown> | undefined)?.[k],
          entity,
        ),
    );
    return values.map((value, i): Reference => {
      const path = isList ? `${field.path}[${i}]` : field.path;
      let target: CompoundEntityRef;
      try {
        target = parseEntityRef(value, {
          defaultKind: field.defaultKind,
          defaultNamespace: entity.metadata.namespace ?? 'default',
        });
      } catch {
        return {
          field,
          path,
          problem: `${path} must be an entity reference such as ${field.defaultKind.toLocaleLowerCase(
            'en-US',
          )}:default/name (got ${JSON.stringify(value)})`,
        };
      }
      const kind = field.allowedKinds.find(
        k =>
          k.toLocaleLowerCase('en-US') ===
          target.kind.toLocaleLowerCase('en-US'),
      );
      if (!kind) {
        return {
          field,
          path,
          problem: `${path} must refer to a ${field.allowedKinds.join(
            ' or ',
          )} (got ${JSON.stringify(value)})`,
        };
      }
      return { field, path, target: { ...target, kind } };
    });
  });
}

/**
 * Validates the Model, InferenceEndpoint and GpuPool kinds with errors that
 * name the entity, the field and the reason, and checks that their
 * references name the right kinds. With a {@link RelatedEntityLookup}, it
 * also checks the rules that span entities (an endpoint against its model
 * and pool) and reports a broken one as a processing error of the endpoint.
 *
 * The relations of our kinds come from the catalog model layer
 * (`aiPlatformCatalogModel`, whose relation fields the catalog's
 * ModelProcessor turns into relations in both directions), not from here,
 * so none is emitted twice. It runs before the catalog's processors
 * (priority 10; the default is 20), so that an invalid entity is reported
 * with its clear message rather than the model processor's schema error.
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

  getPriority(): number {
    return 10;
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
    const references = readReferences(entity);
    for (const { problem } of references) {
      if (problem) {
        emit(
          processingResult.inputError(
            location,
            `${entityLabel(entity)} is invalid: ${problem}`,
          ),
        );
      }
    }
    if (isInferenceEndpointEntity(entity) && this.lookup) {
      const target = (path: string) =>
        references.find(r => r.path === path)?.target;
      const related = await this.related(
        target('spec.model'),
        target('spec.gpuPool'),
      );
      for (const rule of crossEntityRules) {
        for (const message of rule.check(entity, related)) {
          emit(
            processingResult.inputError(
              location,
              `InferenceEndpoint "${self.namespace}/${self.name}" is inconsistent with related entities: ${message}`,
            ),
          );
        }
      }
    }
    return entity;
  }

  /** The endpoint's model and pool, where the catalog has them. */
  private async related(
    modelRef?: CompoundEntityRef,
    poolRef?: CompoundEntityRef,
  ): Promise<RelatedEntities> {
    const [model, pool] = await Promise.all([
      modelRef && this.find(modelRef),
      poolRef && this.find(poolRef),
    ]);
    return {
      model: model && isModelEntity(model) ? model : undefined,
      pool: pool && isGpuPoolEntity(pool) ? pool : undefined,
    };
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

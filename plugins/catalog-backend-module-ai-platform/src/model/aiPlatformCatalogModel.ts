import {
  createCatalogModelLayer,
  type CatalogModelKindRelationFieldDefinition,
  type CatalogModelKindVersionDefinition,
  type CatalogModelLayer,
} from '@backstage/catalog-model/alpha';
import {
  AI_PLATFORM_RELATION_FIELDS,
  type AiPlatformKind,
  type AiPlatformRelationField,
  aiPlatformCatalogModelSchemas,
  gpuPoolEntityV1alpha1Schema,
  inferenceEndpointEntityV1alpha1Schema,
  modelEntityV1alpha1Schema,
} from '@internal/plugin-ai-platform-common';

const kinds: Array<{
  kind: AiPlatformKind;
  singular: string;
  plural: string;
  description: string;
}> = [
  {
    kind: 'Model',
    singular: 'model',
    plural: 'models',
    description: modelEntityV1alpha1Schema.description,
  },
  {
    kind: 'InferenceEndpoint',
    singular: 'inference endpoint',
    plural: 'inference endpoints',
    description: inferenceEndpointEntityV1alpha1Schema.description,
  },
  {
    kind: 'GpuPool',
    singular: 'GPU pool',
    plural: 'GPU pools',
    description: gpuPoolEntityV1alpha1Schema.description,
  },
];

function relationFieldDefinition(
  field: AiPlatformRelationField,
): CatalogModelKindRelationFieldDefinition {
  return {
    selector: { path: field.path },
    relation: field.relation,
    defaultKind: field.defaultKind,
    defaultNamespace: 'inherit',
    allowedKinds: field.allowedKinds,
  };
}

/**
 * The kind's description, with its relation fields: Backstage 1.55's
 * `get-catalog-model-description` action prints a kind's description,
 * versions and spec types, and the relation pairs, but not the relation
 * fields of a kind, so they are listed here.
 */
function describeKind(kind: AiPlatformKind, description: string) {
  const fields = AI_PLATFORM_RELATION_FIELDS[kind].map(
    f =>
      `"${f.path}" (${f.relation} ${f.allowedKinds.join(' or ')}; reverse ${
        f.reverse
      })`,
  );
  return `${description}\n\nRelation fields: ${fields.join(', ')}.`;
}

/** All the (from, to) pairs of one relation type across our kinds. */
function pairsOf(relation: string) {
  const pairs = new Map<string, Set<string>>();
  for (const { kind } of kinds) {
    for (const field of AI_PLATFORM_RELATION_FIELDS[kind]) {
      if (field.relation !== relation) continue;
      const to = pairs.get(kind) ?? new Set<string>();
      field.allowedKinds.forEach(k => to.add(k));
      pairs.set(kind, to);
    }
  }
  return pairs;
}

/** Relation types the default Backstage model declares already. */
const BACKSTAGE_RELATIONS = new Set(['ownedBy', 'partOf', 'providesApi']);

/**
 * The catalog model layer of the ai-platform kinds (Backstage 1.50 and
 * later: `@backstage/catalog-model/alpha`): Model, InferenceEndpoint and
 * GpuPool at `ai-platform.io/v1alpha1`, with the spec-only schemas
 * generated from the kind schemas (InferenceEndpoint's pool-backed spec
 * types `vllm`, `tgi`, `triton`, `kserve` need `gpuPool`, `namespace` and
 * `resources`; `external` does not), their relation fields, and the
 * relation pairs, so that the catalog's model processor emits every
 * relation of our kinds in both directions.
 *
 * It builds on Backstage's default model (our kinds join its `ownedBy`,
 * `partOf`, `providesApi` and `dependsOn` pairs), so register it with it:
 * `CatalogModelSources.static([aiPlatformCatalogModel])`.
 */
export const aiPlatformCatalogModel: CatalogModelLayer =
  createCatalogModelLayer({
    layerId: 'ai-platform.io/kinds',
    builder: model => {
      for (const { kind, singular, plural, description } of kinds) {
        const schemas = aiPlatformCatalogModelSchemas[kind];
        const relationFields = AI_PLATFORM_RELATION_FIELDS[kind].map(
          relationFieldDefinition,
        );
        model.addKind({
          group: schemas.apiVersion.split('/')[0],
          names: { kind, singular, plural },
          description: describeKind(kind, description),
          versions: schemas.versions.map(
            (v): CatalogModelKindVersionDefinition => ({
              name: schemas.apiVersion.split('/')[1],
              ...(v.specType ? { specType: v.specType } : {}),
              ...(v.description ? { description: v.description } : {}),
              relationFields,
              schema: {
                jsonSchema:
                  v.jsonSchema as CatalogModelKindVersionDefinition['schema']['jsonSchema'],
              },
            }),
          ),
        });
      }

      // One pair per relation type; Backstage's own types get our kinds
      // added, keeping their titles and descriptions.
      const seen = new Set<string>();
      for (const { kind } of kinds) {
        for (const field of AI_PLATFORM_RELATION_FIELDS[kind]) {
          if (seen.has(field.relation)) continue;
          seen.add(field.relation);
          for (const [from, to] of pairsOf(field.relation)) {
            if (BACKSTAGE_RELATIONS.has(field.relation)) {
              model.updateRelationPair({
                fromKind: from,
                toKind: [...to],
                forward: { type: field.relation },
                reverse: { type: field.reverse },
              });
            } else {
              model.addRelationPair({
                fromKind: from,
                toKind: [...to],
                description: field.description,
                forward: { type: field.relation, title: field.title },
                reverse: { type: field.reverse, title: field.reverseTitle },
              });
            }
          }
        }
      }

      // A Component's spec.dependsOn may name an endpoint; without this pair
      // the catalog emits dependsOn but not the endpoint's dependencyOf.
      model.updateRelationPair({
        fromKind: 'Component',
        toKind: 'InferenceEndpoint',
        forward: { type: 'dependsOn' },
        reverse: { type: 'dependencyOf' },
      });
    },
  });
